"""Loading the seed folder: validate everything, then upsert every record by its stable key."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text

from kb.db import assign, utcnow
from kb.errors import SeedInvalid
from kb.extensions import db
from kb.models import (
    ActorType,
    AgendaItem,
    AuditEvent,
    Collection,
    CollectionItem,
    Corridor,
    Country,
    CurationEvent,
    Evaluation,
    EvaluationType,
    Event,
    Framework,
    Organisation,
    Pillar,
    Practice,
    PracticeOrganisation,
    PracticeTranslation,
    Region,
    Sector,
    Source,
    Status,
    Subdivision,
    Theme,
    ThesaurusGroup,
)
from kb.services import moderation
from kb.services.seed_schema import SeedSet, validate


@dataclass
class Report:
    """What a load did, per kind of record."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    # Practices and collections changed on the site since they were last seeded, left as the
    # site has them.
    conflicts: list[int] = field(default_factory=list)
    collection_conflicts: list[str] = field(default_factory=list)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        bucket = self.created if created else self.updated if changed else self.unchanged
        bucket[kind] += 1

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())

    def summary(self) -> str:
        kinds = list(dict.fromkeys([*self.created, *self.updated, *self.unchanged]))
        parts = []
        for kind in kinds:
            total = self.created[kind] + self.updated[kind] + self.unchanged[kind]
            parts.append(f"{total} {kind}")
        left = len(self.conflicts) + len(self.collection_conflicts)
        conflicts = (
            f", {left} changed on the site and left alone (--force overwrites)" if left else ""
        )
        return (
            f"{', '.join(parts)}: {sum(self.created.values())} created, "
            f"{sum(self.updated.values())} updated, {sum(self.unchanged.values())} unchanged"
            f"{conflicts}"
        )


def seed(
    directory: Path, progress: Callable[[Iterable], Iterable] = iter, force: bool = False
) -> Report:
    """Validate ``directory`` and load it in one transaction.

    Raises SeedInvalid with every problem found, before anything is written. Loading the same
    folder twice leaves the database unchanged (records are matched by their stable keys and only
    differing values are written). A practice that someone changed on the site since it was last
    seeded is left as the site has it and listed in ``Report.conflicts``, unless ``force``.
    """
    seeds, problems = validate(directory)
    if problems:
        raise SeedInvalid(problems)
    report = Report()
    try:
        _Loader(seeds, report, progress, force).run()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


