"""Validation of the practice seed files: one practice per file, its facts checked against each
other (part of kb.services.seed_schema's validator)."""

from __future__ import annotations

import re
from datetime import date

from kb.services.seed_fields import Fields

CORRIDOR = re.compile(r"^([A-Z]{2})-([A-Z]{2})$")
ISO2 = re.compile(r"^[A-Z]{2}$")
SUBDIVISION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
APPROXIMATE = re.compile(r"^c\.\s*(\d{4})$")
LANGS = ("en", "es")
STATUSES = ("draft", "submitted", "changes_requested", "published", "rejected", "archived")
SCOPES = ("corridor", "national", "subnational", "regional", "global")
IMPLEMENTATION = ("ongoing", "completed", "planned", "unknown")
EVALUATION_TYPES = (
    "independent-evaluation",
    "internal-review",
    "systematisation",
    "monitoring-data",
    "academic-study",
)
ROLES = ("implementer", "partner", "funder")
TEXT_ORIGINS = ("original", "translated")
# Texts of a practice in each language; the first three are its title, summary and body.
TEXTS = ("title", "summary", "body", "results", "limits", "gender")


class PracticeSeeds:
    def year(self, f: Fields, key: str) -> tuple[int | None, bool]:
        """A year, or "c. 2011" for one the sources give only roughly: (year, approximate)."""
        value = f.mapping.get(key)
        if isinstance(value, str) and (match := APPROXIMATE.match(value.strip())):
            f.seen.add(key)
            year = int(match.group(1))
            if not 1900 <= year <= 2100:
                f.problem(key, f"expected a year between 1900 and 2100, got {value!r}")
                return None, False
            return year, True
        if isinstance(value, str):
            f.seen.add(key)
            f.problem(
                key, f'expected a year (2011) or an approximate one ("c. 2011"), got {value!r}'
            )
            return None, False
        return f.take(key, "year", required=False), False

    def practice(self, f: Fields) -> dict | None:
        countries = {c["code"] for c in self.seeds.countries}
        start, start_approx = self.year(f, "start_year")
        end, end_approx = self.year(f, "end_year")
        record = {
            "id": f.take("id", "int"),
            "slug": self.slug(f, "slug"),
            "status": f.take("status", choices=STATUSES),
            "scope": f.take("scope", choices=SCOPES),
            "start_year": start,
            "start_year_approx": start_approx,
            "end_year": end,
            "end_year_approx": end_approx,
            "implementation_status": f.take("implementation_status", choices=IMPLEMENTATION),
            "last_reviewed": f.take("last_reviewed", "date", required=False),
            "is_curated": f.take("is_curated", "bool", required=False, default=False),
            "addresses_women": f.take("addresses_women", "bool", required=False, default=False),
        }
        if record["id"] is not None and record["id"] < 1:
            f.problem("id", "must be a positive number")
        self.check_years(f, record)
        record["evaluations"] = self.evaluations(f)
        record["pillars"] = f.take_list("pillars", "int", required=True, choices=(1, 2, 3, 4))
        record["themes"] = f.take_list(
            "themes", required=True, choices=[t["slug"] for t in self.seeds.themes]
        )
        record["sectors"] = f.take_list("sectors", choices=[s["slug"] for s in self.seeds.sectors])
        record["corridors"] = f.take_list("corridors", pattern=CORRIDOR)
        for index, (slug, line) in enumerate(record["corridors"]):
            origin, destination = slug.split("-")
            for code in (origin, destination):
                if code not in countries:
                    f.problem(f"corridors[{index}]", f"{code} is not in countries.yaml", line)
            if origin == destination:
                f.problem(f"corridors[{index}]", "origin and destination are the same", line)
        record["countries"] = f.take_list("countries", pattern=ISO2, choices=sorted(countries))
        record["subdivisions"] = self.subdivisions(f, record)
        if record["scope"] == "corridor" and not record["corridors"]:
            f.problem("corridors", "a practice with scope 'corridor' needs at least one corridor")
        record["organisations"] = []
        for link in f.take_maps("organisations"):
            record["organisations"].append(
                (link.take("key"), link.take("role", choices=ROLES), link.line_of("key"))
            )
            link.finish()
        record["frameworks"] = f.take_list("frameworks")
        record["sources"] = self.sources(f, record)
        record["translations"] = self.translations(f, record)
        record["_fields"] = f
        f.finish()
        if record["id"] is not None and not self.unique("practice", record["id"], f, "id"):
            return None
        return record

    @staticmethod
    def check_years(f: Fields, record: dict) -> None:
        """Status and years that contradict each other are refused."""
        start, end = record["start_year"], record["end_year"]
        status = record["implementation_status"]
        this_year = date.today().year
        if start and end and end < start:
            f.problem("end_year", f"{end} is before start_year {start}")
        if end and end > this_year:
            f.problem("end_year", f"{end} is in the future: a practice not yet ended has none")
        if status == "completed" and not end:
            f.problem("end_year", "a completed practice needs the year it ended")
        if status in ("ongoing", "planned", "unknown") and end:
            f.problem("end_year", f"an {status} practice has no end year; is it completed?")
        if status == "planned" and start and start <= this_year:
            f.problem("start_year", f"a planned practice starts in the future, not in {start}")
        if status != "planned" and start and start > this_year:
            f.problem("start_year", f"{start} is in the future: is it planned?")
        if (reviewed := record["last_reviewed"]) and reviewed > date.today():
            f.problem("last_reviewed", f"{reviewed} is in the future")

    def subdivisions(self, f: Fields, record: dict) -> list:
        known = {s["code"]: s["country"] for s in self.seeds.subdivisions}
        items = f.take_list("subdivisions", pattern=SUBDIVISION, choices=sorted(known))
        countries = {code for code, _ in record["countries"]}
        for index, (code, line) in enumerate(items):
            if known[code] not in countries:
                f.problem(
                    f"subdivisions[{index}]", f"{code} is in {known[code]}, not in countries", line
                )
        if record["scope"] == "subnational" and not items:
            f.problem("subdivisions", "a practice with scope 'subnational' names its subdivisions")
        if items and record["scope"] != "subnational":
            f.problem("scope", "a practice with subdivisions has scope 'subnational'")
        return items

    def evaluations(self, f: Fields) -> list[dict]:
        if "evaluation" in f.mapping:
            f.seen.add("evaluation")
            f.problem("evaluation", "replaced by 'evaluations', a list with each review's type")
        out = []
        for e in f.take_maps("evaluations"):
            out.append(
                {
                    "type": e.take("type", choices=EVALUATION_TYPES),
                    "title": e.take("title", max_len=500),
                    "publisher": e.take("publisher", required=False, max_len=300),
                    "year": e.take("year", "year", required=False),
                    "url": self.url(e, "url"),
                }
            )
            e.finish()
        return out

    def sources(self, f: Fields, record: dict) -> list[dict]:
        out = []
        for source in f.take_maps("sources"):
            consulted = source.take("consulted", "date", required=False)
            if consulted and consulted > date.today():
                source.problem("consulted", f"{consulted} is in the future")
            language = source.take("language", required=False, max_len=8)
            if language and not LANGUAGE.match(language):
                source.problem("language", f"{language!r} is not an ISO 639-1 code (en, es, fr)")
            out.append(
                {
                    "title": source.take("title", max_len=400),
                    "publisher": source.take("publisher", required=False, max_len=300),
                    "year": source.take("year", "year", required=False),
                    "url": self.url(source, "url"),
                    "language": language,
                    "consulted": consulted,
                }
            )
            source.finish()
        if record["status"] == "published":
            if len(out) < 2:
                f.problem("sources", "a published practice cites at least two sources")
            elif not any(s["url"] for s in out):
                f.problem("sources", "a published practice has at least one source with a URL")
        return out

    def translations(self, f: Fields, record: dict) -> dict:
        texts = f.sub("translations")
        out = {}
        if texts is None:
            return out
        for lang in LANGS:
            t = texts.sub(lang)
            if t is None:
                continue
            out[lang] = {
                "title": t.take("title", max_len=300),
                "summary": t.take("summary", max_len=1000),
                **{
                    name: t.take(name, required=False, default="")
                    for name in ("body", "results", "limits", "gender")
                },
                "text_origin": t.take("text_origin", choices=TEXT_ORIGINS),
            }
            t.finish()
        for key in texts.mapping:
            if key not in LANGS:
                texts.problem(str(key), f"unknown language; use {' or '.join(LANGS)}")
                texts.seen.add(key)
        if out and not any(t["body"] for t in out.values()):
            texts.problem("", "a body is needed in at least one language")
        elif record["status"] == "published":
            for lang in LANGS:
                if lang in out and not out[lang]["body"]:
                    texts.problem(lang, "a published practice has a body in both languages")
        texts.finish()
        return out
