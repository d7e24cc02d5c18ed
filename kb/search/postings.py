"""A term's postings as arrays, decoded once and shared by matching and ranking.

Reading a term's postings means unpickling and decompressing each of its blocks: for the
frequent words of a query that was most of a search's time, and matching and ranking read the
same terms. Decoded postings are kept per segment (a segment's postings never change, and a
commit usually adds one small segment beside the big ones), the most recently used first,
within a memory budget; a search assembles the whole index's from its segments'.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from whoosh.matching import FilterMatcher

from kb.search.formats import unpack

BUDGET_BYTES = 32 * 2**20  # decoded postings kept per process
_EMPTY = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))
_NO_POSITIONS = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))


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
    """Decoded postings per (segment, field, term), within a byte budget. Deleted documents
    are in them (callers intersect with the live documents), so deletions leave them valid."""

    def __init__(self, budget: int = BUDGET_BYTES):
        self.budget = budget
        self._items: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value) -> None:
        size = _size(value)
        if size > self.budget // 4:
            return  # one huge list would push out everything else
        with self._lock:
            if key in self._items:
                return
            self._items[key] = value
            self._bytes += size
            while self._bytes > self.budget and self._items:
                _key, dropped = self._items.popitem(last=False)
                self._bytes -= _size(dropped)


def _size(value) -> int:
    return value[0].nbytes + value[1].nbytes + 200  # and the entry itself


def _segment_id(reader) -> str | None:
    """The segment's own id (it is never reused), or None for a reader of another kind."""
    segment = getattr(reader, "segment", None)
    found = segment() if callable(segment) else None
    return found.segment_id() if found is not None else None


def _kept(searcher, reader, key: tuple, read):
    """``read()`` for one segment's ``reader``, kept in the searcher's cache under ``key``
    (an absent term too, as an empty pair: a later search need not look it up again)."""
    cache = getattr(searcher, "kb_postings", None)
    segment = _segment_id(reader) if cache is not None else None
    if segment is None:
        return read()
    full_key = (segment, *key)
    found = cache.get(full_key)
    if found is None:
        found = read()
        cache.put(full_key, found)
    return found


def _whole_index(searcher, key: tuple, per_segment):
    """The whole index's arrays for ``key``: kept for this set of segments (the same searcher
    asks again), else assembled from the segments' kept ones, shifted to the index's numbers."""
    cache = getattr(searcher, "kb_postings", None)
    parts_of = segments(searcher)
    # The segments, in order, name the whole index's numbering (deletions leave it as it is).
    ids = tuple(_segment_id(sub.reader()) for sub, _offset in parts_of) if cache else ()
    whole_key = ("whole", ids, *key) if cache is not None and None not in ids else None
    if whole_key is not None and (found := cache.get(whole_key)) is not None:
        return found
    parts = []
    for sub, offset in parts_of:
        reader = sub.reader()
        first, second = _kept(searcher, reader, key, lambda reader=reader: per_segment(reader))
        if len(first):
            parts.append((first + offset if offset else first, second))
    value = _joined(parts, _EMPTY if key[0] == "postings" else _NO_POSITIONS)
    if whole_key is not None:
        cache.put(whole_key, value)
    return value


def _joined(parts: list[tuple[np.ndarray, np.ndarray]], empty) -> tuple[np.ndarray, np.ndarray]:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([a for a, _b in parts]), np.concatenate([b for _a, b in parts])


def term_postings(searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers over the whole index, frequencies) of a term; deleted documents
    included."""

    def read(reader):
        if (fieldname, btext) not in reader:
            return _EMPTY
        return leaf_postings(reader.postings(fieldname, btext))

    return _whole_index(searcher, ("postings", fieldname, btext), read)


def _segment_positions(reader, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    matcher = reader.postings(fieldname, btext)
    blocks = posting_blocks(matcher)
    if blocks is None:  # postings kept with the term: a handful
        values, ids = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.value())
            matcher.next()
        pieces = [(np.array(ids, dtype=np.int64), values)]
    else:
        pieces = [(ids, list(data[2])) for ids, data, _m in blocks]
    return _joined([unpack(ids, values) for ids, values in pieces], _NO_POSITIONS)


def term_positions(searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document number per position, position) of every occurrence of a term over the whole
    index, for a field stored with PackedPositions; kept like the postings."""

    def read(reader):
        if (fieldname, btext) not in reader:
            return _NO_POSITIONS
        return _segment_positions(reader, fieldname, btext)

    return _whole_index(searcher, ("positions", fieldname, btext), read)
