"""Versions of a practice: a publication frozen as plain data, and thawed back into an object
the practice page can show exactly as it was. Pure: no database, no Flask."""

from __future__ import annotations

import difflib
import re
from datetime import date
from types import SimpleNamespace

# Bumped when the shape of a snapshot changes; thaw() reads every shape it has known.
SNAPSHOT_FORMAT = 2


def snapshot(practice) -> dict:
    """Everything the practice's page shows, as JSON-ready data."""
    return {
        "format": SNAPSHOT_FORMAT,
        "id": practice.id,
        "slug": practice.slug,
        "scope": str(practice.scope),
        "start_year": practice.start_year,
        "start_year_approx": practice.start_year_approx,
        "end_year": practice.end_year,
        "end_year_approx": practice.end_year_approx,
        "implementation_status": str(practice.implementation_status),
        "addresses_women": practice.addresses_women,
        "evaluations": [
            {
                "type": str(e.type) if e.type else None,
                "title": e.title,
                "publisher": e.publisher,
                "year": e.year,
                "url": e.url,
            }
            for e in practice.evaluations
        ],
        "last_reviewed": practice.last_reviewed.isoformat() if practice.last_reviewed else None,
        "is_curated": practice.is_curated,
        "translations": {
            lang: {
                "title": t.title,
                "summary": t.summary,
                "body": t.body,
                "results": t.results,
                "limits": t.limits,
                "gender": t.gender,
                "text_origin": str(t.text_origin),
            }
            for lang, t in sorted(practice.translations.items())
        },
        "pillars": [
            {
                "number": p.number,
                "name_en": p.name_en,
                "name_es": p.name_es,
                "short_en": p.short_en,
                "short_es": p.short_es,
            }
            for p in practice.pillars
        ],
        "themes": [
            {"slug": t.slug, "name_en": t.name_en, "name_es": t.name_es} for t in practice.themes
        ],
        "corridors": [
            {"origin_code": c.origin_code, "destination_code": c.destination_code}
            for c in practice.corridors
        ],
        "countries": [c.code for c in practice.countries],
        "subdivisions": [
            {"code": s.code, "name_en": s.name_en, "name_es": s.name_es}
            for s in practice.subdivisions
        ],
        "sectors": [
            {"slug": s.slug, "name_en": s.name_en, "name_es": s.name_es} for s in practice.sectors
        ],
        "organisations": [
            {
                "name_en": link.organisation.name_en,
                "name_es": link.organisation.name_es,
                "acronym_en": link.organisation.acronym_en,
                "acronym_es": link.organisation.acronym_es,
                "role": str(link.role),
            }
            for link in practice.organisation_links
        ],
        "sources": [
            {
                "title": s.title,
                "publisher": s.publisher,
                "year": s.year,
                "url": s.url,
                "language": s.language,
                "consulted": s.consulted.isoformat() if s.consulted else None,
            }
            for s in practice.sources
        ],
        "frameworks": [
            {
                "kind": f.kind,
                "code": f.code,
                "title_en": f.title_en,
                "title_es": f.title_es,
                "es_is_translation": f.es_is_translation,
                "title_unverified": f.title_unverified,
            }
            for f in practice.frameworks
        ],
    }


def _value(text: str) -> SimpleNamespace:
    """An enum-like value: ``.value`` and ``str()`` give the text."""
    return _Valued(value=text)


class _Valued(SimpleNamespace):
    def __str__(self) -> str:
        return self.value


class _Subdivision(SimpleNamespace):
    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" else self.name_en


def _upgrade(data: dict) -> dict:
    """A snapshot of an older format in the current shape (absent facts left empty)."""
    if data.get("format", 1) >= SNAPSHOT_FORMAT:
        return data
    data = dict(data, format=SNAPSHOT_FORMAT)
    evaluated, source = data.pop("has_evaluation", False), data.pop("evaluation_source", None)
    data["evaluations"] = (
        [{"type": None, "title": source or "", "publisher": None, "year": None, "url": None}]
        if evaluated
        else []
    )
    data.update(start_year_approx=False, end_year_approx=False, addresses_women=False)
    data.update(subdivisions=[], sectors=[])
    data["sources"] = [dict({"language": None, "consulted": None}, **s) for s in data["sources"]]
    data["frameworks"] = [
        dict({"es_is_translation": False, "title_unverified": False}, **f)
        for f in data["frameworks"]
    ]
    data["translations"] = {
        lang: dict({"results": "", "limits": "", "gender": ""}, **t)
        for lang, t in data["translations"].items()
    }
    return data


