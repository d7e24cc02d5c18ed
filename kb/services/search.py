"""Searching the catalogue: the index finds, the database confirms."""

from __future__ import annotations

from kb.models import Practice
from kb.search import get_index
from kb.search import query as search_query
from kb.search.query import SORTS, SearchResult
from kb.services.filters import Filters
from kb.services.practices import load_published

DEFAULT_SORT = "relevance"


def search_practices(
    text: str, lang: str, filters: Filters, page: int = 1, size: int = 20, sort: str = DEFAULT_SORT
) -> tuple[SearchResult, list[Practice]]:
    """Hits for ``text`` re-read from the database in rank order.

    The index may lag behind the database: anything no longer published is dropped here.
    Raises PageOutOfRange (a NotFound) past the last page.
    """
    result = search_query.search(get_index(), text, lang, filters, page, size, sort)
    return result, load_published(result.ids)


__all__ = ["DEFAULT_SORT", "SORTS", "search_practices"]
