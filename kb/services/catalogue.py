"""Browsing the catalogue: vocabularies, counts, the corridor matrix and the coverage grid."""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import distinct, event, func, select
from sqlalchemy.orm import Session, selectinload

from kb.errors import NotFound
from kb.extensions import db
from kb.models import (
    ActorType,
    AgendaItem,
    Collection,
    CollectionItem,
    Corridor,
    Country,
    Event,
    Framework,
    Implementation,
    Organisation,
    Pillar,
    Practice,
    Region,
    Sector,
    Status,
    Subdivision,
    Theme,
    Visibility,
)
from kb.models.practice import practice_corridor, practice_pillar, practice_theme
from kb.models.queries import involvement
from kb.services.practices import load_published
from kb.values.filters import WOMEN


@dataclass(frozen=True)
class Vocabulary:
    """Everything a filter value can name, keyed the way the URL names it."""

    themes: dict[str, Theme]
    pillars: dict[int, Pillar]
    regions: dict[str, Region]
    countries: dict[str, Country]
    corridors: dict[str, Corridor]
    actors: dict[str, ActorType]
    sectors: dict[str, Sector]
    subdivisions: dict[str, Subdivision]
    implementations: tuple[str, ...] = tuple(status.value for status in Implementation)
    women: tuple[str, ...] = (WOMEN,)


VOCABULARY_MODELS = (Theme, Pillar, Region, Country, Corridor, ActorType, Sector, Subdivision)
# Another process's change to the vocabulary shows after at most this many seconds; this
# process's own changes show at once (the listener below drops the cache on commit).
VOCABULARY_TTL = 10.0
_CACHE = "kb.vocabulary"
_CHANGED = "kb.vocabulary_changed"
_lock = threading.Lock()


def vocabulary() -> Vocabulary:
    """Every filter value, read once and kept for VOCABULARY_TTL seconds.

    Nearly every page names filter values; reading them was eight queries per request. The
    objects are read in a session of their own and kept detached: their columns stay
    readable from any thread, and no request's session holds them.
    """
    cache = current_app.extensions.setdefault(_CACHE, {"at": None, "value": None})
    with _lock:
        if cache["at"] is not None and time.monotonic() - cache["at"] < VOCABULARY_TTL:
            return cache["value"]
    with Session(db.engine, expire_on_commit=False) as session:
        value = _read_vocabulary(session)
    with _lock:
        cache.update(at=time.monotonic(), value=value)
    return value


def _read_vocabulary(session: Session) -> Vocabulary:
    def rows(model, *order):
        return session.scalars(select(model).order_by(*order))

    return Vocabulary(
        themes={t.slug: t for t in rows(Theme, Theme.position)},
        pillars={p.number: p for p in rows(Pillar, Pillar.number)},
        regions={r.slug: r for r in rows(Region, Region.position)},
        countries={c.code: c for c in rows(Country)},
        corridors={c.slug: c for c in rows(Corridor)},
        actors={a.slug: a for a in rows(ActorType, ActorType.position)},
        sectors={s.slug: s for s in rows(Sector, Sector.position)},
        subdivisions={s.code: s for s in rows(Subdivision, Subdivision.code)},
    )


def forget_vocabulary() -> None:
    if has_app_context():
        current_app.extensions.pop(_CACHE, None)


# Counts of published practices (home, themes, pillars, corridors, API), summed over the whole
# catalogue: kept like the vocabulary, and dropped by any commit of this process that wrote.
_COUNTS = "kb.counts"
_WROTE = "kb.counts_changed"


def kept_counts(read):
    """``read()`` (no arguments, returns plain numbers) kept per app for VOCABULARY_TTL s."""

    @functools.wraps(read)
    def kept():
        cache = current_app.extensions.setdefault(_COUNTS, {})
        with _lock:
            hit = cache.get(read.__name__)
            if hit is not None and time.monotonic() - hit[0] < VOCABULARY_TTL:
                return hit[1]
        value = read()
        with _lock:
            cache[read.__name__] = (time.monotonic(), value)
        return value

    return kept


