"""Proposing and editing entries through the site: drafts by contributors, edits by editors
(an edit to a published practice goes live as a new version)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.orm import selectinload

from kb.db import utcnow
from kb.extensions import db
from kb.i18n import pick_text
from kb.models import (
    ActorType,
    AuditEvent,
    Comment,
    Corridor,
    Country,
    Evaluation,
    EvaluationType,
    Framework,
    Implementation,
    Notification,
    Organisation,
    Pillar,
    Practice,
    PracticeOrganisation,
    PracticeTranslation,
    Role,
    Scope,
    Sector,
    Source,
    Status,
    Subdivision,
    TextOrigin,
    Theme,
    User,
)
from kb.models.taxonomy import country_name
from kb.services.moderation import (
    NotAllowed,
    check_fresh,
    load,
    may_edit,
    publish_version,
    unit_of_work,
)


@dataclass(frozen=True)
class TextInput:
    title: str
    summary: str
    body: str
    results: str = ""
    limits: str = ""
    gender: str = ""


@dataclass(frozen=True)
class OrganisationInput:
    key: str | None  # an existing organisation, else a new one by name
    name: str
    actor_type: str | None
    country: str | None
    role: str


@dataclass(frozen=True)
class SourceInput:
    title: str
    publisher: str
    year: int | None
    url: str


@dataclass(frozen=True)
class PracticeInput:
    texts: dict[str, TextInput]  # the languages that have a text
    themes: tuple[str, ...]
    sectors: tuple[str, ...]
    addresses_women: bool
    pillars: tuple[int, ...]
    corridors: tuple[tuple[str, str], ...]
    countries: tuple[str, ...]
    subdivisions: tuple[str, ...]
    scope: str
    start_year: int | None
    end_year: int | None
    implementation: str
    evaluation_type: str  # "" when none is known
    evaluation_source: str
    organisations: tuple[OrganisationInput, ...]
    sources: tuple[SourceInput, ...]
    frameworks: tuple[str, ...]


def slugify(text: str, limit: int = 80) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:limit].strip("-") or "practice"


def create_draft(data: PracticeInput, author: User) -> Practice:
    """A new entry in ``draft``, owned by ``author``."""
    with unit_of_work():
        practice = Practice(status=Status.draft, submitted_by_id=author.id)
        db.session.add(practice)
        _apply(practice, data)
        db.session.flush()
        _audit(practice, author, "create", None)
    return practice


def update(practice_id: int, data: PracticeInput, editor: User, seen_version: int) -> Practice:
    """Save an edit. The submitter edits a draft or an entry sent back for changes; editors
    edit any entry, and an edit to a published practice is published as a new version.
    Raises NotAllowed or Conflict (nothing written)."""
    with unit_of_work():
        practice = load(practice_id)
        if not may_edit(editor, practice):
            raise NotAllowed("edit")
        check_fresh(practice, seen_version)
        _apply(practice, data)
        practice.updated_at = utcnow()
        db.session.flush()
        if practice.status == Status.published:
            publish_version(practice, editor)
        _audit(practice, editor, "edit", practice.status)
    return practice


def _audit(practice: Practice, actor: User, action: str, origin: Status | None) -> None:
    db.session.add(
        AuditEvent(
            practice_id=practice.id,
            actor_id=actor.id,
            action=action,
            from_status=str(origin) if origin else None,
            to_status=str(practice.status),
        )
    )


def _apply_evaluation(practice: Practice, data: PracticeInput) -> None:
    """The form edits the first evaluation; any others (from the seeds) are kept."""
    others = practice.evaluations[1:]
    if not data.evaluation_type:
        practice.evaluations = others
        return
    first = practice.evaluations[0] if practice.evaluations else Evaluation()
    first.type = EvaluationType(data.evaluation_type)
    if first.title != data.evaluation_source:
        first.title, first.publisher, first.year, first.url = (
            data.evaluation_source,
            None,
            None,
            None,
        )
    practice.evaluations = [first, *others]
    for position, evaluation in enumerate(practice.evaluations):
        evaluation.position = position


def _by_keys(model, column, keys) -> list:
    if not keys:
        return []
    found = {
        getattr(row, column.key): row
        for row in db.session.scalars(select(model).where(column.in_(keys)))
    }
    return [found[key] for key in keys if key in found]


def _apply(practice: Practice, data: PracticeInput) -> None:
    """Make ``practice`` say what ``data`` says (the form checked every value beforehand)."""
    first = next(iter(data.texts.values()))
    practice.slug = slugify(first.title)
    for lang, text in data.texts.items():
        row = practice.translations.get(lang)
        if row is None:
            row = PracticeTranslation(language=lang, text_origin=TextOrigin.original)
            practice.translations[lang] = row
        row.title, row.summary, row.body = text.title, text.summary, text.body
        row.results, row.limits, row.gender = text.results, text.limits, text.gender
    for lang in list(practice.translations):
        if lang not in data.texts:
            del practice.translations[lang]
    practice.scope = Scope(data.scope)
    practice.start_year, practice.end_year = data.start_year, data.end_year
    practice.implementation_status = Implementation(data.implementation)
    _apply_evaluation(practice, data)
    practice.addresses_women = data.addresses_women
    practice.themes = _by_keys(Theme, Theme.slug, data.themes)
    practice.sectors = _by_keys(Sector, Sector.slug, data.sectors)
    practice.pillars = _by_keys(Pillar, Pillar.number, data.pillars)
    practice.subdivisions = _by_keys(Subdivision, Subdivision.code, data.subdivisions)
    # A province or state is in its country: the country is listed with it.
    codes = dict.fromkeys([*data.countries, *(code[:2] for code in data.subdivisions)])
    practice.countries = _by_keys(Country, Country.code, list(codes))
    practice.frameworks = _by_keys(Framework, Framework.key, data.frameworks)
    practice.corridors = [_corridor(origin, destination) for origin, destination in data.corridors]
    practice.organisation_links = [
        PracticeOrganisation(organisation=_organisation(o), role=Role(o.role))
        for o in _unique_links(data.organisations)
    ]
    practice.sources = [
        Source(
            position=n, title=s.title, publisher=s.publisher or None, year=s.year, url=s.url or None
        )
        for n, s in enumerate(data.sources)
    ]


def _corridor(origin: str, destination: str) -> Corridor:
    corridor = db.session.scalar(
        select(Corridor).where(
            Corridor.origin_code == origin, Corridor.destination_code == destination
        )
    )
    if corridor is None:
        corridor = Corridor(origin_code=origin, destination_code=destination)
        db.session.add(corridor)
    return corridor


def _unique_links(items):
    seen = set()
    for item in items:
        key = (item.key or item.name.strip().lower(), item.role)
        if key not in seen:
            seen.add(key)
            yield item


def _organisation(item: OrganisationInput) -> Organisation:
    if item.key:
        existing = db.session.scalar(select(Organisation).where(Organisation.key == item.key))
        if existing is not None:
            return existing
    base = slugify(item.name, 60)
    key, n = base, 1
    while db.session.scalar(select(Organisation.id).where(Organisation.key == key)) is not None:
        n += 1
        key = f"{base}-{n}"
    actor = db.session.scalar(select(ActorType).where(ActorType.slug == item.actor_type))
    organisation = Organisation(
        key=key,
        name_en=item.name,
        name_es=item.name,
        actor_type=actor,
        country_code=item.country,
        is_listed=False,
    )
    db.session.add(organisation)
    db.session.flush()
    return organisation


def _collation_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def organisation_choices(lang: str) -> list[tuple[str, str]]:
    """The listed organisations as (key, "Name (ACRONYM)"), in ``lang``'s alphabetical order."""

    def name(obj, field="name"):
        return pick_text(obj, field, lang).value

    return sorted(
        (
            (o.key, name(o) + (f" ({name(o, 'acronym')})" if name(o, "acronym") else ""))
            for o in db.session.scalars(select(Organisation).where(Organisation.is_listed))
        ),
        key=lambda pair: _collation_key(pair[1]),
    )


