"""Events, created and edited by editors: when (date, times, time zone), how (format,
languages), who organises, and an agenda of items with times, speakers and linked practices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select

from kb.errors import NotFound
from kb.extensions import db
from kb.i18n import pick_text
from kb.models import AgendaItem, Collection, Event, EventFormat, Organisation, Practice, Status
from kb.services.submissions import organisation_choices, slugify


@dataclass(frozen=True)
class AgendaInput:
    title_en: str
    title_es: str
    starts_at: time | None
    speakers: tuple[dict, ...]  # {"name", "organisation"}
    practice_ids: tuple[int, ...]


@dataclass(frozen=True)
class EventInput:
    title_en: str
    title_es: str
    description_en: str
    description_es: str
    starts_on: date
    start_time: time | None
    end_time: time | None
    time_zone: str
    format: str
    venue_en: str
    venue_es: str
    languages: tuple[str, ...]
    organisers: tuple[str, ...]  # organisation keys
    collection: str | None  # slug
    agenda: tuple[AgendaInput, ...]


def create(data: EventInput) -> Event:
    base = slugify(f"{data.title_en or data.title_es} {data.starts_on.year}", 70)
    slug, n = base, 1
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    event = Event(slug=slug)
    db.session.add(event)
    _apply(event, data)
    db.session.commit()
    return event


def update(slug: str, data: EventInput) -> Event:
    event = db.session.scalar(select(Event).filter_by(slug=slug))
    if event is None:
        raise NotFound(slug)
    _apply(event, data)
    db.session.commit()
    return event


def _apply(event: Event, data: EventInput) -> None:
    for name in (
        "title_en", "title_es", "description_en", "description_es", "starts_on", "start_time",
        "end_time", "time_zone", "venue_en", "venue_es",
    ):  # fmt: skip
        setattr(event, name, getattr(data, name))
    event.format = EventFormat(data.format)
    event.languages = ",".join(data.languages)
    event.organisers = list(
        db.session.scalars(select(Organisation).where(Organisation.key.in_(data.organisers)))
    )
    event.collection = (
        db.session.scalar(select(Collection).filter_by(slug=data.collection))
        if data.collection
        else None
    )
    event.agenda = [
        AgendaItem(
            position=n,
            title_en=item.title_en,
            title_es=item.title_es,
            starts_at=item.starts_at,
            speakers=list(item.speakers),
            practices=list(
                db.session.scalars(
                    select(Practice).where(
                        Practice.id.in_(item.practice_ids), Practice.status == Status.published
                    )
                )
            ),
        )
        for n, item in enumerate(data.agenda)
    ]


def form_choices(lang: str) -> dict:
    organisations = organisation_choices(lang)
    collections = [
        (c.slug, pick_text(c, "title", lang).value)
        for c in db.session.scalars(select(Collection).order_by(Collection.title_en))
    ]
    return {"organisations": organisations, "collections": collections}
