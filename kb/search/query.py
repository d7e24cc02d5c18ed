"""Searching: parse what was typed, filter, count facets, rank, highlight, suggest.

One match set per query (a bitset, bitsets.py) gives the total and, intersected with per-value
sets built once per searcher, every facet count; the ranking scores only that set
(ranking.py); highlighting reads the stored summary before the body, which costs less.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup
from whoosh.query import Query

from kb.errors import PageOutOfRange
from kb.search.bitsets import ids_mask, mask_to_ids, match_mask, term_mask
from kb.search.facets import Narrowing
from kb.search.highlight import highlight
from kb.search.index import SearchIndex
from kb.search.parsing import (
    DEFAULT_LIMITS,
    OPERATORS,
    WORD,
    Limits,
    all_of,
    bound,
    is_empty,
    read_query,
    within_words,
)
from kb.search.ranking import rank, scored_terms
from kb.search.reading import EMPTY, Reading, Thesaurus
from kb.search.schema import LANGS, SNIPPET_SOURCES
from kb.values.filters import Filters
from kb.values.paging import Paginated

SORTS = ("relevance", "newest")
# A hit holding one more of the words ranks above any difference in BM25 score.
COORDINATION_WEIGHT = 1000.0
SNIPPET_ORDER = ("summary", "body", "title")


@dataclass(frozen=True)
class Snippet:
    html: Markup
    lang: str
    field: str


@dataclass
class SearchResult(Paginated):
    ids: list[int]
    snippets: dict[int, Snippet]
    total: int
    total_without_filters: int
    facets: dict[str, dict[str, int]]
    number: int
    size: int
    reading: str = ""
    suggestion: str | None = None
    limited: tuple[str, ...] = field(default=())
    # No practice held every word: hits are ranked by how many of the words they hold.
    partial: bool = False
    # Words that no practice (under the filters) holds, and per hit the words it lacks.
    left_out: tuple[str, ...] = ()
    missing: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # (words as typed, equivalents searched too), from the thesaurus.
    equivalents: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Per hit, the stamp of its indexed document (it changes with anything a card shows).
    stamps: dict[int, str] = field(default_factory=dict)
    # The practice ids the page counts (``matches``), sorted: a change to any other practice
    # leaves the page as it is, but for ranking figures (see ``matching``).
    matched: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    # Which of some practice ids the same search counts now (``matching``), set by the caller.
    rematch: Callable[[Iterable[int]], set[int]] | None = None


# --- searching ------------------------------------------------------------------------------
def search(
    index: SearchIndex,
    text: str,
    lang: str,
    filters: Filters,
    page: int = 1,
    size: int = 20,
    sort: str = "relevance",
    limits: Limits = DEFAULT_LIMITS,
    thesaurus: Thesaurus = EMPTY,
    snippets: bool = True,
) -> SearchResult:
    """One page of hits for ``text`` under ``filters``, with totals, facet counts, highlights.

    Returns practice ids in rank order; the caller re-reads them from the database. Raises
    PageOutOfRange past the last page.
    """
    searcher = index.searcher()
    notices: set[str] = set()
    m = _match(index, searcher, text, lang, filters, limits, thesaurus, notices)
    query, reading, shown = m.query, m.reading, m.shown
    matches, hits_mask, soft_masks = m.matches, m.hits_mask, m.soft_masks
    partial = bool(soft_masks) and bool(hits_mask)
    total = hits_mask.bit_count()
    facets = m.narrowing.counts(matches, m.sets)
    pids = index.orders.pids(searcher) if matches else None  # (an empty index has none)
    pages = max(1, math.ceil(total / size))
    if page > pages:
        raise PageOutOfRange(page)
    ids: list[int] = []
    stamps: dict[int, str] = {}
    marked: dict[int, Snippet] = {}
    missing: dict[int, tuple[str, ...]] = {}
    if total:
        bonus = _coordination(soft_masks, hits_mask, searcher.doc_count_all()) if partial else None
        best = rank(
            searcher,
            query,
            hits_mask,
            page * size,
            index.ranking,
            sort == "newest",
            bonus,
            ties=pids,
        )
        terms = _terms_by_field(query, searcher)
        holding = _holding(searcher, terms) if snippets else {}
        for docnum in best[(page - 1) * size : page * size]:
            stored = searcher.stored_fields(docnum)
            pid = int(stored["id"])
            ids.append(pid)
            stamps[pid] = stored.get("stamp")
            found = {name for name, mask in holding.items() if (mask >> docnum) & 1}
            if snippets and (snippet := _snippet(stored, lang, terms, found)):
                marked[pid] = snippet
            if partial:
                missing[pid] = tuple(
                    " ".join(w) for w, mask in soft_masks if not (mask >> docnum) & 1
                )
    result = SearchResult(
        ids=ids,
        snippets=marked,
        total=total,
        total_without_filters=matches.bit_count(),
        facets=facets,
        number=page,
        size=size,
        reading=shown,
        limited=tuple(sorted(notices)),
        partial=partial,
        left_out=tuple(" ".join(w) for w, mask in soft_masks if partial and not mask & hits_mask),
        missing=missing,
        equivalents=tuple(reading.equivalents),
        stamps=stamps,
    )
    if matches:
        result.matched = np.unique(pids[mask_to_ids(matches, searcher.doc_count_all())])
    if total == 0:
        result.suggestion = suggest(searcher, shown)
    return result


@dataclass
class _Matching:
    query: Query
    reading: Reading
    shown: str
    sets: dict
    narrowing: Narrowing
    matches: int  # what the page counts: hits before the filters, or partial hits
    hits_mask: int
    soft_masks: list[tuple[tuple[str, ...], int]]


def _match(
    index, searcher, text, lang, filters, limits, thesaurus, notices, within=None, soft=None
) -> _Matching:
    """What a search counts. ``within``: only among these documents (a bitset); ``soft``:
    whether to count partial hits (None: when no practice holds every word)."""
    words = within_words(text, limits, notices)
    reading, parts, shown = read_query(words, index.schema, lang, thesaurus)
    parts = [q if is_empty(q) else bound(q, searcher.reader(), limits, notices) for q in parts]
    query = all_of(parts)
    sets, live = index.facets.for_searcher(searcher)
    if within is not None:
        live &= within
    matches = 0 if is_empty(query) else match_mask(searcher, query, live)
    narrowing = Narrowing.of(searcher, filters, sets, live)
    hits_mask = narrowing.apply(matches)
    loose = [(item, q) for item, q in zip(reading.items, parts, strict=False) if not item.strict]
    soft_masks: list[tuple[tuple[str, ...], int]] = []
    if (not hits_mask if soft is None else soft) and not reading.explicit and len(loose) >= 2:
        # No practice holds every word: those holding most of them, the strict items kept.
        strict = all_of([q for item, q in zip(reading.items, parts, strict=False) if item.strict])
        required = live if is_empty(strict) else match_mask(searcher, strict, live)
        soft_masks = [(item.words, match_mask(searcher, q, live) & required) for item, q in loose]
        matches = 0
        for _words, mask in soft_masks:
            matches |= mask
        hits_mask = narrowing.apply(matches)
    return _Matching(query, reading, shown, sets, narrowing, matches, hits_mask, soft_masks)


def matching(
    index: SearchIndex,
    text: str,
    lang: str,
    filters: Filters,
    practice_ids,
    partial: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    thesaurus: Thesaurus = EMPTY,
) -> set[int]:
    """Which of ``practice_ids`` the search for ``text`` counts now: among its hits before the
    filters, or, for a page of ``partial`` hits, among those holding some of the words. A page
    of results changes with these practices only (and with the words and figures of the whole
    index that its ranking reads). Only those practices' documents are looked at."""
    searcher = index.searcher()
    pids = index.orders.pids(searcher)
    docnums = np.flatnonzero(np.isin(pids, np.fromiter(practice_ids, dtype=pids.dtype)))
    if not len(docnums):
        return set()
    matches = _match(
        index, searcher, text, lang, filters, limits, thesaurus, set(), ids_mask(docnums), partial
    ).matches
    return {int(pids[d]) for d in docnums if (matches >> int(d)) & 1}


