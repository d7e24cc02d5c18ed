"""/api/v1/collections and /api/v1/events: what editors curated and what events presented."""

from __future__ import annotations

from flask_babel import gettext as _

from kb.errors import NotFound
from kb.i18n import N_
from kb.models import Status
from kb.services import catalogue, curation
from kb.web.api import records
from kb.web.api.base import Blueprint, api_abort, page_links
from kb.web.api.schemas import (
    CollectionDetail,
    CollectionPage,
    EventDetail,
    EventPage,
    PagingQuery,
)

bp = Blueprint(
    "api_collections",
    __name__,
    url_prefix="/api/v1",
    description=N_("Collections curated by the editors, and the events that presented practices."),
)


def _paged(endpoint: str, rows: list, args: dict) -> dict:
    page, size = args["page"], args["per_page"]
    pages = max(1, -(-len(rows) // size))
    if page > pages:
        api_abort(
            404, _("There is no page %(page)s: the last page is %(last)s.", page=page, last=pages)
        )
    return {
        "items": rows[(page - 1) * size : page * size],
        "total": len(rows),
        "page": page,
        "per_page": size,
        "pages": pages,
        "links": page_links(endpoint, {"per_page": size}, page, pages),
    }


@bp.get("/collections")
@bp.arguments(PagingQuery, location="query", as_kwargs=False)
@bp.response(200, CollectionPage)
@bp.alt_response(404, response="DEFAULT_ERROR", description=N_("A page past the last one."))
@bp.doc(
    summary=N_("The public collections, featured first, each with its count of published practices")
)
def collections(args: dict):
    rows = [records.collection(c, n) for c, n in curation.listed(None)]
    return _paged(".collections", rows, args)


@bp.get("/collections/<slug>")
@bp.response(200, CollectionDetail)
@bp.alt_response(
    404, response="DEFAULT_ERROR", description=N_("No public collection has this name.")
)
@bp.doc(
    summary=N_("One collection: its published practices in the editors' order, with their notes")
)
def collection(slug: str):
    try:
        found, entries = curation.get(slug, None)
    except NotFound:
        api_abort(404, _("There is no collection “%(slug)s”.", slug=slug))
    return {
        **records.collection(found, len(entries)),
        "items": [
            {"practice": records.practice_summary(p), "note": records.both(item, "note")}
            for item, p in entries
        ],
    }


@bp.get("/events")
@bp.arguments(PagingQuery, location="query", as_kwargs=False)
@bp.response(200, EventPage)
@bp.alt_response(404, response="DEFAULT_ERROR", description=N_("A page past the last one."))
@bp.doc(summary=N_("Events, the most recent first"))
def events(args: dict):
    return _paged(".events", [records.event(e) for e in catalogue.list_events()], args)


@bp.get("/events/<slug>")
@bp.response(200, EventDetail)
@bp.alt_response(404, response="DEFAULT_ERROR", description=N_("No event has this name."))
@bp.doc(summary=N_("One event: its agenda, and the published practices of its collection"))
def event(slug: str):
    try:
        found, shown = catalogue.get_event(slug)
    except NotFound:
        api_abort(404, _("There is no event “%(slug)s”.", slug=slug))
    return {
        **records.event(found),
        "agenda": [
            {
                "title": records.both(item, "title"),
                "description": records.both(item, "description"),
                "starts_at": item.starts_at,
                "speakers": list(item.speakers or []),
                "practices": [p.id for p in item.practices if p.status == Status.published],
            }
            for item in found.agenda
        ],
        "practices": [records.practice_summary(p) for p in shown],
    }
