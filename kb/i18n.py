"""Language selection, lazy gettext and the one rule for falling back to the other language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from flask_babel import get_locale

from kb.config import DEFAULT_LANGUAGE, LANGUAGES


def N_(text: str) -> str:  # noqa: N802 - the usual name of gettext's no-op marker
    """Mark an English text for the catalogue without translating it here: it is translated
    where it is shown (the API's descriptions, stored in English in its OpenAPI document)."""
    return text


def other_language(lang: str) -> str:
    return next(code for code in LANGUAGES if code != lang)


def current_language() -> str:
    """The page's language: the URL prefix when there is one, else Babel's choice."""
    return getattr(g, "lang", None) or str(get_locale() or DEFAULT_LANGUAGE)


def preferred_language() -> str:
    """For pages without a prefix: the language cookie, then Accept-Language, then English."""
    cookie = request.cookies.get(current_app.config["LANGUAGE_COOKIE"])
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def select_locale() -> str:
    lang = getattr(g, "lang", None)
    return lang if lang in LANGUAGES else preferred_language()


@dataclass(frozen=True)
class Picked:
    """A piece of content in the language it is shown in, and whether that is a fallback."""

    value: Any
    lang: str
    is_fallback: bool


def _pick(read, lang: str) -> Picked:
    """The one fallback rule: the page's language if it has text, else the other, flagged."""
    if value := read(lang):
        return Picked(value, lang, False)
    other = other_language(lang)
    return Picked(read(other) or "", other, True)


def pick_text(obj: Any, field: str, lang: str) -> Picked:
    """``obj.<field>_<lang>`` (taxonomy, collections, events: one column per language)."""
    return _pick(lambda code: getattr(obj, f"{field}_{code}", None), lang)


def pick_field(translations: dict[str, Any], field: str, lang: str) -> Picked:
    """One field of a practice's translation rows, falling back field by field."""
    return _pick(lambda code: getattr(translations.get(code), field, None), lang)
