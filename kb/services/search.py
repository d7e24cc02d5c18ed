"""Searching the catalogue: the index finds, the database confirms."""

from __future__ import annotations

from flask import current_app

from kb.extensions import db
from kb.models import Practice
from kb.search import get_index
from kb.search import query as search_query
from kb.search.query import SORTS, Limits, SearchResult
from kb.services.practices import load_published
from kb.values.filters import Filters

DEFAULT_SORT = "relevance"


def search_practices(
    text: str, lang: str, filters: Filters, page: int = 1, size: int = 20, sort: str = DEFAULT_SORT
) -> tuple[SearchResult, list[Practice]]:
    """Hits for ``text`` re-read from the database in rank order.

    The index may lag behind the database: anything no longer published is dropped here.
    The session is closed before the index is searched, so that no search holds one of the
    pool's connections meanwhile; what it had loaded stays readable. Raises PageOutOfRange
    (a NotFound) past the last page.
    """
    db.session.close()
    result = search_query.search(
        get_index(), text, lang, filters, page, size, sort, limits=configured_limits()
    )
    return result, load_published(result.ids)


def configured_limits() -> Limits:
    config = current_app.config
    return Limits(
        max_words=config["SEARCH_MAX_WORDS"],
        max_slop=config["SEARCH_MAX_SLOP"],
        max_expansion=config["SEARCH_MAX_EXPANSION"],
        max_patterns=config["SEARCH_MAX_PATTERNS"],
    )


__all__ = ["DEFAULT_SORT", "SORTS", "search_practices"]
