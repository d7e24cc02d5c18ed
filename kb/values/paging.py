"""What every paginated list shows: how many pages, and which items this page holds."""

from __future__ import annotations

import math


class Paginated:
    """For a dataclass with ``total``, ``size`` and ``number`` (the page, from 1)."""

    total: int
    size: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.number * self.size)

    def window(self, around: int = 2) -> list[int | None]:
        """The page numbers a pager links to: the first, the last and ``around`` on either
        side of this one, with None where pages are left out (a list of 2,500 pages links to
        at most nine)."""
        shown = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        out: list[int | None] = []
        for n in sorted(n for n in shown if 1 <= n <= self.pages):
            if out and n - out[-1] > 1:
                out.append(n - 1 if n - out[-1] == 2 else None)  # one page left out: link it
            out.append(n)
        return out