def thaw(data: dict) -> SimpleNamespace:
    """The snapshot as an object with the attributes the practice page reads."""
    ns = SimpleNamespace
    data = _upgrade(data)
    return ns(
        id=data["id"],
        slug=data["slug"],
        scope=_value(data["scope"]),
        start_year=data["start_year"],
        start_year_approx=data["start_year_approx"],
        end_year=data["end_year"],
        end_year_approx=data["end_year_approx"],
        implementation_status=data["implementation_status"],
        addresses_women=data["addresses_women"],
        evaluations=[
            ns(**dict(e, type=_value(e["type"]) if e["type"] else None))
            for e in data["evaluations"]
        ],
        last_reviewed=date.fromisoformat(data["last_reviewed"]) if data["last_reviewed"] else None,
        is_curated=data["is_curated"],
        translations={
            lang: ns(**{**t, "text_origin": _value(t["text_origin"])})
            for lang, t in data["translations"].items()
        },
        pillars=[ns(**p) for p in data["pillars"]],
        themes=[ns(**t) for t in data["themes"]],
        corridors=[
            ns(**c, slug=f"{c['origin_code']}-{c['destination_code']}") for c in data["corridors"]
        ],
        countries=[ns(code=code) for code in data["countries"]],
        subdivisions=[_Subdivision(**s) for s in data["subdivisions"]],
        sectors=[ns(**s) for s in data["sectors"]],
        organisation_links=[
            ns(
                organisation=ns(
                    name_en=o["name_en"],
                    name_es=o["name_es"],
                    acronym_en=o["acronym_en"],
                    acronym_es=o["acronym_es"],
                ),
                role=_value(o["role"]),
            )
            for o in data["organisations"]
        ],
        sources=[
            ns(**dict(s, consulted=date.fromisoformat(s["consulted"]) if s["consulted"] else None))
            for s in data["sources"]
        ],
        frameworks=[ns(**f) for f in data["frameworks"]],
    )


TEXT_FIELDS = ("title", "summary", "body", "results", "limits", "gender")
LIST_FIELDS = (
    "pillars",
    "themes",
    "sectors",
    "corridors",
    "countries",
    "subdivisions",
    "organisations",
    "sources",
    "evaluations",
    "frameworks",
)
VALUE_FIELDS = (
    "scope",
    "start_year",
    "start_year_approx",
    "end_year",
    "end_year_approx",
    "implementation_status",
    "addresses_women",
)


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text or "")


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word by word: ("same" | "removed" | "added", text) runs, in reading order."""
    a, b = _words(old), _words(new)
    parts: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(b[j1:j2])))
    return parts


def _item_label(field: str, item) -> str:
    if field == "pillars":
        return str(item["number"])
    if field in ("themes", "sectors"):
        return item["slug"]
    if field == "subdivisions":
        return item["code"]
    if field == "evaluations":
        return (f"{item['type']}: " if item["type"] else "") + item["title"]
    if field == "corridors":
        return f"{item['origin_code']}-{item['destination_code']}"
    if field == "countries":
        return item
    if field == "organisations":
        return f"{item['name_en']} ({item['role']})"
    if field == "sources":
        return item["title"] + (f" ({item['year']})" if item.get("year") else "")
    return f"{item['kind']} {item['code']}"


def diff(old: dict, new: dict) -> list[dict]:
    """What changed from one snapshot to the next, field by field: texts word by word,
    lists as items removed and added, single values as before and after."""
    old, new = _upgrade(old), _upgrade(new)
    changes = []
    for lang in sorted(set(old["translations"]) | set(new["translations"])):
        before = old["translations"].get(lang, {})
        after = new["translations"].get(lang, {})
        for name in TEXT_FIELDS:
            if before.get(name, "") != after.get(name, ""):
                changes.append(
                    {
                        "field": name,
                        "lang": lang,
                        "parts": text_diff(before.get(name, ""), after.get(name, "")),
                    }
                )
    for name in LIST_FIELDS:
        before = [_item_label(name, item) for item in old[name]]
        after = [_item_label(name, item) for item in new[name]]
        if before != after:
            changes.append(
                {
                    "field": name,
                    "removed": [x for x in before if x not in after],
                    "added": [x for x in after if x not in before],
                }
            )
    for name in VALUE_FIELDS:
        if old.get(name) != new.get(name):
            changes.append({"field": name, "before": old.get(name), "after": new.get(name)})
    return changes