class _Loader:
    def __init__(self, seeds: SeedSet, report: Report, progress, force: bool = False):
        self.seeds, self.report, self.progress = seeds, report, progress
        self.force = force
        self.session = db.session

    def upsert(self, model, kind: str | None, key: dict, values: dict):
        """The record with ``key``, created or updated to ``values``; counted under ``kind``.

        With ``kind=None`` the caller counts, after comparing the record's links too.
        """
        obj = self.session.execute(select(model).filter_by(**key)).scalar_one_or_none()
        created = obj is None
        if created:
            obj = model(**key)
            self.session.add(obj)
        changed = assign(obj, values)
        if kind:
            self.report.count(kind, created, changed)
        return obj, created, changed

    def run(self) -> None:
        s = self.seeds
        regions = {
            r["slug"]: self.upsert(Region, "regions", {"slug": r.pop("slug")}, r)[0]
            for r in s.regions
        }
        for p in s.pillars:
            self.upsert(Pillar, "pillars", {"number": p.pop("number")}, p)
        for model, kind, rows in (
            (Theme, "themes", s.themes),
            (ActorType, "actor types", s.actor_types),
            (Sector, "sectors", s.sectors),
        ):
            for row in rows:
                self.upsert(model, kind, {"slug": row.pop("slug")}, row)
        self.session.flush()
        for c in s.countries:
            self.upsert(Country, "countries", {"code": c["code"]}, {"region": regions[c["region"]]})
        self.session.flush()
        for sub in s.subdivisions:
            values = {"country_code": sub["country"], "name_en": sub["name_en"]}
            values["name_es"] = sub["name_es"]
            self.upsert(Subdivision, "subdivisions", {"code": sub["code"]}, values)
        for fw in s.frameworks:
            self.upsert(Framework, "frameworks", {"key": fw.pop("key")}, fw)
        self.session.flush()
        actor_types = {a.slug: a for a in self.session.scalars(select(ActorType))}
        for o in s.organisations:
            values = dict(o, actor_type=actor_types[o["actor_type"]], country_code=o["country"])
            del values["key"], values["country"]
            self.upsert(Organisation, "organisations", {"key": o["key"]}, values)
        self.session.flush()
        self.lookups()
        for record in self.progress(s.practices):
            self.practice(record)
        self.session.flush()
        self.advance_practice_ids()
        for c in s.collections:
            self.collection(c)
        for e in s.events:
            self.event(e)
        self.thesaurus(s.thesaurus)

    def thesaurus(self, groups: list[dict]) -> None:
        """The file is the whole thesaurus: a group taken out of it is deleted."""
        keys = {g["key"] for g in groups}
        for g in groups:
            self.upsert(ThesaurusGroup, "thesaurus groups", {"key": g["key"]}, g)
        for stale in self.session.scalars(select(ThesaurusGroup)):
            if stale.key not in keys:
                self.session.delete(stale)
                self.report.count("thesaurus groups", False, True)

    def lookups(self) -> None:
        self.themes = {t.slug: t for t in self.session.scalars(select(Theme))}
        self.pillars = {p.number: p for p in self.session.scalars(select(Pillar))}
        self.countries = {c.code: c for c in self.session.scalars(select(Country))}
        self.frameworks = {f.key: f for f in self.session.scalars(select(Framework))}
        self.organisations = {o.key: o for o in self.session.scalars(select(Organisation))}
        self.corridors = {c.slug: c for c in self.session.scalars(select(Corridor))}
        self.sectors = {s.slug: s for s in self.session.scalars(select(Sector))}
        self.subdivisions = {s.code: s for s in self.session.scalars(select(Subdivision))}

    def corridor(self, slug: str) -> Corridor:
        if slug not in self.corridors:
            origin, destination = slug.split("-")
            corridor = Corridor(origin_code=origin, destination_code=destination)
            self.session.add(corridor)
            self.corridors[slug] = corridor
            self.report.count("corridors", True, True)
        return self.corridors[slug]

    def changed_on_site(self, practice: Practice) -> bool:
        """Whether someone (not the seeds) acted on it since it was last seeded: every change
        made through the site writes an audit event with its author."""
        since = select(AuditEvent.id).where(
            AuditEvent.practice_id == practice.id, AuditEvent.actor_id.is_not(None)
        )
        if practice.seeded_at is not None:
            since = since.where(AuditEvent.at > practice.seeded_at)
        return self.session.scalar(since.limit(1)) is not None

    def practice(self, r: dict) -> None:
        practice = self.session.get(Practice, r["id"])
        created = practice is None
        proposed_on_site = not created and practice.submitted_by_id is not None
        if proposed_on_site and practice.seeded_at is None:
            # An entry someone proposed on the site holds this id: never written over, not
            # even with --force (the seed file needs another id).
            self.report.conflicts.append(practice.id)
            return
        if not created and not self.force and self.changed_on_site(practice):
            self.report.conflicts.append(practice.id)
            return
        if created:
            practice = Practice(id=r["id"])
            self.session.add(practice)
        scalars = {
            k: r[k]
            for k in (
                "slug",
                "status",
                "scope",
                "start_year",
                "start_year_approx",
                "end_year",
                "end_year_approx",
                "implementation_status",
                "last_reviewed",
                "is_curated",
                "addresses_women",
            )
        }
        origin = None if created else practice.status
        changed = assign(practice, scalars)
        changed |= self.links(practice, r)
        changed |= self.texts(practice, r["translations"])
        self.report.count("practices", created, changed and not created)
        if changed or self.force or practice.seeded_at is None:
            practice.seeded_at = utcnow()  # from now on, the seeds own what is here
        if changed:
            self.record(practice, origin)

    def record(self, practice: Practice, origin: Status | None) -> None:
        """The seeds' change in the practice's history: an audit event without an author,
        and a new version when the practice is published."""
        self.session.flush()
        if practice.status == Status.published:
            moderation.publish_version(practice, None)
        self.session.add(
            AuditEvent(
                practice_id=practice.id,
                actor_id=None,
                action="seed",
                from_status=str(origin) if origin else None,
                to_status=str(practice.status),
            )
        )

    def links(self, practice: Practice, r: dict) -> bool:
        wanted = {
            "pillars": [self.pillars[n] for n, _ in r["pillars"]],
            "themes": [self.themes[t] for t, _ in r["themes"]],
            "corridors": [self.corridor(c) for c, _ in r["corridors"]],
            "countries": [self.countries[c] for c, _ in r["countries"]],
            "frameworks": [self.frameworks[k] for k, _ in r["frameworks"]],
            "sectors": [self.sectors[k] for k, _ in r["sectors"]],
            "subdivisions": [self.subdivisions[k] for k, _ in r["subdivisions"]],
        }
        changed = False
        for name, objects in wanted.items():
            if set(getattr(practice, name)) != set(objects):
                setattr(practice, name, objects)
                changed = True
        roles = {(self.organisations[key], role) for key, role, _ in r["organisations"]}
        if {(link.organisation, str(link.role)) for link in practice.organisation_links} != roles:
            practice.organisation_links = [
                PracticeOrganisation(organisation=org, role=role)
                for org, role in sorted(
                    roles, key=lambda pair: [k for k, _, _ in r["organisations"]].index(pair[0].key)
                )
            ]
            changed = True
        changed |= self.listed(practice, "sources", Source, r["sources"])
        evaluations = [dict(e, type=EvaluationType(e["type"])) for e in r["evaluations"]]
        changed |= self.listed(practice, "evaluations", Evaluation, evaluations)
        return changed

    @staticmethod
    def listed(practice: Practice, name: str, model, wanted: list[dict]) -> bool:
        """Replace the ordered rows (sources, evaluations) when they differ from ``wanted``."""
        rows = getattr(practice, name)
        if len(rows) == len(wanted) and all(
            {k: getattr(row, k) for k in w} == w for row, w in zip(rows, wanted, strict=True)
        ):
            return False
        setattr(practice, name, [model(position=i, **w) for i, w in enumerate(wanted)])
        return True

    def texts(self, practice: Practice, translations: dict) -> bool:
        changed = False
        for lang in list(practice.translations):
            if lang not in translations:
                del practice.translations[lang]
                changed = True
        for lang, values in translations.items():
            row = practice.translations.get(lang)
            if row is None:
                practice.translations[lang] = PracticeTranslation(language=lang, **values)
                changed = True
            else:
                changed |= assign(row, values)
        return changed

    def advance_practice_ids(self) -> None:
        """Seeds give explicit ids; on PostgreSQL the id sequence must move past them."""
        if self.session.get_bind().dialect.name == "postgresql":
            highest = self.session.scalar(select(func.max(Practice.id))) or 1
            self.session.execute(
                text("SELECT setval(pg_get_serial_sequence('practice', 'id'), :n)"), {"n": highest}
            )

    def collection(self, c: dict) -> None:
        existing = self.session.scalar(select(Collection).filter_by(slug=c["slug"]))
        if existing is not None and not self.force and self.curated_on_site(existing):
            self.report.collection_conflicts.append(existing.slug)
            return
        values = {k: v for k, v in c.items() if k not in ("slug", "practices")}
        collection, created, changed = self.upsert(Collection, None, {"slug": c["slug"]}, values)
        wanted = [pid for pid, _ in c["practices"]]
        if [item.practice_id for item in collection.items] != wanted:
            collection.items = [
                CollectionItem(practice_id=pid, position=i) for i, pid in enumerate(wanted)
            ]
            changed = True
        self.report.count("collections", created, changed and not created)
        if changed or self.force or collection.seeded_at is None:
            collection.seeded_at = utcnow()

    @staticmethod
    def agenda_values(item) -> dict:
        """An agenda item (a seed record or a row) as comparable plain values."""
        if isinstance(item, dict):
            values = dict(item, practices=[pid for pid, _line in item["practices"]])
        else:
            values = {
                "title_en": item.title_en,
                "title_es": item.title_es,
                "description_en": item.description_en,
                "description_es": item.description_es,
                "starts_at": item.starts_at,
                "speakers": item.speakers,
                "practices": [p.id for p in item.practices],
            }
        return values

    def curated_on_site(self, collection: Collection) -> bool:
        """Whether an editor changed it since it was last seeded."""
        since = select(CurationEvent.id).where(
            CurationEvent.collection_id == collection.id, CurationEvent.actor_id.is_not(None)
        )
        if collection.seeded_at is not None:
            since = since.where(CurationEvent.at > collection.seeded_at)
        return self.session.scalar(since.limit(1)) is not None

    def event(self, e: dict) -> None:
        self.session.flush()
        collection = None
        if e["collection"]:
            collection = self.session.execute(
                select(Collection).filter_by(slug=e["collection"])
            ).scalar_one()
        values = {
            k: v for k, v in e.items() if k not in ("slug", "collection", "organisers", "agenda")
        }
        values["languages"] = ",".join(code for code, _ in e["languages"])
        values["collection"] = collection
        event, created, changed = self.upsert(Event, None, {"slug": e["slug"]}, values)
        organisers = [self.organisations[key] for key, _ in e["organisers"]]
        if list(event.organisers) != organisers:
            event.organisers = organisers
            changed = True
        wanted = [self.agenda_values(item) for item in e["agenda"]]
        if [self.agenda_values(a) for a in event.agenda] != wanted:
            event.agenda = [
                AgendaItem(
                    position=i,
                    **{k: v for k, v in item.items() if k != "practices"},
                    practices=[self.session.get(Practice, pid) for pid in item["practices"]],
                )
                for i, item in enumerate(wanted)
            ]
            changed = True
        self.report.count("events", created, changed and not created)
