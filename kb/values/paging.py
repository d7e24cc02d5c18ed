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
