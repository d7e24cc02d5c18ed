"""Validation of the seed files: typed fields, allowed values and cross-references, pure Python."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb.search.analysis import fold
from kb.services.seed_curation import CurationSeeds
from kb.services.seed_fields import Fields
from kb.services.seed_practice import SUBDIVISION, PracticeSeeds
from kb.services.yamlfile import LinedDict, LinedList, Problem, YamlSyntaxError, read

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ISO2 = re.compile(r"^[A-Z]{2}$")
FRAMEWORK_KEY = re.compile(r"^[a-z]+-[0-9a-z.]+$")
URL = re.compile(r"^https?://[^\s]+$")
LANGS = ("en", "es")
# Letters, digits, spaces and inner hyphens, apostrophes or slashes: no query syntax.
THESAURUS_TERM = re.compile(r"^[^\W_](?:[\w' /-]*[^\W_])?$")
FRAMEWORK_KINDS = ("gpog", "gcm", "sdg")


@dataclass
class SeedSet:
    """Everything read from a seed folder, as plain validated dicts, in load order."""

    regions: list[dict] = field(default_factory=list)
    pillars: list[dict] = field(default_factory=list)
    themes: list[dict] = field(default_factory=list)
    actor_types: list[dict] = field(default_factory=list)
    sectors: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)
    subdivisions: list[dict] = field(default_factory=list)
    frameworks: list[dict] = field(default_factory=list)
    organisations: list[dict] = field(default_factory=list)
    practices: list[dict] = field(default_factory=list)
    collections: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    thesaurus: list[dict] = field(default_factory=list)


class _Validator(PracticeSeeds, CurationSeeds):
    def __init__(self, directory: Path):
        self.directory = directory
        self.problems: list[Problem] = []
        self.seeds = SeedSet()
        # Every stable key seen so far, with where it was defined, to catch duplicates.
        self.keys: dict[tuple[str, object], str] = {}

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.directory.parent))
        except ValueError:
            return str(path)

    def document(self, relative: str, top: str, *, required=True, others=(), top_required=True):
        """The list under ``top`` in one file, each item as Fields; ``others`` are the file's
        other lists, read by another call."""
        path = self.directory / relative
        shown = self.display(path)
        if not path.exists():
            if required:
                self.problems.append(Problem(shown, 1, "(file)", "file is missing"))
            return []
        root = self.read(path)
        if root is None:
            return []
        fields = Fields(root, shown, self.problems)
        items = fields.take_maps(top, required=top_required)
        fields.seen.update(others)
        fields.finish()
        return items

    def read(self, path: Path):
        try:
            root = read(path, self.display(path))
        except YamlSyntaxError as exc:
            self.problems.append(exc.problem)
            return None
        if root is None:
            self.problems.append(Problem(self.display(path), 1, "(file)", "file is empty"))
        return root

    def unique(self, kind: str, key, fields: Fields, name: str) -> bool:
        where = f"{fields.file}:{fields.line_of(name)}"
        if (kind, key) in self.keys:
            fields.problem(name, f"{key!r} is already defined at {self.keys[(kind, key)]}")
            return False
        self.keys[(kind, key)] = where
        return True

    def names(self, f: Fields, *fields_: str, required=True, max_len=300) -> dict:
        out = {}
        for base in fields_:
            for lang in LANGS:
                out[f"{base}_{lang}"] = f.take(
                    f"{base}_{lang}",
                    required=required,
                    max_len=max_len,
                    default=None if required else "",
                )
        return out

    # --- one function per kind of record -------------------------------------------------
    def taxonomy(self) -> None:
        path = self.directory / "taxonomy.yaml"
        shown = self.display(path)
        if not path.exists():
            self.problems.append(Problem(shown, 1, "(file)", "file is missing"))
            return
        root = self.read(path)
        if root is None:
            return
        top = Fields(root, shown, self.problems)
        for f in top.take_maps("pillars", required=True):
            number = f.take("number", "int", choices=(1, 2, 3, 4))
            record = {"number": number, **self.names(f, "name", "short")}
            record.update(self.names(f, "description", required=False, max_len=2000))
            f.finish()
            if number and self.unique("pillar", number, f, "number"):
                self.seeds.pillars.append(record)
        for group, target in (
            ("themes", self.seeds.themes),
            ("actor_types", self.seeds.actor_types),
            ("sectors", self.seeds.sectors),
            ("regions", self.seeds.regions),
        ):
            for position, f in enumerate(top.take_maps(group, required=True)):
                slug = self.slug(f, "slug")
                record = {"slug": slug, "position": position, **self.names(f, "name")}
                record.update(self.names(f, "description", required=False, max_len=2000))
                f.finish()
                if slug and self.unique(group, slug, f, "slug"):
                    target.append(record)
        top.finish()
        if len(self.seeds.pillars) != 4 and not self.problems:
            top.problem("pillars", "there must be exactly four pillars, numbered 1 to 4")

    def slug(self, f: Fields, key: str):
        value = f.take(key, max_len=80)
        if value and not SLUG.match(value):
            f.problem(key, f"{value!r} is not a slug (lowercase letters, digits and hyphens)")
            return None
        return value

    def countries(self) -> None:
        regions = {r["slug"] for r in self.seeds.regions}
        for f in self.document("countries.yaml", "countries", others=("subdivisions",)):
            code = f.take("code")
            if code and not ISO2.match(str(code)):
                f.problem("code", f"{code!r} is not an ISO 3166-1 alpha-2 code")
                code = None
            region = f.take("region", choices=regions)
            f.finish()
            if code and self.unique("country", code, f, "code"):
                self.seeds.countries.append({"code": code, "region": region})
        self.subdivision_list()

    def subdivision_list(self) -> None:
        codes = {c["code"] for c in self.seeds.countries}
        for f in self.document(
            "countries.yaml", "subdivisions", others=("countries",), top_required=False
        ):
            code = f.take("code", max_len=6)
            if code and not SUBDIVISION.match(str(code)):
                f.problem("code", f"{code!r} is not an ISO 3166-2 code (CA-MB)")
                code = None
            elif code and code[:2] not in codes:
                f.problem("code", f"{code[:2]} is not in countries")
                code = None
            record = {"code": code, "country": code[:2] if code else None}
            record.update(self.names(f, "name", max_len=120))
            f.finish()
            if code and self.unique("subdivision", code, f, "code"):
                self.seeds.subdivisions.append(record)

    def frameworks(self) -> None:
        for position, f in enumerate(self.document("frameworks.yaml", "frameworks")):
            key = self.slug(f, "key") if not str(f.mapping.get("key", "")).count(".") else None
            key = key or f.take("key", max_len=20)
            record = {
                "key": key,
                "kind": f.take("kind", choices=FRAMEWORK_KINDS),
                "code": f.take("code", max_len=10),
                "position": position,
                **self.names(f, "title", max_len=1000),
                "es_is_translation": f.take(
                    "es_is_translation", "bool", required=False, default=False
                ),
                "title_unverified": f.take(
                    "title_unverified", "bool", required=False, default=False
                ),
                "url": self.url(f, "url"),
            }
            f.finish()
            if key and self.unique("framework", key, f, "key"):
                self.seeds.frameworks.append(record)

    def url(self, f: Fields, key: str):
        value = f.take(key, required=False, max_len=1000)
        if value and not URL.match(value):
            f.problem(key, f"{value!r} is not an http(s) address")
            return None
        return value

    def organisations(self) -> None:
        folder = self.directory / "organisations"
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if not files:
            self.problems.append(
                Problem(self.display(folder), 1, "(folder)", "no organisation files")
            )
        countries = {c["code"] for c in self.seeds.countries}
        actor_types = {a["slug"] for a in self.seeds.actor_types}
        for path in files:
            for f in self.document(str(path.relative_to(self.directory)), "organisations"):
                key = self.slug(f, "key")
                record = {
                    "key": key,
                    "name_en": f.take("name_en", max_len=300),
                    "name_es": f.take("name_es", required=False, max_len=300),
                    "acronym_en": f.take("acronym_en", required=False, max_len=40),
                    "acronym_es": f.take("acronym_es", required=False, max_len=40),
                    "actor_type": f.take("actor_type", choices=actor_types),
                    "country": f.take("country", required=False, choices=countries),
                }
                f.finish()
                if key and self.unique("organisation", key, f, "key"):
                    self.seeds.organisations.append(record)

    def practices(self) -> None:
        folder = self.directory / "practices"
        files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
        if not files:
            self.problems.append(Problem(self.display(folder), 1, "(folder)", "no practice files"))
        for path in files:
            root = self.read(path)
            if root is not None:
                record = self.practice(Fields(root, self.display(path), self.problems))
                if record:
                    self.seeds.practices.append(record)

    def thesaurus(self) -> None:
        """Groups of equivalent terms; a term belongs to one group only."""
        seen: dict[str, str] = {}
        for f in self.document("thesaurus.yaml", "groups", required=False):
            key = self.slug(f, "key")
            record = {"key": key}
            for lang in LANGS:
                terms = [t for t, _ in f.take_list(lang)]
                for index, term in enumerate(terms):
                    label = f"{lang}[{index}]"
                    if not THESAURUS_TERM.match(term) or len(term.split()) > 6:
                        f.problem(label, f"{term!r} is not a term of one to six plain words")
                    elif (folded := fold(term.lower())) in seen:
                        f.problem(label, f"{term!r} is already in group {seen[folded]!r}")
                    else:
                        seen[folded] = key
                record[f"terms_{lang}"] = "\n".join(terms)
            if sum(len(record[f"terms_{lang}"].splitlines()) for lang in LANGS) < 2:
                f.problem("key", "a group needs at least two terms")
            f.finish()
            if key and self.unique("thesaurus group", key, f, "key"):
                self.seeds.thesaurus.append(record)

    def references(self) -> None:
        """Links between records, checked once every record is known."""
        organisations = {o["key"] for o in self.seeds.organisations}
        frameworks = {fw["key"] for fw in self.seeds.frameworks}
        practice_ids = {p["id"] for p in self.seeds.practices}
        for practice in self.seeds.practices:
            f = practice.pop("_fields")
            for index, (key, _role, line) in enumerate(practice["organisations"]):
                if key and key not in organisations:
                    f.problem(f"organisations[{index}].key", f"unknown organisation {key!r}", line)
            for index, (key, line) in enumerate(practice["frameworks"]):
                if key not in frameworks:
                    f.problem(f"frameworks[{index}]", f"unknown framework {key!r}", line)
        for collection in self.seeds.collections:
            f = collection.pop("_fields")
            for index, (pid, line) in enumerate(collection["practices"]):
                if pid not in practice_ids:
                    f.problem(f"practices[{index}]", f"no practice with id {pid}", line)
        self.event_references(organisations, practice_ids)


def validate(directory: Path) -> tuple[SeedSet, list[Problem]]:
    """Read and check a whole seed folder; the problems are sorted by file and line."""
    v = _Validator(directory.resolve())
    if not v.directory.is_dir():
        return v.seeds, [Problem(str(directory), 1, "(folder)", "no such folder")]
    v.taxonomy()
    v.countries()
    v.frameworks()
    v.organisations()
    v.practices()
    v.collections()
    v.events()
    v.thesaurus()
    v.references()
    return v.seeds, sorted(set(v.problems), key=lambda p: (p.file, p.line, p.field))


def check(directory: Path) -> tuple[str, list]:
    """Validate ``directory`` without writing: a one-line count of its records, and problems."""
    seeds, problems = validate(directory)
    counts = ", ".join(
        f"{len(getattr(seeds, kind))} {kind}"
        for kind in ("practices", "organisations", "countries", "collections", "events")
    )
    return counts, problems


__all__ = ["LinedDict", "LinedList", "Problem", "SeedSet", "check", "validate"]
