"""Blueprints whose pages live under a language prefix, /en/ or /es/."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, request
from flask_babel import refresh

from kb.config import LANGUAGES
from kb.errors import NotFound


def _take_language(endpoint, values):
    lang = (values or {}).pop("lang", None)
    if lang not in LANGUAGES:
        abort(404)
    g.lang = lang
    refresh()  # Babel may have cached another language on a shared app context


def _add_language(endpoint, values):
    if "lang" not in values and getattr(g, "lang", None):
        values["lang"] = g.lang


def _remember_language(response):
    cookie = current_app.config["LANGUAGE_COOKIE"]
    lang = getattr(g, "lang", None)
    if lang in LANGUAGES and request.cookies.get(cookie) != lang:
        response.set_cookie(cookie, lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response


def localised_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint under /<lang>/ that sets the page's language and remembers it in a cookie."""
    bp = Blueprint(name, import_name, url_prefix="/<lang>")
    bp.url_value_preprocessor(_take_language)
    bp.url_defaults(_add_language)
    bp.after_request(_remember_language)
    return bp


def found(fn, *args, **kwargs):
    """Call a service lookup; a missing record is the 404 page."""
    try:
        return fn(*args, **kwargs)
    except NotFound:
        abort(404)
