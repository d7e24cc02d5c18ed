"""Suggestions for the search box as one types: /<lang>/search/suggest?q=... answers JSON."""

from __future__ import annotations

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from kb.services import suggestions as suggestion_service
from kb.web.localised import localised_blueprint

bp = localised_blueprint("suggest", __name__)
LIMIT = 8
MAX_INPUT = 100  # a prefix, not a query: longer input is cut
# Short enough that a newly published practice soon shows; long enough to spare the server
# the same prefix typed again (backspacing) and the requests of one person's session.
CACHE_CONTROL = "private, max-age=60"


def _link(kind: str, key: str) -> str:
    if kind == "practice":
        return url_for("public.practice", practice_id=int(key))
    if kind == "country":
        return url_for("public.country", code=key)
    if kind == "corridor":
        return url_for("public.corridor", slug=key)
    if kind == "theme":
        return url_for("public.theme", slug=key)
    return url_for("search.results", q=key)  # an organisation: a search for its name


def _kind_label(kind: str) -> str:
    return {
        "practice": _("Practice"),
        "organisation": _("Organisation"),
        "country": ngettext("Country", "Countries", 1),
        "corridor": ngettext("Corridor", "Corridors", 1),
        "theme": _("Theme"),
    }[kind]


@bp.get("/search/suggest")
def suggestions():
    text = request.args.get("q", "")[:MAX_INPUT].strip()
    found = suggestion_service.suggestions(text, g.lang, LIMIT)
    response = jsonify(
        q=text,
        suggestions=[
            {
                "label": item.label,
                "kind": item.kind,
                "kind_label": _kind_label(item.kind),
                "url": _link(item.kind, item.key),
                "lang": item.lang,
            }
            for item in found
        ],
    )
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
