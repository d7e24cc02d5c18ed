"""Document sets as Python int bitsets: the match set of a query, facet values, filters.

Counting a facet value under a query is ``(matches & value_set).bit_count()``: microseconds
whatever the number of documents, where ``groupedby`` over multi-valued fields rebuilds a
document-to-values table on every query (measured 5-7x slower).

The match set of the usual query shapes (terms combined with OR, AND, NOT, and phrases) is
computed from the posting blocks directly, vectorised with numpy, instead of stepping a
matcher tree through every document in Python; other shapes (ranges) use Whoosh's matchers.
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import query as wq

from kb.search.formats import PackedPositions
from kb.search.postings import posting_blocks, segments, term_positions, term_postings
from kb.search.schema import FACET_FIELDS

FEW = 64  # live documents at most for terms to be looked up per document (match_mask)
_POSITION_BITS = 32  # a (document, position) key: the document above, the position below


def to_mask(docnums) -> int:
    buffer = bytearray()
    for doc in docnums:
        byte = doc >> 3
        if byte >= len(buffer):
            buffer.extend(bytes(byte - len(buffer) + 64))
        buffer[byte] |= 1 << (doc & 7)
    return int.from_bytes(buffer, "little")


class FacetSets:
    """Per facet field, value -> bitset of the documents having it, for one searcher.

    Built per segment and kept while the segment lives, so a refresh after an edit only reads
    the new segment. Deleted documents may remain in a set: counts always intersect with a
    query's match set, which never contains them.
    """

    def __init__(self):
        self._segments: dict[str, dict[str, dict[str, int]]] = {}
        self._generation = None  # what the sets were built for: a commit makes a new one
        self.live = 0
        self._sets: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def for_searcher(self, searcher) -> tuple[dict[str, dict[str, int]], int]:
        """(field -> value -> bitset, bitset of the live documents) for ``searcher``."""
        with self._lock:
            generation = searcher.reader().generation()
            if self._generation == generation:
                return self._sets, self.live
            parts = searcher.subsearchers or [(searcher, 0)]
            combined: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
            current = set()
            for sub, offset in parts:
                reader = sub.reader()
                segment = reader.segment()
                key = segment.segment_id() if segment is not None else None
                local = self._segments.get(key) if key else None
                if local is None:
                    local = self._read(reader)
                    if key:
                        self._segments[key] = local
                current.add(key)
                for name, values in local.items():
                    target = combined[name]
                    for value, mask in values.items():
                        target[value] = target.get(value, 0) | (mask << offset)
            self._segments = {k: v for k, v in self._segments.items() if k in current}
            self._generation, self._sets = generation, combined
            self.live = live_mask(searcher)
            return combined, self.live

    @staticmethod
    def _read(reader) -> dict[str, dict[str, int]]:
        out = {}
        for name in FACET_FIELDS:
            out[name] = {
                value: ids_mask(_leaf_ids(reader.postings(name, value)))
                for value in reader.field_terms(name)
            }
        return out


def mask_to_ids(mask: int, size: int) -> np.ndarray:
    """The document numbers in a bitset, as an array."""
    if not mask:
        return np.empty(0, dtype=np.int64)
    raw = np.frombuffer(mask.to_bytes((size + 7) // 8, "little"), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")[:size])


def ids_mask(ids: np.ndarray, offset: int = 0) -> int:
    """Bitset of an array of document numbers."""
    if not len(ids):
        return 0
    bits = np.zeros(int(ids.max()) + 1, dtype=bool)
    bits[ids] = True
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little") << offset


def _leaf_ids(matcher) -> np.ndarray:
    """All document numbers of a term's postings in one segment."""
    blocks = posting_blocks(matcher)
    if blocks is None:
        return np.fromiter(matcher.all_ids(), dtype=np.int64)
    parts = [ids for ids, _data, _m in blocks]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)


def phrase_groups(phrase) -> list[list[str]]:
    """The phrase's words grouped by position: a word's variants share its character range."""
    words, ranges = phrase.words, phrase.char_ranges
    if not ranges or len(ranges) != len(words):
        return [[word] for word in words]
    groups: list[list[str]] = []
    previous = None
    for word, span in zip(words, ranges, strict=True):
        if span == previous:
            groups[-1].append(word)
        else:
            groups.append([word])
        previous = span
    return groups


