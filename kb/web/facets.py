"""The filter sidebar as data: each facet's values with their link, label and count.

Built in Python rather than in template macros: a list and a search page show a few hundred
facet values (every country and corridor), and a macro call per value cost about as much as
the rest of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _

from kb.i18n import current_language
from kb.models.taxonomy import country_name
from kb.values.filters import DIMENSIONS


@dataclass(frozen=True)
class FacetValue:
    value: object
    href: str
    label: str
    count: str
    active: bool


@dataclass(frozen=True)
class FacetGroup:
    param: str
    title: str
    values: list[FacetValue]
    open: bool


def _by_count(counts: dict) -> list:
    return [value for value, _n in sorted(counts.items(), key=lambda kv: kv[1], reverse=True)]


def facet_label(param: str, value, vocab) -> str:
    """A filter value as the sidebar and the active-filter chips name it."""
    from kb.web.helpers import implementation_label, localised

    lang = current_language()
    if param == "theme":
        return localised(vocab.themes[value], "name")
    if param == "pillar":
        return f"{value}. {localised(vocab.pillars[value], 'short')}"
    if param == "region":
        return localised(vocab.regions[value], "name")
    if param == "country":
        return country_name(value, lang)
    if param == "corridor":
        return f"{country_name(value[:2], lang)} → {country_name(value[3:], lang)}"
    if param == "actor":
        return localised(vocab.actors[value], "name")
    if param == "implementation":
        return implementation_label(value)
    if param == "sector":
        return localised(vocab.sectors[value], "name")
    if param == "subdivision":
        return vocab.subdivisions[value].name(lang)
    if param == "women":
        return _("Addresses women migrant workers")
    if param == "year_from":
        return _("from {year}").format(year=value)
    if param == "year_to":
        return _("until {year}").format(year=value)
    raise ValueError(param)


class _Adding:
    """Links to this page with one more facet value: what ``filters_url`` gives for
    ``filters.with_value(param, value)``, built from the current query string's quoted pieces
    (the argument order of Filters.to_args, then the query, then the sort)."""

    ORDER = (*DIMENSIONS, "year_from", "year_to")

    def __init__(self, filters, sort: str):
        from kb.web.helpers import query_arg, quoted_pair, this_path

        self.path = this_path()
        self.pairs = [(k, quoted_pair(k, v)) for k, vs in filters.to_args().items() for v in vs]
        tail = [("q", v) for v in query_arg() or []] + ([("sort", sort)] if sort else [])
        self.tail = [quoted_pair(k, v) for k, v in tail]
        self.quoted = quoted_pair
        self._at: dict[str, int] = {}

    def _position(self, param: str) -> int:
        if param not in self._at:
            rank = self.ORDER.index(param)
            self._at[param] = sum(1 for k, _ in self.pairs if self.ORDER.index(k) <= rank)
        return self._at[param]

    def __call__(self, param: str, value) -> str:
        at = self._position(param)
        parts = [p for _k, p in self.pairs[:at]]
        parts += [self.quoted(param, str(value))] + [p for _k, p in self.pairs[at:]] + self.tail
        return f"{self.path}?{'&'.join(parts)}"


def facet_groups(listing, facets: dict[str, dict], vocab) -> list[FacetGroup]:
    """The sidebar's groups in their order, each with the values worth showing: those with
    practices under the other filters, and the active ones."""
    from kb.web.helpers import filters_url, formatted_number

    order = [
        ("theme", _("Theme"), "themes", list(vocab.themes)),
        ("pillar", _("Pillar"), "pillars", list(vocab.pillars)),
        ("region", _("Region"), "regions", list(vocab.regions)),
        ("actor", _("Actor type"), "actors", list(vocab.actors)),
        ("implementation", _("Implementation"), "implementations", list(vocab.implementations)),
        ("women", _("Women migrant workers"), "women", list(vocab.women)),
        ("sector", _("Sector"), "sectors", list(vocab.sectors)),
        ("subdivision", _("Province or state"), "subdivisions", list(vocab.subdivisions)),
        ("country", _("Country"), "countries", _by_count(facets["country"])),
        ("corridor", _("Corridor"), "corridors", _by_count(facets["corridor"])),
    ]
    filters, sort = listing.filters, listing.sort
    adding = _Adding(filters, sort)
    locale = str(get_locale())
    groups = []
    for position, (param, title, name, values) in enumerate(order, start=1):
        counts = facets[param]
        active = getattr(filters, name)
        items = []
        for value in values:
            is_active = value in active
            if not is_active and value not in counts:
                continue
            if is_active:
                href = filters_url(filters.without(param, value), sort=sort)
            else:
                href = adding(param, value)
            label = facet_label(param, value, vocab)
            count = formatted_number(counts.get(value, 0), locale)
            items.append(FacetValue(value, href, label, count, is_active))
        if items:
            groups.append(FacetGroup(param, title, items, position <= 3 or bool(active)))
    return groups
