"""Positions stored as packed integers, so that a phrase reads them for thousands of documents
at once.

Whoosh's Positions format pickles each posting's list of position gaps: reading a phrase then
meant unpickling every candidate document's list in Python. Here a posting's value is one byte
giving the width (2, or 4 for a gap of 65,536 or more) followed by the little-endian gaps, and
``unpack`` turns a block's values into arrays with numpy in one pass. Whoosh's own matchers
read the format through ``decode_positions`` like any other.
"""

from __future__ import annotations

import sys
from array import array
from itertools import accumulate

import numpy as np
from whoosh.formats import Positions

_TYPES = {2: "H", 4: "I"}
_SWAP = sys.byteorder != "little"


def _pack(gaps: list[int], width: int) -> bytes:
    packed = array(_TYPES[width], gaps)
    if _SWAP:
        packed.byteswap()
    return bytes((width,)) + packed.tobytes()


class PackedPositions(Positions):
    def encode(self, poslist) -> bytes:
        gaps, base = [], 0
        for pos in poslist:
            gaps.append(pos - base)
            base = pos
        return _pack(gaps, 2 if max(gaps, default=0) < 65536 else 4)

    def decode_positions(self, value: bytes) -> list[int]:
        gaps = array(_TYPES[value[0]])
        gaps.frombytes(value[1:])
        if _SWAP:
            gaps.byteswap()
        return list(accumulate(gaps))

    def decode_frequency(self, value: bytes) -> int:
        return (len(value) - 1) // value[0]

    def decode_weight(self, value: bytes) -> float:
        return self.decode_frequency(value) * self.field_boost


def unpack(docs: np.ndarray, values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(document per position, position) for postings ``values`` of documents ``docs``."""
    if not values:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    joined = np.frombuffer(b"".join(values), dtype=np.uint8)
    starts = np.cumsum(lengths) - lengths
    if not (joined[starts] == 2).all():  # a rare wide posting: one at a time
        out = [(doc, pos) for doc, v in zip(docs, values, strict=True) for pos in _decode(v)]
        pairs = np.array(out, dtype=np.int64).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]
    keep = np.ones(len(joined), dtype=bool)
    keep[starts] = False
    gaps = joined[keep].view("<u2").astype(np.int64)
    counts = (lengths - 1) // 2
    running = np.cumsum(gaps)
    first = np.cumsum(counts) - counts  # index of each posting's first gap
    before = np.concatenate(([0], running))[first]  # the running sum before each posting
    return np.repeat(docs, counts), running - np.repeat(before, counts)


_FORMAT = PackedPositions()


def _decode(value: bytes) -> list[int]:
    return _FORMAT.decode_positions(value)