def form_choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    """The vocabularies the practice form offers, labelled and ordered in ``lang``."""

    def name(obj, field="name"):
        return pick_text(obj, field, lang).value

    countries = sorted(
        ((c, country_name(c, lang)) for c in db.session.scalars(select(Country.code))),
        key=lambda pair: _collation_key(pair[1]),
    )
    organisations = organisation_choices(lang)
    frameworks = db.session.scalars(select(Framework).order_by(Framework.kind, Framework.position))
    kinds = {"gpog": "GP", "gcm": "GCM", "sdg": "SDG"}
    return {
        "themes": [
            (t.slug, name(t)) for t in db.session.scalars(select(Theme).order_by(Theme.position))
        ],
        "sectors": [
            (s.slug, name(s)) for s in db.session.scalars(select(Sector).order_by(Sector.position))
        ],
        "pillars": [
            (p.number, f"{p.number}. {name(p)}")
            for p in db.session.scalars(select(Pillar).order_by(Pillar.number))
        ],
        "countries": countries,
        "subdivisions": [
            (s.code, f"{s.name(lang)} ({country_name(s.country_code, lang)})")
            for s in db.session.scalars(select(Subdivision).order_by(Subdivision.code))
        ],
        "organisations": organisations,
        "actor_types": [
            (a.slug, name(a))
            for a in db.session.scalars(select(ActorType).order_by(ActorType.position))
        ],
        "frameworks": [
            (f.key, f"{kinds[f.kind]} {f.code}: {name(f, 'title')}") for f in frameworks
        ],
    }


