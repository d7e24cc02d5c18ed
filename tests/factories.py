"""Small builders for test data on an empty database (the seeds are tested separately)."""

from __future__ import annotations

from sqlalchemy import select

from kb.db import utcnow
from kb.extensions import db
from kb.models import (
    ActorType,
    Country,
    Implementation,
    Pillar,
    Practice,
    PracticeTranslation,
    Region,
    Scope,
    Status,
    Theme,
)


def get_or_create(model, defaults=None, **key):
    obj = db.session.scalars(select(model).filter_by(**key)).one_or_none()
    if obj is None:
        obj = model(**key, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def pillar(number: int = 1) -> Pillar:
    return get_or_create(
        Pillar,
        number=number,
        defaults={
            "name_en": f"Pillar {number}",
            "name_es": f"Pilar {number}",
            "short_en": f"P{number}",
            "short_es": f"P{number}",
        },
    )


def theme(slug: str = "legal-frameworks") -> Theme:
    return get_or_create(Theme, slug=slug, defaults={"name_en": slug, "name_es": slug})


def actor_type(slug: str = "government") -> ActorType:
    name = slug.replace("-", " ")
    return get_or_create(ActorType, slug=slug, defaults={"name_en": name, "name_es": name})


def country(code: str = "MX", region: str = "americas") -> Country:
    reg = get_or_create(Region, slug=region, defaults={"name_en": region, "name_es": region})
    return get_or_create(Country, code=code, defaults={"region": reg})


def make_practice(
    id: int,
    title: str = "A practice",
    *,
    status=Status.published,
    title_es: str | None = None,
    body: str = "Some **body** text.",
    body_es: str | None = None,
    themes=("legal-frameworks",),
    pillars=(1,),
    countries=("MX",),
    start_year=2020,
) -> Practice:
    practice = Practice(
        id=id,
        slug=f"practice-{id}",
        status=status,
        scope=Scope.national,
        implementation_status=Implementation.ongoing,
        start_year=start_year,
        published_at=utcnow() if status == Status.published else None,
    )
    practice.translations["en"] = PracticeTranslation(
        language="en", title=title, summary=f"Summary of {title}.", body=body
    )
    if title_es is not None:
        practice.translations["es"] = PracticeTranslation(
            language="es", title=title_es, summary=f"Resumen de {title_es}.", body=body_es or ""
        )
    practice.themes = [theme(slug) for slug in themes]
    practice.pillars = [pillar(n) for n in pillars]
    practice.countries = [country(code) for code in countries]
    db.session.add(practice)
    db.session.flush()
    return practice
