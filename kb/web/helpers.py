"""Template globals and filters: language, localised texts, links that keep the query."""

from __future__ import annotations

from datetime import datetime, time
from functools import lru_cache
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.numbers import format_decimal as babel_format_decimal
from flask import Flask, current_app, request, url_for
from flask_babel import format_date, format_datetime, get_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup

from kb import maps
from kb.config import LANGUAGES
from kb.i18n import current_language, other_language, pick_field, pick_text
from kb.models.taxonomy import country_name
from kb.services.moderation import status_label
from kb.values.filters import Filters
from kb.web.args import known_args
from kb.web.facets import facet_groups, facet_label
from kb.web.rich_text import render_markdown


def has_language_versions() -> bool:
    """Whether this page exists under each language prefix (not error pages, not redirects)."""
    return request.url_rule is not None and "lang" in request.url_rule.arguments


_quote = lru_cache(maxsize=8192)(quote_plus)  # a facet list quotes the same values 100 times


def with_query(path: str, args: dict[str, list[str]]) -> str:
    """``path`` with a query string (as urlencode writes it). Query arguments never go through
    url_for's keywords, where a parameter named like a view argument (``?lang=``) or
    ``_scheme`` would clash."""
    query = "&".join(quoted_pair(k, v) for k, values in args.items() for v in values)
    return f"{path}?{query}" if query else path


def quoted_pair(key, value) -> str:
    return f"{_quote(str(key))}={_quote(str(value))}"


def switch_url(lang: str) -> str:
    """This page in ``lang``, with the same query."""
    if not has_language_versions():
        return url_for("public.home", lang=lang)
    path = url_for(request.endpoint, **{**(request.view_args or {}), "lang": lang})
    return with_query(path, known_args(request.args))


def page_url(**changes) -> str:
    """This page with some query arguments replaced (None removes one)."""
    args = known_args(request.args)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return with_query(this_path(), args)


@lru_cache(maxsize=8192)
def formatted_number(number, locale: str) -> str:
    return babel_format_decimal(number, locale=locale)


def format_number(number) -> str:
    """A count as the page's language writes it (1,234 / 1234); a facet list shows hundreds."""
    return formatted_number(number, str(get_locale()))


def filters_url(filters, **extra) -> str:
    """This page for other filters, keeping the search query and adding ``extra`` arguments."""
    args = filters.to_args()
    if query := query_arg():
        args["q"] = query
    args.update({key: [str(value)] for key, value in extra.items() if value is not None})
    return with_query(this_path(), args)


def query_arg() -> list[str] | None:
    """This request's search query, read once per request."""
    environ = request.environ
    if "kb.query_arg" not in environ:
        environ["kb.query_arg"] = known_args(request.args).get("q")
    return environ["kb.query_arg"]


def this_path() -> str:
    """The current page's path, built once per request (a facet list links to it 100 times)."""
    environ = request.environ  # per request, unlike g when tests share an app context
    if "kb.this_path" not in environ:
        environ["kb.this_path"] = url_for(request.endpoint, **(request.view_args or {}))
    return environ["kb.this_path"]


def corridor_map(pairs) -> maps.Map:
    """The map of ``pairs`` [(corridor, practice count)], labelled in the page's language."""
    arcs = [
        maps.Arc(
            origin=corridor.origin_code,
            destination=corridor.destination_code,
            count=count,
            href=url_for("public.corridor", lang=current_language(), slug=corridor.slug),
            label=ngettext(
                "%(origin)s to %(destination)s: %(num)d practice",
                "%(origin)s to %(destination)s: %(num)d practices",
                count,
                origin=country_name(corridor.origin_code, current_language()),
                destination=country_name(corridor.destination_code, current_language()),
            ),
        )
        for corridor, count in pairs
    ]
    return maps.draw(arcs)


def feed_link(endpoint: str) -> str:
    """The Atom feed of this page's filters (and query), from its first page."""
    args = known_args(request.args)
    args.pop("page", None)
    args.pop("sort", None)
    return with_query(url_for(endpoint), args)


def absolute(path: str) -> str:
    """``path`` on the site's configured address (never on the Host header a client sent)."""
    return current_app.config["BASE_URL"].rstrip("/") + path


