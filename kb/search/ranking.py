"""Ranking a match set: BM25F over posting blocks with numpy, and highlighting the top hits.

Whoosh's collectors step a tree of matchers through every matching document in Python, which
was most of a search's time (about 240 ms a query at 10,000 practices). The match set is
already known as a bitset (see bitsets.py), so the ranking only needs, for each query term, its
postings and frequencies as arrays: the same BM25F formula and parameters as Whoosh's default
weighting, computed for all documents at once.
"""

from __future__ import annotations

import threading

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from kb.search.bitsets import mask_to_ids
from kb.search.postings import segments, term_postings

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults
MAX_EXPANSION = 64  # terms a prefix or wildcard may stand for in the ranking
_BYTE_LENGTHS = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def _segment_key(reader):
    segment = reader.segment()
    return segment.segment_id() if segment is not None else None


def segment_lengths(reader, fieldname: str) -> np.ndarray:
    """The length of ``fieldname`` in every document of one segment. Whoosh keeps them as a
    column of one byte per document: read at once, not one document at a time (0.5 s for a
    field at 10,000 practices, redone at every index generation)."""
    count = reader.doc_count_all()
    out = np.zeros(count, dtype=np.float32)
    try:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return out
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
    except AttributeError:  # another codec: one document at a time
        out[:] = [reader.doc_field_length(doc, fieldname, 0) or 0 for doc in range(count)]
        return out
    out[: len(raw)] = _BYTE_LENGTHS[raw[:count]]
    return out


class RankCache:
    """Per index generation: field lengths and start years as arrays over all documents.
    Lengths are kept per segment too, so a new generation reads only its new segments."""

    def __init__(self):
        self._generation = None
        self._lengths: dict[str, np.ndarray] = {}
        self._segment_lengths: dict[tuple, np.ndarray] = {}
        self._years: np.ndarray | None = None
        self._lock = threading.Lock()

    def _for(self, searcher) -> None:
        generation = searcher.reader().generation()
        if self._generation != generation:
            self._generation, self._lengths, self._years = generation, {}, None
            current = {_segment_key(sub.reader()) for sub, _offset in segments(searcher)}
            self._segment_lengths = {
                key: value for key, value in self._segment_lengths.items() if key[0] in current
            }

    def lengths(self, searcher, fieldname: str) -> np.ndarray:
        with self._lock:
            self._for(searcher)
            if fieldname not in self._lengths:
                out = np.zeros(searcher.doc_count_all(), dtype=np.float32)
                for sub, offset in segments(searcher):
                    reader = sub.reader()
                    key = (_segment_key(reader), fieldname)
                    local = self._segment_lengths.get(key) if key[0] else None
                    if local is None:
                        local = segment_lengths(reader, fieldname)
                        if key[0]:
                            self._segment_lengths[key] = local
                    out[offset : offset + len(local)] = local
                self._lengths[fieldname] = out
            return self._lengths[fieldname]

    def years(self, searcher) -> np.ndarray:
        with self._lock:
            self._for(searcher)
            if self._years is None:
                out = np.zeros(searcher.doc_count_all(), dtype=np.int32)
                for sub, offset in segments(searcher):
                    reader = sub.reader()
                    column = reader.column_reader("start_year")
                    out[offset : offset + reader.doc_count_all()] = list(column)
                self._years = out
            return self._years


def scored_terms(query, reader) -> list[tuple[str, str, float]]:
    """(field, text, boost) of every term that counts towards a document's score (a phrase by
    its words; negated parts not at all); also the terms a highlight marks."""
    out: list[tuple[str, str, float]] = []

    def walk(q, boost: float) -> None:
        if isinstance(q, wq.Term):
            out.append((q.fieldname, q.text, boost * q.boost))
        elif isinstance(q, wq.AndNot | wq.AndMaybe | wq.Require):
            walk(q.a, boost * q.boost)
            if isinstance(q, wq.AndMaybe | wq.Require):
                walk(q.b, boost * q.boost)
        elif isinstance(q, wq.Not):
            return
        elif isinstance(q, wq.Phrase):
            for word in q.words:
                out.append((q.fieldname, word, boost * q.boost))
        elif isinstance(q, wq.MultiTerm):
            try:
                texts = list(q._btexts(reader))[:MAX_EXPANSION]
            except Exception:  # noqa: BLE001 - an odd pattern ranks by the other terms
                texts = []
            for btext in texts:
                text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                out.append((q.fieldname, text, boost * q.boost))
        elif isinstance(q, wq.CompoundQuery):
            for sub in q.subqueries:
                walk(sub, boost * q.boost)

    walk(query, 1.0)
    return out


def rank(
    searcher,
    query,
    mask: int,
    limit: int,
    cache: RankCache,
    newest: bool = False,
    bonus=None,
    ties=None,
):
    """Document numbers of the best ``limit`` documents of ``mask`` for ``query`` (``bonus``:
    per document, added to its score; ``ties``: per document, what breaks equal scores, such
    as the practice id, so that the order does not depend on how the index was written)."""
    size = searcher.doc_count_all()
    candidates = mask_to_ids(mask, size)
    if not len(candidates):
        return []
    scores = np.zeros(size, dtype=np.float32)
    for fieldname, text, boost in scored_terms(query, searcher.reader()):
        if fieldname not in searcher.schema or not searcher.schema[fieldname].scorable:
            continue
        try:
            ids, tf = term_postings(searcher, fieldname, searcher.schema[fieldname].to_bytes(text))
        except ValueError:
            continue
        if not len(ids):
            continue
        fl = cache.lengths(searcher, fieldname)[ids]
        avgfl = searcher.avg_field_length(fieldname) or 1.0
        idf = searcher.idf(fieldname, text)
        scores[ids] += boost * idf * (tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))
    if bonus is not None:
        scores += bonus
    chosen = scores[candidates]
    tie = candidates if ties is None else ties[candidates]
    if newest:
        years = cache.years(searcher)[candidates]
        order = np.lexsort((tie, -chosen, -years))[:limit]
    elif len(candidates) > limit:
        # Every document scoring as high as the limit-th best, then the ties broken.
        threshold = np.partition(-chosen, limit - 1)[limit - 1]
        top = np.flatnonzero(-chosen <= threshold)
        order = top[np.lexsort((tie[top], -chosen[top]))][:limit]
    else:
        order = np.lexsort((tie, -chosen))
    return [int(doc) for doc in candidates[order]]
