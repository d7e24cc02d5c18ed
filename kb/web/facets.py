"""The filter sidebar as data: each facet's values with their link, label and count.

Built in Python rather than in template macros: a list and a search page show a few hundred
facet values (every country and corridor), and a macro call per value cost about as much as
the rest of the page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from kb.i18n import current_language
from kb.models.taxonomy import country_name


@dataclass(frozen=True)
class FacetValue:
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
    raise ValueError(param)


def facet_groups(listing, facets: dict[str, dict], vocab) -> list[FacetGroup]:
    """The sidebar's groups in their order, each with the values worth showing: those with
    practices under the other filters, and the active ones."""
    from kb.web.helpers import filters_url, format_number

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
                target = filters.without(param, value)
            else:
                target = filters.with_value(param, value)
            items.append(
                FacetValue(
                    href=filters_url(target, sort=sort),
                    label=facet_label(param, value, vocab),
                    count=format_number(counts.get(value, 0)),
                    active=is_active,
                )
            )
        if items:
            groups.append(FacetGroup(param, title, items, position <= 3 or bool(active)))
    return groups
