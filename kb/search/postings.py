"""A term's postings as arrays, decoded once and shared by matching and ranking.

Reading a term's postings means unpickling and decompressing each of its blocks: for the
frequent words of a query that was most of a search's time, and matching and ranking read the
same terms. Decoded postings (document numbers and frequencies over the whole index) are kept
per index generation, the most recently used first, within a memory budget.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.matching import FilterMatcher

from kb.search.formats import unpack

BUDGET_BYTES = 32 * 2**20  # decoded postings kept per process
_EMPTY = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))


def segments(searcher):
    return searcher.subsearchers or [(searcher, 0)]


def posting_blocks(matcher):
    """(document numbers, block data, matcher) for each posting block of one segment's term,
    or None when the matcher is not Whoosh's on-disk one (postings kept with the term).

    Whoosh keeps each block's ids delta-encoded; decoding them with numpy avoids a Python step
    per posting. Deleted documents are not filtered here: callers intersect with the live
    documents.
    """
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not all(hasattr(matcher, a) for a in ("_read_data", "_next_block", "_byteids")):
        return None

    def blocks():
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw = np.asarray(matcher._data[0], dtype=np.int64)
            yield (raw if matcher._byteids else np.cumsum(raw)), matcher._data, matcher
            matcher._next_block()

    return blocks()


def leaf_postings(matcher) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, term frequencies) of one segment's postings of a term."""
    blocks = posting_blocks(matcher)
    if blocks is None:
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)
    id_parts, tf_parts = [], []
    for ids, data, block in blocks:
        id_parts.append(ids)
        weights = data[1]
        if weights is None or isinstance(weights, float):
            tf_parts.append(np.full(block._blocklength, weights or 1.0, dtype=np.float32))
        else:
            tf_parts.append(np.asarray(weights, dtype=np.float32))
    if not id_parts:
        return _EMPTY
    return np.concatenate(id_parts), np.concatenate(tf_parts)


class PostingsCache:
    """Decoded postings per (field, term) for one index generation, within a byte budget."""

    def __init__(self, budget: int = BUDGET_BYTES):
        self.budget = budget
        self._generation = None
        self._items: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, generation, key):
        with self._lock:
            if generation != self._generation:
                return None
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, generation, key, value) -> None:
        size = value[0].nbytes + value[1].nbytes
        if size > self.budget // 4:
            return  # one huge list would push out everything else
        with self._lock:
            if generation != self._generation:
                self._generation, self._items, self._bytes = generation, OrderedDict(), 0
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.budget and self._items:
                _key, (ids, tfs) = self._items.popitem(last=False)
                self._bytes -= ids.nbytes + tfs.nbytes


def term_postings(searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers over the whole index, frequencies) of a term; deleted documents
    included."""
    cache = getattr(searcher, "kb_postings", None)
    generation = searcher.reader().generation() if cache is not None else None
    key = (fieldname, btext)
    if cache is not None and (found := cache.get(generation, key)) is not None:
        return found
    ids, tfs = [], []
    for sub, offset in segments(searcher):
        reader = sub.reader()
        if key in reader:
            seg_ids, seg_tfs = leaf_postings(reader.postings(fieldname, btext))
            ids.append(seg_ids + offset)
            tfs.append(seg_tfs)
    if not ids:
        value = _EMPTY
    elif len(ids) == 1:
        value = (ids[0], tfs[0])
    else:
        value = (np.concatenate(ids), np.concatenate(tfs))
    if cache is not None:
        cache.put(generation, key, value)
    return value


def term_positions(searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document number per position, position) of every occurrence of a term over the whole
    index, for a field stored with PackedPositions; kept like the postings."""
    cache = getattr(searcher, "kb_postings", None)
    generation = searcher.reader().generation() if cache is not None else None
    key = ("positions", fieldname, btext)
    if cache is not None and (found := cache.get(generation, key)) is not None:
        return found
    docs, positions = [], []
    for sub, offset in segments(searcher):
        reader = sub.reader()
        if (fieldname, btext) not in reader:
            continue
        matcher = reader.postings(fieldname, btext)
        blocks = posting_blocks(matcher)
        if blocks is None:  # postings kept with the term: a handful
            values, ids = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                values.append(matcher.value())
                matcher.next()
            parts = [(np.array(ids, dtype=np.int64), values)]
        else:
            parts = [(ids, list(data[2])) for ids, data, _m in blocks]
        for ids, values in parts:
            seg_docs, seg_positions = unpack(ids + offset, values)
            docs.append(seg_docs)
            positions.append(seg_positions)
    value = (
        (np.concatenate(docs), np.concatenate(positions))
        if docs
        else (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    )
    if cache is not None:
        cache.put(generation, key, value)
    return value