def error_items(form) -> list[tuple[str, str, str]]:
    """(field id, label, message) for every error of a form, nested rows included, in the
    order of the form: what its error summary lists and links to."""
    items = []

    def walk(fields):
        for field in fields:
            if field.type == "CSRFTokenField":
                continue
            if field.type in ("FieldList", "FormField"):
                walk(field.form if field.type == "FormField" else field.entries)
            else:
                items.extend((field.id, field.label.text, message) for message in field.errors)

    walk(form)
    return items


def localised(obj, field: str) -> str:
    return pick_text(obj, field, current_language()).value


def org_name(org) -> str:
    return localised(org, "name")


def org_acronym(org) -> str:
    return pick_text(org, "acronym", current_language()).value


def link(href: str, text: str) -> Markup:
    """A link to place inside a translated sentence (both parts escaped)."""
    return Markup('<a href="{}"><strong>{}</strong></a>').format(href, text)


def implementation_label(value) -> str:
    labels = {
        "ongoing": _("Ongoing"),
        "completed": _("Completed"),
        "planned": _("Planned"),
        "unknown": _("Not confirmed by recent sources"),
    }
    return labels.get(str(value), str(value))


def scope_label(value) -> str:
    labels = {
        "corridor": _("Migration corridor"),
        "national": _("National"),
        "subnational": _("Provincial or state"),
        "regional": _("Regional"),
        "global": _("Global"),
    }
    return labels.get(str(value), str(value))


def evaluation_label(value) -> str:
    labels = {
        "independent-evaluation": _("Independent evaluation"),
        "internal-review": _("Internal review"),
        "systematisation": _("Systematisation"),
        "monitoring-data": _("Monitoring data"),
        "academic-study": _("Academic or civil-society study"),
    }
    return labels.get(str(value), _("Review")) if value else _("Review")


def year_label(year, approximate: bool) -> str:
    """A year as the sources give it: "c. 2011" when only approximate."""
    return _("c. %(year)s", year=year) if approximate else str(year)


def format_label(value) -> str:
    labels = {"online": _("Online"), "in_person": _("In person"), "hybrid": _("Hybrid")}
    return labels.get(str(value), str(value))


def zone_label(event) -> str:
    """The event's time zone and its offset from UTC on that day, e.g. "America/Lima, UTC−05:00"."""
    try:
        zone = ZoneInfo(event.time_zone)
    except (ValueError, ZoneInfoNotFoundError):
        return event.time_zone
    offset = datetime.combine(event.starts_on, event.start_time or time(12), zone).strftime("%z")
    return f"{event.time_zone}, UTC{offset[:3]}:{offset[3:]}"


def visibility_label(value) -> str:
    labels = {"public": _("Public"), "unlisted": _("Unlisted"), "draft": _("Draft")}
    return labels.get(str(value), str(value))


def pick_note(entry):
    """A collection item's note in the page's language (or the other one)."""
    return pick_text(entry, "note", current_language())


def lang_attr(picked) -> Markup:
    """` lang="xx"` when a fallback text is shown in the other language."""
    return Markup(f' lang="{picked.lang}"') if picked.is_fallback else Markup("")


def init_app(app: Flask) -> None:
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES,
        Filters=Filters,
        current_language=current_language,
        other_language=other_language,
        get_locale=get_locale,
        switch_url=switch_url,
        has_language_versions=has_language_versions,
        page_url=page_url,
        filters_url=filters_url,
        this_path=this_path,
        localised=localised,
        org_name=org_name,
        org_acronym=org_acronym,
        pick_text=lambda obj, field: pick_text(obj, field, current_language()),
        absolute=absolute,
        corridor_map=corridor_map,
        visibility_label=visibility_label,
        format_label=format_label,
        zone_label=zone_label,
        pick_note=pick_note,
        feed_link=feed_link,
        error_items=error_items,
        status_label=status_label,
        format_datetime=format_datetime,
        practice_text=lambda p, field: pick_field(p.translations, field, current_language()),
        country_name=lambda code: country_name(code, current_language()),
        lang_attr=lang_attr,
        implementation_label=implementation_label,
        scope_label=scope_label,
        evaluation_label=evaluation_label,
        year_label=year_label,
        link=link,
        format_date=format_date,
        format_number=format_number,
        facet_groups=facet_groups,
        facet_label=facet_label,
    )
    app.jinja_env.filters["markdown"] = render_markdown
