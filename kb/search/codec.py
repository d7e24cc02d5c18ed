"""Whoosh's W3 codec with its inlining of short posting lists working.

Whoosh means to store the postings of a rare term inside the term's entry instead of as a
block of the postings file (no block header, no separate compression, one read instead of
two), but its writer calls a method that does not exist (``set_inline`` for
``set_inlined``) and only inlines lists shorter than ``inlinelimit`` = 1, that is none. Most
terms of an index are rare (names, codes, unusual words), so this saves much of the time spent
writing postings. Reading inlined postings is Whoosh's own code.
"""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

# Terms with fewer documents than this keep their postings in the term's entry.
INLINE_LIMIT = 4


class InliningCodec(W3Codec):
    def __init__(self, blocklimit=128, compression=3, inlinelimit=INLINE_LIMIT):
        super().__init__(blocklimit, compression, inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )


class _PostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        terminfo = self._terminfo
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo.add_block(self)
        # A format without values (facets, ids) must still give bytes to a later merge,
        # where Whoosh's list matcher would give a str.
        values = self._values or [b""] * len(self._ids)
        terminfo.set_inlined(self._ids, self._weights, values)
        self._terminfo = None
        return terminfo