def _after_flush(session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, VOCABULARY_MODELS) for obj in changed):
        session.info[_CHANGED] = True
    if changed:
        session.info[_WROTE] = True


def _after_commit(session) -> None:
    if session.info.pop(_CHANGED, False):
        forget_vocabulary()
    if session.info.pop(_WROTE, False) and has_app_context():
        current_app.extensions.pop(_COUNTS, None)


def install(session_class) -> None:
    """Drop the cached vocabulary when a commit of this process changes it."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "after_commit", _after_commit)


def _published(column):
    return column.in_(select(Practice.id).where(Practice.status == Status.published))


@kept_counts
def counts_by_theme() -> dict[int, int]:
    rows = db.session.execute(
        select(practice_theme.c.theme_id, func.count())
        .where(_published(practice_theme.c.practice_id))
        .group_by(practice_theme.c.theme_id)
    )
    return dict(rows.all())


@kept_counts
def counts_by_pillar() -> dict[int, int]:
    rows = db.session.execute(
        select(practice_pillar.c.pillar_number, func.count())
        .where(_published(practice_pillar.c.practice_id))
        .group_by(practice_pillar.c.pillar_number)
    )
    return dict(rows.all())


@kept_counts
def coverage_grid() -> dict[tuple[int, int], int]:
    """(pillar number, theme id) -> number of published practices under both."""
    rows = db.session.execute(
        select(practice_pillar.c.pillar_number, practice_theme.c.theme_id, func.count())
        .join(practice_theme, practice_theme.c.practice_id == practice_pillar.c.practice_id)
        .where(_published(practice_pillar.c.practice_id))
        .group_by(practice_pillar.c.pillar_number, practice_theme.c.theme_id)
    )
    return {(pillar, theme): n for pillar, theme, n in rows}


@kept_counts
def counts_by_corridor() -> dict[int, int]:
    rows = db.session.execute(
        select(practice_corridor.c.corridor_id, func.count())
        .where(_published(practice_corridor.c.practice_id))
        .group_by(practice_corridor.c.corridor_id)
    )
    return dict(rows.all())


@dataclass(frozen=True)
class CorridorMatrix:
    origins: list[str]
    destinations: list[str]
    cells: dict[tuple[str, str], int]
    corridors: list[tuple[Corridor, int]]

    @functools.cached_property
    def max_count(self) -> int:
        return max(self.cells.values(), default=0)


def corridor_matrix() -> CorridorMatrix:
    """Every corridor with published practices, as origin x destination counts."""
    counts = counts_by_corridor()
    corridors = [
        (c, counts[c.id]) for c in db.session.scalars(select(Corridor)) if counts.get(c.id)
    ]
    cells = {(c.origin_code, c.destination_code): n for c, n in corridors}
    return CorridorMatrix(
        origins=sorted({o for o, _ in cells}),
        destinations=sorted({d for _, d in cells}),
        cells=cells,
        corridors=sorted(corridors, key=lambda pair: (-pair[1], pair[0].slug)),
    )


def get_corridor(slug: str) -> Corridor:
    origin, _, destination = slug.partition("-")
    corridor = db.session.scalars(
        select(Corridor).filter_by(origin_code=origin, destination_code=destination)
    ).one_or_none()
    if corridor is None:
        raise NotFound(slug)
    return corridor


@dataclass(frozen=True)
class CountryOverview:
    country: Country
    as_origin: list[tuple[Corridor, int]]
    as_destination: list[tuple[Corridor, int]]
    practices: list[Practice]
    organisations: list[Organisation]


def country_overview(code: str) -> CountryOverview:
    """A country's corridors in each direction and the practices that involve it."""
    country = db.session.get(Country, code)
    if country is None:
        raise NotFound(code)
    counts = counts_by_corridor()
    corridors = db.session.scalars(
        select(Corridor).where((Corridor.origin_code == code) | (Corridor.destination_code == code))
    ).all()
    pairs = [(c, counts[c.id]) for c in corridors if counts.get(c.id)]
    inv = involvement()
    ids = db.session.scalars(
        select(inv.c.practice_id)
        .where(inv.c.code == code, _published(inv.c.practice_id))
        .distinct()
    ).all()
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.country_code == code, Organisation.is_listed)
        .order_by(Organisation.name_en)
    ).all()
    return CountryOverview(
        country=country,
        as_origin=sorted((p for p in pairs if p[0].origin_code == code), key=lambda p: -p[1]),
        as_destination=sorted(
            (p for p in pairs if p[0].destination_code == code), key=lambda p: -p[1]
        ),
        practices=load_published(sorted(ids)),
        organisations=list(organisations),
    )


