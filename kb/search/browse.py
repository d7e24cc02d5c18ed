"""Browsing without a query: the filtered set, every facet count and one page in a chosen
order, all from the index (bitsets in facets.py, orders in orders.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kb.errors import PageOutOfRange
from kb.search.bitsets import mask_to_ids
from kb.search.facets import Narrowing
from kb.search.index import SearchIndex
from kb.search.orders import SORTS
from kb.values.filters import Filters
from kb.values.paging import Paginated


@dataclass
class Listing(Paginated):
    ids: list[int]
    total: int
    facets: dict[str, dict]
    number: int
    size: int
    stamps: dict[int, str] = field(default_factory=dict)  # per id, its document's stamp


def browse(
    index: SearchIndex,
    filters: Filters,
    lang: str,
    sort: str = "title",
    page: int = 1,
    size: int = 20,
    stamps: bool = True,
) -> Listing:
    """One page of the documents passing ``filters``, in ``sort`` order, with the total and
    every facet count. Raises PageOutOfRange past the last page."""
    searcher = index.searcher()
    sets, live = index.facets.for_searcher(searcher)
    narrowing = Narrowing.of(searcher, filters, sets, live)
    hits = narrowing.apply(live)
    total = hits.bit_count()
    pages = max(1, math.ceil(total / size))
    if page > pages:
        raise PageOutOfRange(page)
    ids: list[int] = []
    found: dict[int, str] = {}
    if total:
        docs = mask_to_ids(hits, searcher.doc_count_all())
        position = index.orders.position(searcher, sort if sort in SORTS else "title", lang)
        ranks = position[docs]
        wanted = page * size
        if len(docs) > wanted:
            first = np.argpartition(ranks, wanted - 1)[:wanted]
            docs, ranks = docs[first], ranks[first]
        chosen = docs[np.argsort(ranks, kind="stable")][(page - 1) * size : wanted]
        pids = index.orders.pids(searcher)
        ids = [int(pids[doc]) for doc in chosen]
        if stamps:
            for pid, doc in zip(ids, chosen, strict=True):
                found[pid] = searcher.stored_fields(int(doc)).get("stamp")
    return Listing(ids, total, narrowing.counts(live, sets), page, size, found)
