"""/api/v1/practices (the list, with the catalogue's filters and search) and one practice;
/api/v1/taxonomy."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.datastructures import MultiDict

from kb.errors import NotFound, PageOutOfRange
from kb.i18n import N_
from kb.services import catalogue, practices, search
from kb.values.filters import DIMENSIONS
from kb.web import pagecache
from kb.web.api import records
from kb.web.api.base import Blueprint, api_abort, page_links
from kb.web.api.schemas import PracticeDetail, PracticePage, PracticeQuery, Taxonomy
from kb.web.args import parse_listing

bp = Blueprint(
    "api_practices",
    __name__,
    url_prefix="/api/v1",
    description=N_(
        "Published practices, found by filters or full-text search, and the taxonomy they are "
        "catalogued by."
    ),
)


def _as_query_args(args: dict) -> MultiDict:
    """The API's validated arguments, as the query the web pages read."""
    pairs = [(param, str(value)) for param in DIMENSIONS for value in args.get(param, [])]
    pairs += [(name, str(args[name])) for name in ("year_from", "year_to", "sort") if name in args]
    return MultiDict(pairs)


def _set_language(lang: str) -> None:
    g.lang = lang
    refresh()  # notices in the language asked for


@bp.get("/practices")
@bp.arguments(PracticeQuery, location="query", as_kwargs=False)
@bp.response(200, PracticePage)
@bp.alt_response(404, response="DEFAULT_ERROR", description=N_("A page past the last one."))
@bp.doc(
    summary=N_("Published practices, by filters and full-text search"),
    description=N_(
        "The filters are those of the list page, and may repeat. Values that name nothing "
        "are ignored and listed in notices. Without q the order is by title; with q, by "
        "relevance."
    ),
)
def practice_list(args: dict):
    lang = args["lang"]
    _set_language(lang)
    text = (args.get("q") or "").strip()
    sorts, default = (
        (search.SORTS, search.DEFAULT_SORT) if text else (practices.SORTS, practices.DEFAULT_SORT)
    )
    query = _as_query_args(args)
    listing = parse_listing(query, catalogue.vocabulary(), sorts, default)
    page, size = args["page"], args["per_page"]

    def fetch(number: int):
        if text:
            result, items = search.search_practices(
                text, lang, listing.filters, number, size, listing.sort, snippets=False, cards=False
            )
            pagecache.depends_on_search(result)
            return items, result.total
        found, _facets = practices.browse_published(
            listing.filters, lang, listing.sort, number, size, cards=False
        )
        return found.items, found.total

    try:
        items, total = fetch(page)
    except PageOutOfRange:
        _items, total = fetch(1)
        last = max(1, -(-total // size))
        api_abort(
            404, _("There is no page %(page)s: the last page is %(last)s.", page=page, last=last)
        )
    pages = max(1, -(-total // size))
    params = {"q": text} if text else {}
    params.update({key: value for key, value in query.lists()}, lang=lang, per_page=size)
    return {
        "items": [records.practice_summary(p) for p in items],
        "total": total,
        "page": page,
        "per_page": size,
        "pages": pages,
        "notices": listing.notices,
        "links": page_links(".practice_list", params, page, pages),
    }


@bp.get("/practices/<int(max=2147483647):practice_id>")
@bp.response(200, PracticeDetail)
@bp.alt_response(
    404, response="DEFAULT_ERROR", description=N_("No published practice has this number.")
)
@bp.doc(summary=N_("One published practice, with every field, in English and Spanish"))
def detail(practice_id: int):
    try:
        practice = practices.get_published(practice_id)
    except NotFound:
        api_abort(404, _("No published practice has the number %(id)s.", id=practice_id))
    pagecache.depends_on(practice_id)
    vocab = catalogue.vocabulary()
    return records.practice_detail(
        practice, records.country_regions(vocab.countries, vocab.regions)
    )


@bp.get("/taxonomy")
@bp.response(200, Taxonomy)
@bp.doc(
    summary=N_("Everything practices are catalogued by"),
    description=N_(
        "Pillars, themes, regions, countries, corridors, frameworks, actor types and sectors; "
        "pillars, themes and corridors with their counts of published practices."
    ),
)
def taxonomy():
    vocab = catalogue.vocabulary()
    by_theme, by_pillar = catalogue.counts_by_theme(), catalogue.counts_by_pillar()
    by_corridor = catalogue.counts_by_corridor()
    regions = records.country_regions(vocab.countries, vocab.regions)
    return {
        "pillars": [
            {**records.pillar(p), "practices": by_pillar.get(p.number, 0)}
            for p in vocab.pillars.values()
        ],
        "themes": [
            {**records.named(t), "practices": by_theme.get(t.id, 0)} for t in vocab.themes.values()
        ],
        "regions": [records.named(r) for r in vocab.regions.values()],
        "countries": [records.country(code, regions[code]) for code in sorted(vocab.countries)],
        "corridors": [
            {**records.corridor(c), "practices": by_corridor.get(c.id, 0)}
            for _slug, c in sorted(vocab.corridors.items())
        ],
        "frameworks": [records.framework(f) for f in catalogue.frameworks()],
        "actor_types": [records.named(a) for a in vocab.actors.values()],
        "sectors": [records.named(s) for s in vocab.sectors.values()],
    }
