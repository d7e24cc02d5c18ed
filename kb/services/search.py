"""Searching the catalogue: the index finds, the database confirms."""

from __future__ import annotations

import threading
import time
from functools import partial

from flask import current_app
from sqlalchemy import select

from kb.extensions import db
from kb.models import Practice, ThesaurusGroup
from kb.search import get_index
from kb.search import query as search_query
from kb.search.parsing import Limits
from kb.search.query import SORTS, SearchResult
from kb.search.reading import Thesaurus
from kb.services.practices import load_published, published_cards
from kb.values.filters import Filters

DEFAULT_SORT = "relevance"


def search_practices(
    text: str,
    lang: str,
    filters: Filters,
    page: int = 1,
    size: int = 20,
    sort: str = DEFAULT_SORT,
    snippets: bool = True,
    cards: bool = True,
) -> tuple[SearchResult, list[Practice]]:
    """Hits for ``text`` re-read from the database in rank order.

    The index may lag behind the database: anything no longer published is dropped here.
    The session is closed before the index is searched, so that no search holds one of the
    pool's connections meanwhile; what it had loaded stays readable. Raises PageOutOfRange
    (a NotFound) past the last page.
    """
    words, index, limits = thesaurus(), get_index(), configured_limits()
    db.session.close()
    result = search_query.search(
        index,
        text,
        lang,
        filters,
        page,
        size,
        sort,
        limits=limits,
        thesaurus=words,
        snippets=snippets,
    )
    result.rematch = partial(
        search_query.matching,
        index,
        text,
        lang,
        filters,
        partial=result.partial,
        limits=limits,
        thesaurus=words,
    )
    if cards:  # copies kept for cards, read-only (see published_cards)
        return result, published_cards(result.ids, result.stamps)
    return result, load_published(result.ids)


_lock = threading.Lock()


def thesaurus() -> Thesaurus:
    """The thesaurus as the database holds it, re-read every SEARCH_THESAURUS_TTL seconds."""
    cache = current_app.extensions.setdefault("kb.thesaurus", {"at": None, "value": None})
    ttl = current_app.config["SEARCH_THESAURUS_TTL"]
    with _lock:
        if cache["at"] is not None and time.monotonic() - cache["at"] < ttl:
            return cache["value"]
    groups = [g.terms for g in db.session.scalars(select(ThesaurusGroup))]
    value = Thesaurus(groups)
    with _lock:
        cache.update(at=time.monotonic(), value=value)
    return value


def configured_limits() -> Limits:
    config = current_app.config
    return Limits(
        max_words=config["SEARCH_MAX_WORDS"],
        max_slop=config["SEARCH_MAX_SLOP"],
        max_expansion=config["SEARCH_MAX_EXPANSION"],
        max_patterns=config["SEARCH_MAX_PATTERNS"],
    )


__all__ = ["DEFAULT_SORT", "SORTS", "search_practices"]
