"""Data to take away: every practice a list or a search counts, loaded in bulk as plain records
(the web layer writes them as CSV, XLSX or JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kb.errors import KbError
from kb.extensions import db
from kb.i18n import pick_text
from kb.models import Practice, Role
from kb.models.taxonomy import country_name
from kb.services import practices, search
from kb.values.filters import Filters

# Organisations in the order a reader looks for them: who runs it, who helps, who pays.
ROLE_ORDER = {role.value: position for position, role in enumerate(Role)}


class TooManyRows(KbError):
    """A selection larger than one download may hold."""

    def __init__(self, count: int, limit: int):
        super().__init__(f"{count} practices; a download holds at most {limit}")
        self.count = count
        self.limit = limit


@dataclass(frozen=True)
class Term:
    """A value of the taxonomy: its code (slug, ISO code, number) and its name in one language."""

    code: str
    name: str


@dataclass(frozen=True)
class Party:
    name: str
    acronym: str
    role: str  # a Role value


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Record:
    """One practice as a row of a download; names in the requested language."""

    id: int
    title_en: str
    title_es: str
    corridors: tuple[Term, ...]
    countries: tuple[Term, ...]
    subdivisions: tuple[Term, ...]
    themes: tuple[Term, ...]
    pillars: tuple[Term, ...]
    sectors: tuple[Term, ...]
    organisations: tuple[Party, ...]
    start_year: int | None
    start_year_approximate: bool
    end_year: int | None
    end_year_approximate: bool
    implementation_status: str  # an Implementation value
    addresses_women: bool
    evaluation_types: tuple[str | None, ...]  # EvaluationType values; None: kind not recorded
    sources: tuple[Reference, ...]
    last_reviewed: date | None


def listed(filters: Filters, lang: str, sort: str, limit: int) -> list[Record]:
    """Every published practice passing ``filters``, in the list page's ``sort`` order.

    Raises TooManyRows when more than ``limit`` practices pass (nothing is loaded then).
    """
    # The list page's own service: the same filters, the same order.
    total = practices.browse_published(filters, lang, sort, 1, 1)[0].total
    if total > limit:
        raise TooManyRows(total, limit)
    page, _facets = practices.browse_published(filters, lang, sort, 1, max(1, total), cards=False)
    return _records(page.items, lang)


def searched(text: str, lang: str, filters: Filters, sort: str, limit: int) -> list[Record]:
    """Every hit of the search ``text`` under ``filters``, in the search page's order, re-read
    from the database (a hit the index still holds but that is no longer published is left out).

    Raises TooManyRows when the search counts more than ``limit`` hits.
    """
    # The search page's own service, with a page as large as a download: the same reading of
    # the query, the same hits, the same order.
    result, items = search.search_practices(
        text, lang, filters, 1, max(1, limit), sort, snippets=False, cards=False
    )
    if result.total > limit:
        raise TooManyRows(result.total, limit)
    return _records(items, lang)


def _records(items: list[Practice], lang: str) -> list[Record]:
    """Records of ``items`` (loaded with card_options), in their order. What a card does not
    show is loaded here for all of them at once, in a few queries rather than one per practice."""
    if items:
        db.session.scalars(
            select(Practice)
            .where(Practice.id.in_([p.id for p in items]))
            .options(
                selectinload(Practice.organisation_links),
                selectinload(Practice.evaluations),
                selectinload(Practice.sources),
                selectinload(Practice.sectors),
                selectinload(Practice.subdivisions),
            )
        ).all()
    return [_record(p, lang) for p in items]


@lru_cache(maxsize=2048)
def _country(code: str, lang: str) -> str:
    """A country's name (Babel parses the locale on every call: 10,000 rows name many)."""
    return country_name(code, lang)


def _term(obj, code, lang: str, field: str = "name") -> Term:
    return Term(str(code), pick_text(obj, field, lang).value)


def _record(p: Practice, lang: str) -> Record:
    links = sorted(
        p.organisation_links,
        key=lambda link: (
            ROLE_ORDER.get(str(link.role), len(ROLE_ORDER)),
            pick_text(link.organisation, "name", lang).value.casefold(),
        ),
    )
    kinds = []
    for evaluation in p.evaluations:
        kind = evaluation.type.value if evaluation.type else None
        if kind not in kinds:
            kinds.append(kind)
    return Record(
        id=p.id,
        title_en=_title(p, "en"),
        title_es=_title(p, "es"),
        corridors=tuple(
            Term(
                c.slug,
                f"{_country(c.origin_code, lang)} → {_country(c.destination_code, lang)}",
            )
            for c in sorted(p.corridors, key=lambda c: c.slug)
        ),
        countries=tuple(
            Term(code, _country(code, lang)) for code in sorted(p.involved_country_codes)
        ),
        subdivisions=tuple(Term(s.code, s.name(lang)) for s in p.subdivisions),
        themes=tuple(_term(t, t.slug, lang) for t in p.themes),
        pillars=tuple(_term(pillar, pillar.number, lang, "short") for pillar in p.pillars),
        sectors=tuple(_term(s, s.slug, lang) for s in p.sectors),
        organisations=tuple(
            Party(
                name=pick_text(link.organisation, "name", lang).value,
                acronym=pick_text(link.organisation, "acronym", lang).value,
                role=str(link.role),
            )
            for link in links
        ),
        start_year=p.start_year,
        start_year_approximate=bool(p.start_year_approx),
        end_year=p.end_year,
        end_year_approximate=bool(p.end_year_approx),
        implementation_status=str(p.implementation_status),
        addresses_women=bool(p.addresses_women),
        evaluation_types=tuple(kinds),
        sources=tuple(Reference(s.title, s.url or "") for s in p.sources),
        last_reviewed=p.last_reviewed,
    )


def _title(p: Practice, lang: str) -> str:
    translation = p.translations.get(lang)
    return translation.title if translation else ""