@kept_counts
def involved_country_counts() -> dict[str, int]:
    """ISO2 code -> number of published practices involving the country."""
    inv = involvement()
    rows = db.session.execute(
        select(inv.c.code, func.count(distinct(inv.c.practice_id)))
        .where(_published(inv.c.practice_id))
        .group_by(inv.c.code)
    )
    return dict(rows.all())


def get_theme(slug: str) -> Theme:
    theme = db.session.scalars(select(Theme).filter_by(slug=slug)).one_or_none()
    if theme is None:
        raise NotFound(slug)
    return theme


def get_pillar(number: int) -> Pillar:
    pillar = db.session.get(Pillar, number)
    if pillar is None:
        raise NotFound(number)
    return pillar


def featured_collections() -> list[tuple[Collection, int]]:
    published = CollectionItem.practice_id.in_(
        select(Practice.id).where(Practice.status == Status.published)
    )
    rows = db.session.execute(
        select(Collection, func.count(CollectionItem.practice_id))
        .outerjoin(CollectionItem, (CollectionItem.collection_id == Collection.id) & published)
        .where(Collection.is_featured.is_(True), Collection.visibility == Visibility.public)
        .group_by(Collection.id)
        .order_by(Collection.title_en)
    )
    return [(c, n) for c, n in rows]


def get_event(slug: str, show_drafts: bool = False) -> tuple[Event, list[Practice]]:
    """An event, and the practices of its collection (none when the collection is a draft
    and ``show_drafts`` is false: a draft is for editors only)."""
    event = db.session.scalars(
        select(Event)
        .filter_by(slug=slug)
        .options(
            selectinload(Event.organisers),
            # The agenda's linked practices, loaded here rather than one query per item.
            selectinload(Event.agenda).selectinload(AgendaItem.practices),
        )
    ).one_or_none()
    if event is None:
        raise NotFound(slug)
    practices = []
    collection = event.collection
    if collection is not None and (show_drafts or collection.visibility != Visibility.draft):
        practices = load_published([item.practice_id for item in collection.items])
    return event, practices


def frameworks() -> list[Framework]:
    """The international and national frameworks practices refer to, in their usual order."""
    return list(db.session.scalars(select(Framework).order_by(Framework.position, Framework.key)))


def list_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.starts_on.desc())))


@dataclass(frozen=True)
class Stats:
    practices: int
    corridors: int
    countries: int
    organisations: int


@kept_counts
def stats() -> Stats:
    practices = db.session.scalar(
        select(func.count()).select_from(Practice).where(Practice.status == Status.published)
    )
    return Stats(
        practices=practices,
        corridors=len(counts_by_corridor()),
        countries=len(involved_country_counts()),
        organisations=db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.is_listed)
        ),
    )


def recently_published(limit: int = 4) -> list[Practice]:
    ids = db.session.scalars(
        select(Practice.id)
        .where(Practice.status == Status.published)
        .order_by(Practice.published_at.desc(), Practice.id.desc())
        .limit(limit)
    ).all()
    return load_published(list(ids))
