"""Suggestions as one types: the index answers; the names it does not store (themes,
organisations) are read from the database only when the index has changed."""

from __future__ import annotations

import logging

from sqlalchemy import select

from kb.extensions import db
from kb.i18n import pick_text
from kb.models import Organisation, Theme
from kb.search import get_index
from kb.search import suggest as suggest_index
from kb.search.schema import LANGS
from kb.search.suggest import Labels, Suggestion

log = logging.getLogger(__name__)


def _by_language(obj, field: str) -> dict[str, str]:
    return {lang: value for lang in LANGS if (value := pick_text(obj, field, lang).value)}


def labels() -> Labels:
    """Theme names and listed organisations' names and acronyms, in both languages."""
    themes = db.session.scalars(select(Theme)).all()
    organisations = db.session.scalars(select(Organisation).where(Organisation.is_listed)).all()
    return Labels(
        themes={theme.slug: _by_language(theme, "name") for theme in themes},
        organisations=tuple(
            (_by_language(org, "name"), _by_language(org, "acronym")) for org in organisations
        ),
    )


def suggestions(text: str, lang: str, limit: int) -> list[Suggestion]:
    """What to offer for ``text`` typed on a page in ``lang``; never raises: a suggestion box
    that fails shows nothing, and the search form still works."""
    try:
        return suggest_index.suggest(get_index(), text, lang, labels, limit)
    except Exception:  # noqa: BLE001 - suggestions are optional; the failure is logged
        log.warning("suggestions failed for %r", text, exc_info=True)
        return []
