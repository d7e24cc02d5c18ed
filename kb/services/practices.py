"""Reading published practices: filtering, facet counts, sorting, pages and details."""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, and_, distinct, func, literal, or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from kb.config import LANGUAGES
from kb.errors import NotFound, PageOutOfRange
from kb.extensions import db
from kb.models import (
    ActorType,
    Corridor,
    Country,
    Organisation,
    Practice,
    PracticeOrganisation,
    PracticeTranslation,
    Region,
    Sector,
    Status,
    Theme,
)
from kb.models.practice import (
    practice_corridor,
    practice_framework,
    practice_pillar,
    practice_sector,
    practice_subdivision,
    practice_theme,
)
from kb.models.queries import card_options, display_options, involvement
from kb.search import get_index
from kb.search.browse import browse
from kb.values.filters import DIMENSIONS, WOMEN, Filters
from kb.values.paging import Paginated

SORTS = ("title", "newest", "oldest", "reviewed")
DEFAULT_SORT = "title"


def _value_pairs(param: str):
    """A (practice_id, value) selectable for one filter dimension."""
    if param == "theme":
        return select(practice_theme.c.practice_id, Theme.slug.label("value")).join(
            Theme, Theme.id == practice_theme.c.theme_id
        )
    if param == "pillar":
        return select(practice_pillar.c.practice_id, practice_pillar.c.pillar_number.label("value"))
    if param == "corridor":
        slug = Corridor.origin_code + literal("-") + Corridor.destination_code
        return select(practice_corridor.c.practice_id, slug.label("value")).join(
            Corridor, Corridor.id == practice_corridor.c.corridor_id
        )
    if param == "country":
        inv = involvement()
        return select(inv.c.practice_id, inv.c.code.label("value"))
    if param == "region":
        inv = involvement()
        return (
            select(inv.c.practice_id, Region.slug.label("value"))
            .join(Country, Country.code == inv.c.code)
            .join(Region, Region.id == Country.region_id)
        )
    if param == "implementation":
        return select(
            Practice.id.label("practice_id"), Practice.implementation_status.label("value")
        )
    if param == "sector":
        return select(practice_sector.c.practice_id, Sector.slug.label("value")).join(
            Sector, Sector.id == practice_sector.c.sector_id
        )
    if param == "subdivision":
        return select(
            practice_subdivision.c.practice_id,
            practice_subdivision.c.subdivision_code.label("value"),
        )
    if param == "women":
        return select(Practice.id.label("practice_id"), literal(WOMEN).label("value")).where(
            Practice.addresses_women
        )
    if param == "actor":
        return (
            select(PracticeOrganisation.practice_id, ActorType.slug.label("value"))
            .join(Organisation, Organisation.id == PracticeOrganisation.organisation_id)
            .join(ActorType, ActorType.id == Organisation.actor_type_id)
        )
    raise ValueError(param)


def _conditions(filters: Filters, skip: str | None = None) -> list:
    conditions = [Practice.status == Status.published]
    for param, name in DIMENSIONS.items():
        values = getattr(filters, name)
        if values and param != skip:
            pairs = _value_pairs(param).subquery()
            conditions.append(
                Practice.id.in_(select(pairs.c.practice_id).where(pairs.c.value.in_(values)))
            )
    if filters.year_to is not None:
        conditions.append(
            or_(Practice.start_year.is_(None), Practice.start_year <= filters.year_to)
        )
    if filters.year_from is not None:
        conditions.append(or_(Practice.end_year.is_(None), Practice.end_year >= filters.year_from))
    return conditions


def matching(filters: Filters, skip: str | None = None) -> Select:
    """``SELECT practice.id`` of the published practices that pass the filters."""
    return select(Practice.id).where(and_(*_conditions(filters, skip)))


def facet_counts(filters: Filters) -> dict[str, dict]:
    """For each dimension, value -> number of practices matching it and every *other* filter.

    Values of one dimension combine with OR, dimensions with AND, so a count tells how many
    practices that value would show next to the other active filters.
    """
    counts = {}
    for param in DIMENSIONS:
        pairs = _value_pairs(param).subquery()
        rows = db.session.execute(
            select(pairs.c.value, func.count(distinct(pairs.c.practice_id)))
            .where(pairs.c.practice_id.in_(matching(filters, skip=param)))
            .group_by(pairs.c.value)
        )
        counts[param] = dict(rows.all())
    return counts