def input_from(practice: Practice) -> dict:
    """The form's data for an existing entry (what the edit form starts from)."""
    data = {
        "lock_version": practice.lock_version,
        "themes": [t.slug for t in practice.themes],
        "pillars": [p.number for p in practice.pillars],
        "countries": [c.code for c in practice.countries],
        "subdivisions": [s.code for s in practice.subdivisions],
        "frameworks": [f.key for f in practice.frameworks],
        "scope": str(practice.scope),
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "implementation": str(practice.implementation_status),
        "sectors": [s.slug for s in practice.sectors],
        "addresses_women": practice.addresses_women,
        "evaluation_type": str(practice.evaluations[0].type or "") if practice.evaluations else "",
        "evaluation_source": practice.evaluations[0].title if practice.evaluations else "",
        "corridors": [
            {"origin": c.origin_code, "destination": c.destination_code} for c in practice.corridors
        ],
        "organisations": [
            {"existing": link.organisation.key, "role": str(link.role)}
            for link in practice.organisation_links
        ],
        "sources": [
            {"title": s.title, "publisher": s.publisher or "", "year": s.year, "url": s.url or ""}
            for s in practice.sources
        ],
    }
    for lang, t in practice.translations.items():
        for part in ("title", "summary", "body", "results", "limits", "gender"):
            data[f"{part}_{lang}"] = getattr(t, part)
    return data


def entries_of(user: User) -> list[Practice]:
    """The account's own entries, most recently changed first."""
    return list(
        db.session.scalars(
            select(Practice)
            .where(Practice.submitted_by_id == user.id)
            .options(selectinload(Practice.translations))
            .order_by(Practice.updated_at.desc(), Practice.id.desc())
        )
    )


def unread_notices(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id, Notification.is_read.is_(False))
            .order_by(Notification.at.desc())
        )
    )


def mark_read(user: User, practice_id: int) -> None:
    """Opening an entry reads its notices."""
    changed = db.session.execute(
        sql_update(Notification)
        .where(
            Notification.user_id == user.id,
            Notification.practice_id == practice_id,
            Notification.is_read.is_(False),
        )
        .values(is_read=True)
    ).rowcount
    if changed:
        db.session.commit()


def thread(practice_id: int) -> list:
    """The entry's history as its people see it: comments and status changes, oldest first."""
    comments = db.session.scalars(select(Comment).where(Comment.practice_id == practice_id))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.practice_id == practice_id))
    return sorted([*comments, *events], key=lambda item: (item.at, item.id))
