"""Facet counting with bitsets: per facet value, the set of documents as a Python int.

Counting a value under a query is then ``(matches & value_set).bit_count()``: a few
microseconds whatever the number of documents, where ``groupedby`` over multi-valued fields
rebuilds a document-to-values table on every query (measured 5-7x slower).
"""

from __future__ import annotations

import threading

from kb.search.schema import FACET_FIELDS


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
        self._searcher_id = None
        self._sets: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def for_searcher(self, searcher) -> dict[str, dict[str, int]]:
        with self._lock:
            if self._searcher_id == id(searcher):
                return self._sets
            parts = searcher.subsearchers or [(searcher, 0)]
            combined: dict[str, dict[str, int]] = {name: {} for name in FACET_FIELDS}
            live = set()
            for sub, offset in parts:
                reader = sub.reader()
                segment = reader.segment()
                key = segment.segment_id() if segment is not None else None
                local = self._segments.get(key) if key else None
                if local is None:
                    local = self._read(reader)
                    if key:
                        self._segments[key] = local
                live.add(key)
                for name, values in local.items():
                    target = combined[name]
                    for value, mask in values.items():
                        target[value] = target.get(value, 0) | (mask << offset)
            self._segments = {k: v for k, v in self._segments.items() if k in live}
            self._searcher_id, self._sets = id(searcher), combined
            return combined

    @staticmethod
    def _read(reader) -> dict[str, dict[str, int]]:
        out = {}
        for name in FACET_FIELDS:
            out[name] = {
                value: to_mask(reader.postings(name, value).all_ids())
                for value in reader.field_terms(name)
            }
        return out