def phrase_mask(searcher, phrase, live: int) -> int:
    """Documents where the phrase's words occur in order, ``slop`` positions apart at most.

    Candidates are the documents having every word (bitsets). The positions of each word are
    arrays (formats.py), narrowed to the candidates and compared as (document, position) keys
    with numpy: no step per document. Variants of one word (accents, stems) are alternatives
    at the same position.
    """
    if phrase.fieldname not in searcher.schema:
        return 0
    field = searcher.schema[phrase.fieldname]
    if not field.format.supports("positions"):
        return 0
    groups = phrase_groups(phrase)
    candidates = live
    for group in groups:
        group_mask = 0
        for word in group:
            group_mask |= match_mask(searcher, wq.Term(phrase.fieldname, word), live)
        candidates &= group_mask
        if not candidates:
            return 0
    if len(groups) == 1:
        return candidates
    if not isinstance(field.format, PackedPositions):  # an index of another format
        return to_mask(searcher.docs_for_query(phrase)) & candidates
    size = searcher.doc_count_all()
    wanted = np.zeros(size, dtype=bool)
    wanted[mask_to_ids(candidates, size)] = True

    def keys(group: list[str]) -> np.ndarray:
        parts = []
        for word in group:
            docs, positions = term_positions(searcher, phrase.fieldname, field.to_bytes(word))
            chosen = wanted[docs]
            parts.append((docs[chosen] << _POSITION_BITS) | positions[chosen])
        return np.unique(np.concatenate(parts))

    starts = keys(groups[0])
    for group in groups[1:]:
        steps = [starts + step for step in range(1, phrase.slop + 1)]
        reachable = np.unique(np.concatenate(steps))
        starts = reachable[np.isin(reachable, keys(group), assume_unique=True)]
        if not len(starts):
            return 0
    return ids_mask(np.unique(starts >> _POSITION_BITS))


def live_mask(searcher) -> int:
    """Every document not deleted."""
    mask = 0
    for sub, offset in segments(searcher):
        reader = sub.reader()
        if reader.has_deletions():
            mask |= to_mask(reader.all_doc_ids()) << offset
        else:
            mask |= ((1 << reader.doc_count_all()) - 1) << offset
    return mask


def _term_mask_among(searcher, fieldname: str, text, live: int) -> int:
    """``term_mask(...) & live`` for a few live documents: looked up in the postings, without
    a bitset of the whole index."""
    ids = term_postings(searcher, fieldname, text)[0]
    if not len(ids):
        return 0
    wanted = mask_to_ids(live, searcher.doc_count_all())
    found = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    return ids_mask(wanted[ids[found] == wanted])


def term_mask(searcher, fieldname: str, text) -> int:
    return ids_mask(term_postings(searcher, fieldname, text)[0])


def match_mask(searcher, query, live: int) -> int:
    """The documents matching ``query``, as a bitset restricted to live documents."""
    if query is wq.NullQuery:
        return 0
    if isinstance(query, wq.Every):
        return live
    if isinstance(query, wq.Term):
        if query.fieldname not in searcher.schema:
            return 0
        try:
            text = searcher.schema[query.fieldname].to_bytes(query.text)
        except ValueError:
            return 0
        if live.bit_count() <= FEW:  # e.g. is one changed practice counted? (see matching())
            return _term_mask_among(searcher, query.fieldname, text, live)
        return term_mask(searcher, query.fieldname, text) & live
    if isinstance(query, wq.Or) and not query.minmatch:
        mask = 0
        for sub in query.subqueries:
            mask |= match_mask(searcher, sub, live)
        return mask
    if isinstance(query, wq.And):
        mask = live
        for sub in query.subqueries:
            mask &= match_mask(searcher, sub, live)
            if not mask:
                break
        return mask
    if isinstance(query, wq.AndNot):
        return match_mask(searcher, query.a, live) & ~match_mask(searcher, query.b, live)
    if isinstance(query, wq.AndMaybe):
        return match_mask(searcher, query.a, live)
    if isinstance(query, wq.Require):
        return match_mask(searcher, query.a, live) & match_mask(searcher, query.b, live)
    if isinstance(query, wq.Not):
        return live & ~match_mask(searcher, query.query, live)
    if isinstance(query, wq.Phrase):
        return phrase_mask(searcher, query, live)
    return to_mask(searcher.docs_for_query(query)) & live
