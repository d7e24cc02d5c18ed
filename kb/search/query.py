"""Searching: parse what was typed, filter, count facets, rank, highlight, suggest.

One match set per query (a bitset, bitsets.py) gives the total and, intersected with per-value
sets built once per searcher, every facet count; the ranking scores only that set
(ranking.py); highlighting reads the stored summary before the body, which costs less.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup
from whoosh import qparser
from whoosh import query as wq
from whoosh.query import And, NullQuery, Query

from kb.errors import PageOutOfRange
from kb.search.bitsets import mask_to_ids, match_mask, term_mask
from kb.search.facets import Narrowing
from kb.search.highlight import highlight
from kb.search.index import SearchIndex
from kb.search.ranking import rank, scored_terms
from kb.search.reading import EMPTY, Reading, Thesaurus, parse_text, read
from kb.search.schema import (
    LANGS,
    SNIPPET_SOURCES,
    TEXT_FIELDS,
)
from kb.values.filters import Filters
from kb.values.paging import Paginated

SORTS = ("relevance", "newest")
# A hit holding one more of the words ranks above any difference in BM25 score.
COORDINATION_WEIGHT = 1000.0
OTHER_BOOST = 1.0
PAGE_LANGUAGE_BOOST = 1.5
SNIPPET_ORDER = ("summary", "body", "title")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


@dataclass(frozen=True)
class Limits:
    """What one search may cost. Past a limit the query is read more simply, with a notice
    (the codes in SearchResult.limited), never an error."""

    max_words: int = 24  # words (and operators) read from the query
    max_slop: int = 10  # positions a phrase's words may lie apart ("a b"~N)
    max_expansion: int = 64  # index terms one wildcard, prefix or range may stand for
    max_patterns: int = 4  # wildcards, prefixes and ranges in one query


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


# --- parsing --------------------------------------------------------------------------------
def _parser(schema, lang: str) -> qparser.MultifieldParser:
    boosts = {
        name: weight * (PAGE_LANGUAGE_BOOST if name.endswith(f"_{lang}") else OTHER_BOOST)
        for name, weight in TEXT_FIELDS.items()
    }
    parser = qparser.MultifieldParser(list(boosts), schema, fieldboosts=boosts)
    parser.add_plugin(qparser.PlusMinusPlugin())
    return parser


def _plain_words(text: str) -> str:
    """The words of a query without any syntax: the fallback reading of a malformed query."""
    return " ".join(w for w in _WORD.findall(text) if w not in _OPERATORS)


def _is_empty(query: Query) -> bool:
    return query is NullQuery or query.normalize() is NullQuery


def parse(text: str, schema, lang: str) -> tuple[Query, str]:
    """The query and the reading of ``text`` it came from.

    Whoosh reads most broken syntax sensibly; when it cannot (or the result would match
    nothing although words were typed), the words alone are searched.
    """
    words = _WORD.findall(text)
    if words and all(word in _OPERATORS for word in words):
        return NullQuery, ""  # a lone operator: nothing to search for
    parser = _parser(schema, lang)
    try:
        query = parser.parse(text)
    except Exception:  # noqa: BLE001 - any parser failure falls back to the plain words
        query = NullQuery
    if _is_empty(query):
        plain = _plain_words(text)
        if plain and plain != text:
            return parser.parse(plain), plain
    return query, text


def read_query(
    text: str, schema, lang: str, thesaurus: Thesaurus = EMPTY
) -> tuple[Reading, list[Query], str]:
    """The reading of ``text``, one query per item (all required), and the text shown as read:
    the typed text, or its plain words when its syntax could not be read."""
    reading = read(text, schema.names(), thesaurus)
    if reading.explicit:
        query, shown = parse(parse_text(reading), schema, lang)
        if shown != parse_text(reading):  # fell back to the plain words
            return read_query(_plain_words(text), schema, lang, thesaurus)
        return reading, [query], text
    parser = _parser(schema, lang)
    queries = []
    for item in reading.items:
        # Alone, "-word" would parse to nothing: its body is parsed and negated here.
        sign, body = (item.text[0], item.text[1:]) if item.text[:1] in "+-" else ("", item.text)
        try:
            query = parser.parse(body)
        except Exception:  # noqa: BLE001 - an item the parser cannot read: its words
            query = parser.parse(_plain_words(" ".join(item.words)) or "")
        if sign == "-" and not _is_empty(query):
            query = wq.Not(query)
        queries.append(query)
    return reading, queries, text


def _all_of(queries: list[Query]) -> Query:
    kept = [q for q in queries if not _is_empty(q)]
    if not kept:
        return NullQuery
    return kept[0] if len(kept) == 1 else And(kept)


def _within_words(text: str, limits: Limits, notices: set[str]) -> str:
    words = _WORD.findall(text)
    if len(words) <= limits.max_words:
        return text
    notices.add("words")
    return " ".join(words[: limits.max_words])


def _literal_prefix(pattern: str) -> str:
    return re.split(r"[*?\[]", pattern, maxsplit=1)[0]


def bound(query: Query, reader, limits: Limits, notices: set[str]) -> Query:
    """``query`` with its cost capped: phrase slop, and every wildcard, prefix or range turned
    into an OR of at most ``max_expansion`` index terms (a pattern that starts with a wildcard
    would read the whole vocabulary: it is read from its first letters instead)."""
    patterns: set[str] = set()  # as typed: one pattern stands for a query in each field

    def walk(q: Query) -> Query:
        if isinstance(q, wq.Phrase):
            if q.slop > limits.max_slop:
                notices.add("slop")
                q = copy.copy(q)
                q.slop = limits.max_slop
            return q
        if isinstance(q, wq.MultiTerm):
            patterns.add(str(getattr(q, "text", q)))
            if len(patterns) > limits.max_patterns:
                notices.add("patterns")
                return NullQuery
            if isinstance(q, wq.Wildcard) and q.text[:1] in ("*", "?"):
                notices.add("wildcard")
                literal = _literal_prefix(q.text.lstrip("*?"))
                if len(literal) < 2:
                    return NullQuery
                q = wq.Prefix(q.fieldname, literal, boost=q.boost)
            try:
                texts = []
                for btext in q._btexts(reader):
                    if len(texts) == limits.max_expansion:
                        notices.add("expansion")
                        break
                    texts.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
            except Exception:  # noqa: BLE001 - a pattern the index cannot expand matches nothing
                return NullQuery
            if not texts:
                return NullQuery
            return wq.Or([wq.Term(q.fieldname, t, boost=q.boost) for t in texts])
        return q.apply(walk)  # a copy with every child bounded (leaves: unchanged)

    return walk(query)


# --- searching ------------------------------------------------------------------------------
def search(
    index: SearchIndex,
    text: str,
    lang: str,
    filters: Filters,
    page: int = 1,
    size: int = 20,
    sort: str = "relevance",
    limits: Limits = Limits(),
    thesaurus: Thesaurus = EMPTY,
    snippets: bool = True,
) -> SearchResult:
    """One page of hits for ``text`` under ``filters``, with totals, facet counts, highlights.

    Returns practice ids in rank order; the caller re-reads them from the database. Raises
    PageOutOfRange past the last page.
    """
    searcher = index.searcher()
    notices: set[str] = set()
    words = _within_words(text, limits, notices)
    reading, parts, shown = read_query(words, index.schema, lang, thesaurus)
    parts = [q if _is_empty(q) else bound(q, searcher.reader(), limits, notices) for q in parts]
    query = _all_of(parts)
    sets, live = index.facets.for_searcher(searcher)
    matches = 0 if _is_empty(query) else match_mask(searcher, query, live)
    narrowing = Narrowing.of(searcher, filters, sets, live)
    hits_mask = narrowing.apply(matches)
    soft = [(item, q) for item, q in zip(reading.items, parts, strict=False) if not item.strict]
    soft_masks: list[tuple[tuple[str, ...], int]] = []
    if not hits_mask and not reading.explicit and len(soft) >= 2:
        # No practice holds every word: those holding most of them, the strict items kept.
        strict = _all_of([q for item, q in zip(reading.items, parts, strict=False) if item.strict])
        required = live if _is_empty(strict) else match_mask(searcher, strict, live)
        soft_masks = [(item.words, match_mask(searcher, q, live) & required) for item, q in soft]
        matches = 0
        for _words, mask in soft_masks:
            matches |= mask
        hits_mask = narrowing.apply(matches)
    partial = bool(soft_masks) and bool(hits_mask)
    total = hits_mask.bit_count()
    facets = narrowing.counts(matches, sets)

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
            ties=index.orders.pids(searcher),
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
    if total == 0:
        result.suggestion = suggest(searcher, shown)
    return result


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
    for word in set(_WORD.findall(text)):
        if word in _OPERATORS or len(word) < 3:
            continue
        folded = next(iter(searcher.schema["spell"].process_text(word)), None)
        if folded is None or reader.frequency("spell", folded):
            continue
        suggestions = corrector.suggest(folded, limit=1, maxdist=2, prefix=1)
        if suggestions:
            out = re.sub(rf"\b{re.escape(word)}\b", suggestions[0], out)
            changed = True
    return out if changed else None
