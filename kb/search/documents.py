"""A practice as an index document (pure: no Flask, no session)."""

from __future__ import annotations

import hashlib
import json

from kb.models import Practice
from kb.models.taxonomy import country_name
from kb.search.analysis import fold
from kb.search.codes import codes_in
from kb.search.schema import LANGS, NO_END_YEAR
from kb.values.filters import WOMEN

SORT_KEY_CHARS = 200  # titles longer than this sort by their first 200 characters


def _join(values) -> str:
    return " ".join(v for v in values if v)


def build(practice: Practice) -> dict:
    """Every field of the practice's document, with a stamp that changes with any of them."""
    texts = practice.translations
    doc: dict = {"id": str(practice.id)}
    extra: dict[str, str] = {}
    for lang in LANGS:
        t = texts.get(lang)
        doc[f"title_{lang}"] = t.title if t else ""
        doc[f"summary_{lang}"] = t.summary if t else ""
        doc[f"body_{lang}"] = t.body if t else ""
        # Results, limits and the gender dimension are searched, not highlighted.
        extra[lang] = _join((t.results, t.limits, t.gender)) if t else ""
    organisations = [link.organisation for link in practice.organisation_links]
    codes = sorted(practice.involved_country_codes)
    for lang in LANGS:
        doc[f"text_{lang}"] = _join((doc[f"summary_{lang}"], doc[f"body_{lang}"], extra[lang]))
    doc["title"] = _join(doc[f"title_{lang}"] for lang in LANGS)
    doc["org"] = _join(
        _join((o.name_en, o.name_es, o.acronym_en, o.acronym_es)) for o in organisations
    )
    doc["names"] = _join(
        [doc["org"]]
        + [country_name(code, lang) for code in codes for lang in LANGS]
        + [corridor.slug for corridor in practice.corridors]
        + [getattr(t, f"name_{lang}") for t in practice.themes for lang in LANGS]
        + [getattr(p, f"short_{lang}") for p in practice.pillars for lang in LANGS]
    )
    doc["codes"] = codes_in(
        _join(
            [doc[f"{name}_{lang}"] for name in ("title", "text") for lang in LANGS]
            + [doc["org"], " ".join(corridor.slug for corridor in practice.corridors)]
        )
    )
    doc["spell"] = _join(
        [doc[f"{field}_{lang}"] for field in ("title", "summary") for lang in LANGS] + [doc["org"]]
    )
    doc["theme"] = [t.slug for t in practice.themes]
    doc["pillar"] = [str(p.number) for p in practice.pillars]
    doc["country"] = codes
    doc["region"] = sorted(
        {c.region.slug for c in practice.countries}
        | {
            end.region.slug
            for corridor in practice.corridors
            for end in (corridor.origin, corridor.destination)
        }
    )
    doc["corridor"] = sorted(corridor.slug for corridor in practice.corridors)
    doc["actor"] = sorted({o.actor_type.slug for o in organisations})
    doc["implementation"] = [str(practice.implementation_status)]
    doc["sector"] = sorted(s.slug for s in practice.sectors)
    doc["subdivision"] = sorted(s.code for s in practice.subdivisions)
    doc["women"] = [WOMEN] if practice.addresses_women else []
    doc["start_year"] = practice.start_year or 0
    doc["end_year"] = practice.end_year or NO_END_YEAR
    doc["pid"] = practice.id
    doc["reviewed"] = practice.last_reviewed.toordinal() if practice.last_reviewed else 0
    for lang in LANGS:
        # The title a card shows: the page's language, else the other one.
        title = doc[f"title_{lang}"] or next((doc[f"title_{o}"] for o in LANGS if o != lang), "")
        doc[f"sort_{lang}"] = sort_key(title)
    doc["stamp"] = stamp(doc)
    return to_whoosh(doc)


def sort_key(title: str) -> bytes:
    """How a title sorts: without case or accents (Ámbito beside ambiente)."""
    return fold(title.casefold()).strip()[:SORT_KEY_CHARS].encode("utf-8")


def stamp(doc: dict) -> str:
    payload = json.dumps(
        {k: v.decode() if isinstance(v, bytes) else v for k, v in doc.items() if k != "stamp"},
        sort_keys=True,
    )
    return hashlib.sha1(payload.encode()).hexdigest()


def to_whoosh(doc: dict) -> dict:
    """KEYWORD fields take space-separated terms."""
    return {k: " ".join(v) if isinstance(v, list) else v for k, v in doc.items()}
