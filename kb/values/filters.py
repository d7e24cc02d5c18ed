"""The catalogue's filters: one frozen value shared by the list, the search and their links."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

CORRIDOR_SLUG = re.compile(r"^[A-Z]{2}-[A-Z]{2}$")

# query parameter -> Filters attribute, for the repeatable filters
DIMENSIONS = {
    "theme": "themes",
    "pillar": "pillars",
    "region": "regions",
    "country": "countries",
    "corridor": "corridors",
    "actor": "actors",
    "implementation": "implementations",
    "sector": "sectors",
    "subdivision": "subdivisions",
    "women": "women",
}
# The one value of the "women" filter: practices with measures for women migrant workers.
WOMEN = "1"


@dataclass(frozen=True)
class Filters:
    themes: tuple[str, ...] = ()
    pillars: tuple[int, ...] = ()
    regions: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    corridors: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    implementations: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    subdivisions: tuple[str, ...] = ()
    women: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) not in ((), None) for f in fields(self))

    def without(self, param: str, value=None) -> Filters:
        """These filters minus one value of a parameter (or the whole parameter)."""
        if param in ("year_from", "year_to"):
            return replace(self, **{param: None})
        name = DIMENSIONS[param]
        kept = () if value is None else tuple(v for v in getattr(self, name) if v != value)
        return replace(self, **{name: kept})

    def with_value(self, param: str, value) -> Filters:
        name = DIMENSIONS[param]
        current = getattr(self, name)
        return self if value in current else replace(self, **{name: (*current, value)})

    def to_args(self) -> dict[str, list[str]]:
        """Query arguments that reproduce these filters (for links and the language switch)."""
        args: dict[str, list[str]] = {}
        for param, name in DIMENSIONS.items():
            if values := getattr(self, name):
                args[param] = [str(v) for v in values]
        for param in ("year_from", "year_to"):
            if (value := getattr(self, param)) is not None:
                args[param] = [str(value)]
        return args

    def chips(self) -> list[tuple[str, object]]:
        """Each active value as (parameter, value), in a stable order."""
        out = [(param, v) for param, name in DIMENSIONS.items() for v in getattr(self, name)]
        out += [(p, getattr(self, p)) for p in ("year_from", "year_to") if getattr(self, p)]
        return out