@dataclass(frozen=True)
class Page(Paginated):
    items: list[Practice]
    total: int
    number: int
    size: int


ORDERS = {
    "newest": (Practice.start_year.desc().nulls_last(), Practice.id),
    "oldest": (Practice.start_year.asc().nulls_last(), Practice.id),
    "reviewed": (Practice.last_reviewed.desc().nulls_last(), Practice.id),
}


def list_published(
    filters: Filters, lang: str, sort: str = DEFAULT_SORT, page: int = 1, size: int = 20
) -> Page:
    """One page of published practices passing ``filters``, loaded for display.

    Raises PageOutOfRange when ``page`` is past the last page.
    """
    ids = matching(filters)
    total = db.session.scalar(select(func.count()).select_from(ids.subquery()))
    pages = max(1, math.ceil(total / size))
    if page > pages:
        raise PageOutOfRange(page)
    query = select(Practice.id).where(Practice.id.in_(ids))
    if sort in ORDERS:
        order = ORDERS[sort]
    else:
        # Title in the page's language, else in the other one, as the cards show it.
        own, other = aliased(PracticeTranslation), aliased(PracticeTranslation)
        query = query.outerjoin(
            own, and_(own.practice_id == Practice.id, own.language == lang)
        ).outerjoin(other, and_(other.practice_id == Practice.id, other.language != lang))
        order = [func.lower(func.coalesce(own.title, other.title)), Practice.id]
    page_ids = list(
        db.session.scalars(query.order_by(*order).limit(size).offset((page - 1) * size))
    )
    return Page(load_published(page_ids), total, page, size)


def browse_published(
    filters: Filters,
    lang: str,
    sort: str = DEFAULT_SORT,
    page: int = 1,
    size: int = 20,
    cards: bool = True,
) -> tuple[Page, dict[str, dict]]:
    """One page of published practices passing ``filters``, and every facet count.

    Served from the index (bitsets and per-document columns, see kb.search.browse); when the
    index cannot be read (not built yet, or built by another version of the schema) the
    database answers instead, slower but the same. The index may lag behind the database by
    the time an edit takes to apply: anything no longer published is dropped from the page.
    Raises PageOutOfRange past the last page. With ``cards``, the practices are copies kept
    for cards (see published_cards); without, they are loaded in this request's session.
    """
    index = get_index()
    if not index.schema_is_current():
        return list_published(filters, lang, sort, page, size), facet_counts(filters)
    db.session.close()  # no connection held while the index answers, as for a search
    listing = browse(index, filters, lang, sort, page, size, stamps=cards)
    items = published_cards(listing.ids, listing.stamps) if cards else load_published(listing.ids)
    return Page(items, listing.total, page, size), listing.facets


CARDS_KEPT = 2048  # practices whose card data each process keeps
# The texts a card shows (a kept copy holds no body, results or limits).
CARD_TEXTS = ("language", "title", "summary")
_cards_lock = threading.Lock()


def published_cards(ids: list[int], stamps: dict[int, str]) -> list[Practice]:
    """The published practices among ``ids``, in that order, with what a card shows.

    Copies read for cards are kept, detached, while the stamp of their index document (which
    changes with any of a card's texts and links) stays the same; only the others are read,
    in one go and in a session of their own. One query of ids confirms that each is still
    published. The copies must only be read: they belong to no session.
    """
    if not ids:
        return []
    live = set(
        db.session.scalars(
            select(Practice.id).where(Practice.id.in_(ids), Practice.status == Status.published)
        )
    )
    kept = current_app.extensions.setdefault("kb.cards", OrderedDict())
    found, missing = {}, []
    with _cards_lock:
        for pid in ids:
            hit = kept.get(pid)
            if hit is not None and stamps.get(pid) is not None and hit[0] == stamps[pid]:
                kept.move_to_end(pid)
                found[pid] = hit[1]
            elif pid in live:
                missing.append(pid)
    if missing:
        with Session(db.engine, expire_on_commit=False) as session:
            rows = session.scalars(
                select(Practice)
                .where(Practice.id.in_(missing))
                .options(*card_options(texts=CARD_TEXTS))
            ).all()
        with _cards_lock:
            for practice in rows:
                found[practice.id] = practice
                if stamps.get(practice.id) is not None:
                    kept[practice.id] = (stamps[practice.id], practice)
            while len(kept) > CARDS_KEPT:
                kept.popitem(last=False)
    return [found[pid] for pid in ids if pid in found and pid in live]


