"""Filters and facet counts over bitsets, shared by searching and browsing.

Values of one dimension combine with OR, dimensions with AND; each dimension's counts are
taken under every *other* active filter, so a count tells how many practices that value would
show next to them. The per-value sets come from FacetSets (bitsets.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.query import And, NumericRange, Query

from kb.search.bitsets import match_mask
from kb.search.schema import FACET_FIELDS
from kb.values.filters import DIMENSIONS, Filters


def year_query(filters: Filters) -> Query | None:
    """Active in the period: started by ``year_to`` and not ended before ``year_from`` (an
    unknown start is indexed as 0, an unknown end as NO_END_YEAR)."""
    parts = []
    if filters.year_to is not None:
        parts.append(NumericRange("start_year", None, filters.year_to))
    if filters.year_from is not None:
        parts.append(NumericRange("end_year", filters.year_from, None))
    return And(parts) if parts else None


@dataclass
class Narrowing:
    """The masks of the active filters: the years, and each filtered dimension's union of
    value sets."""

    years: int
    dimensions: dict[str, int]

    @classmethod
    def of(cls, searcher, filters: Filters, sets: dict[str, dict[str, int]], live: int):
        years = year_query(filters)
        year_mask = match_mask(searcher, years, live) if years is not None else -1
        dimensions = {}
        for param, name in DIMENSIONS.items():
            values = getattr(filters, name)
            if values:
                mask = 0
                for value in values:
                    mask |= sets[param].get(str(value), 0)
                dimensions[param] = mask
        return cls(year_mask, dimensions)

    def apply(self, matches: int, skip: str | None = None) -> int:
        """``matches`` under every active filter but ``skip``'s."""
        mask = matches & self.years
        for param, dim_mask in self.dimensions.items():
            if param != skip:
                mask &= dim_mask
        return mask

    def counts(self, matches: int, sets: dict[str, dict[str, int]]) -> dict[str, dict]:
        """Per facet field, value -> documents of ``matches`` having it under the other
        filters (values with none left out; pillar values as numbers)."""
        facets = {}
        for param in FACET_FIELDS:
            base = self.apply(matches, skip=param)
            counts = {}
            if base:
                for value, mask in sets[param].items():
                    if n := (base & mask).bit_count():
                        counts[int(value) if param == "pillar" else value] = n
            facets[param] = counts
        return facets
