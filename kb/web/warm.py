"""Loading, in a server process that has just started, what its first pages would otherwise
load while visitors wait: every template compiled, both languages' locale data, the database
mappings configured, the citation styles parsed, and the search index's searcher and facets
opened. It makes no page and keeps none (kb.web.pagecache).

Called by gunicorn's ``post_worker_init`` (kb.serving), before the process takes requests. On
a site of 10,000 practices it takes about 0.6 s a process and spares the first visitors about
as much (bench/load.py, a server just started under 50 clients).
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from flask import Flask
from sqlalchemy.orm import configure_mappers

from kb.config import LANGUAGES
from kb.services import citations

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


def warm_up(app: Flask) -> str:
    """Load what every first page loads; one line saying what was loaded."""
    with app.app_context():
        names = app.jinja_env.list_templates(
            filter_func=lambda name: name.endswith(TEMPLATE_SUFFIXES)
        )
        for name in names:
            app.jinja_env.get_template(name)
        for lang in LANGUAGES:
            format_date(date.today(), "long", locale=lang)
        configure_mappers()
        citations.load_styles()
        index = app.extensions.get("kb_search")
        if index is not None:
            index.facets.for_searcher(index.searcher())
    return f"warmed up: {len(names)} templates, {len(LANGUAGES)} languages"