def load_published(ids: list[int]) -> list[Practice]:
    """The published practices among ``ids``, in the order given, ready for a card list."""
    if not ids:
        return []
    rows = db.session.scalars(
        select(Practice)
        .where(Practice.id.in_(ids), Practice.status == Status.published)
        .options(*card_options())
    ).all()
    by_id = {p.id: p for p in rows}
    return [by_id[i] for i in ids if i in by_id]


def get_published(practice_id: int) -> Practice:
    """A published practice with everything its page shows. Raises NotFound otherwise."""
    practice = db.session.scalars(
        select(Practice)
        .where(Practice.id == practice_id, Practice.status == Status.published)
        .options(
            *display_options(),
            selectinload(Practice.frameworks),
            selectinload(Practice.sources),
            selectinload(Practice.evaluations),
            selectinload(Practice.organisation_links),
        )
    ).one_or_none()
    if practice is None:
        raise NotFound(practice_id)
    return practice


def related(practice: Practice, limit: int = 4) -> list[Practice]:
    """Published practices sharing the most themes, corridors and frameworks with ``practice``."""
    return load_published(related_ids(*relatedness(practice), limit=limit))


def relatedness(practice: Practice) -> tuple[int, list[int], list[int], list[str]]:
    """What ``related_ids`` reads of ``practice``: its id, themes, corridors and frameworks."""
    return (
        practice.id,
        [t.id for t in practice.themes],
        [c.id for c in practice.corridors],
        [f.key for f in practice.frameworks],
    )


def related_ids(
    practice_id: int,
    theme_ids: list[int],
    corridor_ids: list[int],
    framework_keys: list[str],
    limit: int = 4,
) -> list[int]:
    """The ids of the published practices that share the most with a practice of these themes,
    corridors and frameworks (a corridor counts 3, a theme 2, a framework 1; at least 2)."""
    theme_hits = select(
        practice_theme.c.practice_id.label("pid"), literal(2).label("weight")
    ).where(practice_theme.c.theme_id.in_(theme_ids))
    corridor_hits = select(
        practice_corridor.c.practice_id.label("pid"), literal(3).label("weight")
    ).where(practice_corridor.c.corridor_id.in_(corridor_ids))
    framework_hits = select(
        practice_framework.c.practice_id.label("pid"), literal(1).label("weight")
    ).where(practice_framework.c.framework_key.in_(framework_keys))
    hits = theme_hits.union_all(corridor_hits, framework_hits).subquery()
    score = func.sum(hits.c.weight)
    return list(
        db.session.scalars(
            select(hits.c.pid)
            .join(Practice, Practice.id == hits.c.pid)
            .where(
                hits.c.pid != practice_id,
                Practice.status == Status.published,
            )
            .group_by(hits.c.pid)
            .having(score > 1)
            .order_by(score.desc(), hits.c.pid)
            .limit(limit)
        ).all()
    )


__all__ = [
    "DEFAULT_SORT",
    "LANGUAGES",
    "SORTS",
    "Filters",
    "Page",
    "PageOutOfRange",
    "browse_published",
    "published_cards",
    "facet_counts",
    "get_published",
    "list_published",
    "load_published",
    "matching",
    "newest_published",
    "all_published_ids",
    "related",
    "related_ids",
    "relatedness",
]


def newest_published(filters: Filters, limit: int = 50) -> list[Practice]:
    """The latest publications passing ``filters``, newest first (for feeds)."""
    query = (
        select(Practice.id)
        .where(Practice.id.in_(matching(filters)))
        .order_by(Practice.published_at.desc().nulls_last(), Practice.id.desc())
        .limit(limit)
    )
    return load_published(list(db.session.scalars(query)))


def all_published_ids() -> list[tuple[int, str, datetime | None]]:
    """(id, slug, last change) of every published practice (for the sitemap)."""
    return list(
        db.session.execute(
            select(Practice.id, Practice.slug, Practice.updated_at)
            .where(Practice.status == Status.published)
            .order_by(Practice.id)
        )
    )
