"""The JSON API's records: practices, the taxonomy, collections and events as plain data, in
both languages at once (names and texts are ``{"en": ..., "es": ...}``)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for

from kb.i18n import pick_text
from kb.models import Corridor, Country, Framework, Pillar, Practice, Visibility
from kb.models.taxonomy import country_name
from kb.web.helpers import absolute

LANGS = ("en", "es")


def both(obj, field: str) -> dict[str, str]:
    """``obj.<field>_en`` and ``obj.<field>_es``, each falling back to the other when empty."""
    return {lang: pick_text(obj, field, lang).value or "" for lang in LANGS}


def link(endpoint: str, **values) -> str:
    return absolute(url_for(endpoint, **values))


def pillar(p: Pillar) -> dict:
    return {"number": p.number, "name": both(p, "name"), "short": both(p, "short")}


def named(term) -> dict:
    return {"slug": term.slug, "name": both(term, "name")}


def country(code: str, region: str) -> dict:
    return {
        "code": code,
        "name": {lang: country_name(code, lang) for lang in LANGS},
        "region": region,
    }


def corridor(c: Corridor) -> dict:
    return {
        "slug": c.slug,
        "origin": c.origin_code,
        "destination": c.destination_code,
        "name": {lang: c.label(lang) for lang in LANGS},
    }


def framework(f: Framework) -> dict:
    return {"key": f.key, "kind": f.kind, "code": f.code, "title": both(f, "title"), "url": f.url}


def utc(moment: datetime | None) -> datetime | None:
    """A stored moment with its zone: SQLite gives them back naive, and they are UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def practice_links(p: Practice) -> dict:
    return {
        "self": link("api_practices.detail", practice_id=p.id),
        "html": {
            lang: link("public.practice", lang=lang, practice_id=p.id, slug=p.slug)
            for lang in LANGS
        },
        "permalink": link("root.permalink", practice_id=p.id),
        "citation": {
            fmt: link("cite.practice", practice_id=p.id, fmt=fmt) for fmt in ("bib", "ris", "json")
        },
    }


def _text(p: Practice, field: str) -> dict[str, str]:
    values = {lang: getattr(p.translations.get(lang), field, "") or "" for lang in LANGS}
    for lang, other in (("en", "es"), ("es", "en")):
        values[lang] = values[lang] or values[other]
    return values


def practice_summary(p: Practice) -> dict:
    return {
        "id": p.id,
        "title": _text(p, "title"),
        "summary": _text(p, "summary"),
        "start_year": p.start_year,
        "end_year": p.end_year,
        "implementation_status": str(p.implementation_status),
        "pillars": [pl.number for pl in p.pillars],
        "themes": [t.slug for t in p.themes],
        "countries": sorted(p.involved_country_codes),
        "corridors": sorted(c.slug for c in p.corridors),
        "links": practice_links(p),
    }


def party(organisation, role: str | None) -> dict:
    return {
        "name": both(organisation, "name"),
        "acronym": both(organisation, "acronym"),
        "role": role or "organiser",
        "actor_type": organisation.actor_type.slug,
        "country": organisation.country_code,
    }


def practice_detail(p: Practice, regions: dict[str, str]) -> dict:
    texts = {
        lang: {
            "title": t.title,
            "summary": t.summary,
            "body": t.body or "",
            "results": t.results or "",
            "limits": t.limits or "",
            "gender": t.gender or "",
            "text_origin": str(t.text_origin),
        }
        for lang, t in sorted(p.translations.items())
    }
    return {
        "id": p.id,
        "slug": p.slug,
        "scope": str(p.scope),
        "texts": texts,
        "start_year": p.start_year,
        "start_year_approximate": bool(p.start_year_approx),
        "end_year": p.end_year,
        "end_year_approximate": bool(p.end_year_approx),
        "implementation_status": str(p.implementation_status),
        "addresses_women": bool(p.addresses_women),
        "last_reviewed": p.last_reviewed,
        "published_at": utc(p.published_at),
        "curated": bool(p.is_curated),
        "curator_note": both(p, "curator_note"),
        "pillars": [pillar(pl) for pl in p.pillars],
        "themes": [named(t) for t in p.themes],
        "corridors": [corridor(c) for c in sorted(p.corridors, key=lambda c: c.slug)],
        "countries": [
            country(code, regions.get(code, "")) for code in sorted(p.involved_country_codes)
        ],
        "subdivisions": [
            {"code": s.code, "name": {lang: s.name(lang) for lang in LANGS}} for s in p.subdivisions
        ],
        "frameworks": [framework(f) for f in p.frameworks],
        "sectors": [named(s) for s in p.sectors],
        "organisations": [
            party(link_.organisation, str(link_.role)) for link_ in p.organisation_links
        ],
        "evaluations": [
            {
                "type": e.type.value if e.type else None,
                "title": e.title,
                "publisher": e.publisher,
                "year": e.year,
                "url": e.url,
            }
            for e in p.evaluations
        ],
        "sources": [
            {
                "title": s.title,
                "publisher": s.publisher,
                "year": s.year,
                "url": s.url,
                "language": s.language,
                "consulted": s.consulted,
            }
            for s in p.sources
        ],
        "links": practice_links(p),
    }


def country_regions(countries: dict[str, Country], regions) -> dict[str, str]:
    """Country code -> region slug."""
    slugs = {r.id: slug for slug, r in regions.items()}
    return {code: slugs.get(c.region_id, "") for code, c in countries.items()}


def collection(c, count: int) -> dict:
    return {
        "slug": c.slug,
        "title": both(c, "title"),
        "description": both(c, "description"),
        "featured": bool(c.is_featured),
        "practices": count,
        "links": {"self": link("api_collections.collection", slug=c.slug)},
    }


def event(e) -> dict:
    return {
        "slug": e.slug,
        "title": both(e, "title"),
        "description": both(e, "description"),
        "starts_on": e.starts_on,
        "start_time": e.start_time,
        "end_time": e.end_time,
        "time_zone": e.time_zone,
        "format": str(e.format),
        "venue": both(e, "venue"),
        "languages": e.language_codes,
        "note": both(e, "note"),
        # A draft collection is for editors only: not even its name is given.
        "collection": (
            e.collection.slug
            if e.collection and e.collection.visibility != Visibility.draft
            else None
        ),
        "organisers": [party(o, None) for o in e.organisers],
        "links": {"self": link("api_collections.event", slug=e.slug)},
    }