def _coordination(soft_masks, hits_mask: int, size: int):
    """Per document, how many of the typed words it holds, weighted to come before BM25."""
    counts = np.zeros(size, dtype=np.float32)
    for words, mask in soft_masks:
        counts[mask_to_ids(mask & hits_mask, size)] += len(words)
    return counts * COORDINATION_WEIGHT


def _terms_by_field(query, searcher) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {}
    for fieldname, text, _boost in scored_terms(query, searcher.reader()):
        terms.setdefault(fieldname, set()).add(text)
    return terms


def _holding(searcher, terms: dict[str, set[str]]) -> dict[str, int]:
    """Per highlightable field, the documents holding one of the query's terms in it."""
    out = {}
    for name in set(SNIPPET_SOURCES.values()) & set(terms):
        field = searcher.schema[name]
        mask = 0
        for text in terms[name]:
            mask |= term_mask(searcher, name, field.to_bytes(text))
        out[name] = mask
    return out


def _snippet(
    stored: dict, lang: str, terms: dict[str, set[str]], found: set[str]
) -> Snippet | None:
    """The first highlighted passage: page language first, summary before body (cheaper).

    Only fields where the document holds one of the query's terms (``found``) are read: a
    word found only in the title does not make the summary and body be scanned for nothing.
    The text around the marks is escaped.
    """
    other = next(code for code in LANGS if code != lang)
    for code in (lang, other):
        for name in SNIPPET_ORDER:
            source = f"{name}_{code}"
            indexed = SNIPPET_SOURCES[source]
            text = stored.get(source)
            if indexed not in found or not text:
                continue
            if html := highlight(text, indexed, terms[indexed]):
                return Snippet(Markup(html), code, name)
    return None


def suggest(searcher, text: str) -> str | None:
    """The query with each word unknown to the index replaced by its nearest indexed word."""
    corrector = searcher.corrector("spell")
    reader = searcher.reader()
    changed = False
    out = text
    for word in set(WORD.findall(text)):
        if word in OPERATORS or len(word) < 3:
            continue
        folded = next(iter(searcher.schema["spell"].process_text(word)), None)
        if folded is None or reader.frequency("spell", folded):
            continue
        suggestions = corrector.suggest(folded, limit=1, maxdist=2, prefix=1)
        if suggestions:
            out = re.sub(rf"\b{re.escape(word)}\b", suggestions[0], out)
            changed = True
    return out if changed else None
