"""Selectables and loader options over the catalogue's tables, shared by the services and the
search index (which must not import the services)."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.orm import selectinload

from kb.models.practice import Practice, PracticeTranslation, practice_corridor, practice_country
from kb.models.taxonomy import Corridor


def involvement():
    """(practice_id, code) for every country a practice involves: its own or a corridor end."""
    return union(
        select(practice_country.c.practice_id, practice_country.c.country_code.label("code")),
        select(practice_corridor.c.practice_id, Corridor.origin_code.label("code")).join(
            Corridor, Corridor.id == practice_corridor.c.corridor_id
        ),
        select(practice_corridor.c.practice_id, Corridor.destination_code.label("code")).join(
            Corridor, Corridor.id == practice_corridor.c.corridor_id
        ),
    ).subquery("involvement")


def card_options(texts: tuple[str, ...] | None = None):
    """What a practice card shows, loaded in a few queries rather than one per card; with
    ``texts``, only those columns of the translations."""
    translations = selectinload(Practice.translations)
    if texts:
        translations = translations.load_only(
            *(getattr(PracticeTranslation, name) for name in texts), raiseload=True
        )
    return (
        translations,
        selectinload(Practice.themes),
        selectinload(Practice.pillars),
        selectinload(Practice.corridors),
        selectinload(Practice.countries),
    )


def display_options():
    """A card's links and the sectors and provinces that filters and documents name."""
    return (
        *card_options(),
        selectinload(Practice.sectors),
        selectinload(Practice.subdivisions),
    )
