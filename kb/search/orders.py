"""The orders of a browsed list, from per-document columns of the index.

The columns (practice id, start year, last review, title keys) are read once per segment (a
commit usually adds one small segment); each order is computed once per index generation, as
each document's position in it, so a page is a partial sort of the filtered documents'
positions.
"""

from __future__ import annotations

import threading

import numpy as np

from kb.search.bitsets import segments
from kb.search.schema import LANGS

SORTS = ("title", "newest", "oldest", "reviewed")
_NUMERIC = ("pid", "start_year", "reviewed")
_LAST = np.iinfo(np.int64).max  # unknown years and review dates sort last


class Orders:
    """Per index generation: each document's position in each order.

    Columns are cached per segment (a commit usually adds one small segment), the orders per
    generation.
    """

    def __init__(self):
        self._segments: dict[str, dict[str, object]] = {}
        self._generation = None
        self._orders: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()

    def _current(self, searcher) -> dict[str, np.ndarray]:
        generation = searcher.reader().generation()
        if generation != self._generation or self._columns is None:
            self._columns = self._read(searcher)
            self._generation, self._orders = generation, {}
        return self._columns

    def pids(self, searcher) -> np.ndarray:
        """Document number -> practice id."""
        with self._lock:
            return self._current(searcher)["pid"]

    def position(self, searcher, sort: str, lang: str) -> np.ndarray:
        """Document number -> rank in the order ``sort`` (titles in ``lang``)."""
        key = f"title_{lang}" if sort == "title" else sort
        with self._lock:
            columns = self._current(searcher)
            if key not in self._orders:
                self._orders[key] = self._rank(columns, sort, lang)
            return self._orders[key]

    def _read(self, searcher) -> dict[str, np.ndarray]:
        parts: dict[str, list] = {name: [] for name in (*_NUMERIC, *(f"sort_{c}" for c in LANGS))}
        current = set()
        for sub, _offset in segments(searcher):
            reader = sub.reader()
            segment = reader.segment()
            seg_id = segment.segment_id() if segment is not None else None
            cached = self._segments.get(seg_id) if seg_id else None
            if cached is None:
                cached = {name: list(reader.column_reader(name)) for name in parts}
                if seg_id:
                    self._segments[seg_id] = cached
            current.add(seg_id)
            for name, values in cached.items():
                parts[name].extend(values)
        self._segments = {k: v for k, v in self._segments.items() if k in current}
        out = {name: np.array(parts[name], dtype=np.int64) for name in _NUMERIC}
        for code in LANGS:
            out[f"sort_{code}"] = np.array(parts[f"sort_{code}"], dtype=object)
        return out

    @staticmethod
    def _rank(columns: dict[str, np.ndarray], sort: str, lang: str) -> np.ndarray:
        pid = columns["pid"]
        if sort == "title":
            keys = columns[f"sort_{lang}"].astype(bytes)
            order = np.lexsort((pid, keys))
        else:
            column = columns["start_year" if sort in ("newest", "oldest") else "reviewed"]
            if sort == "oldest":
                primary = np.where(column > 0, column, _LAST)
            else:  # the most recent first
                primary = np.where(column > 0, -column, _LAST)
            order = np.lexsort((pid, primary))
        position = np.empty(len(order), dtype=np.int64)
        position[order] = np.arange(len(order))
        return position
