"""Configuration: defaults, then the instance folder, then KB_* environment, then a test mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ENV_PREFIX = "KB_"
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"


class Defaults:
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = DEFAULT_LANGUAGE
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = LANGUAGES
    PAGE_SIZE = 20
    LANGUAGE_COOKIE = "kb_lang"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    JSON_SORT_KEYS = False
    SEARCH_WRITE_TIMEOUT = 30.0
    SEARCH_SYNC_ON_START = True
    SEARCH_PAGE_SIZE = 20


def instance_path() -> Path:
    """The instance folder: ``KB_INSTANCE`` or ``./instance``, made absolute."""
    return Path(os.environ.get("KB_INSTANCE", "instance")).resolve()


def secret_key(instance: Path) -> str:
    """``KB_SECRET_KEY``, else a key generated once and kept in the instance folder."""
    if key := os.environ.get("KB_SECRET_KEY"):
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(app, overrides: dict | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance ``settings.py``, environment, overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("settings.py", silent=True)
    for name, value in os.environ.items():
        if name.startswith(ENV_PREFIX) and name not in ("KB_INSTANCE",):
            app.config[name[len(ENV_PREFIX) :]] = value
    if overrides:
        app.config.update(overrides)
    instance = Path(app.instance_path)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'kb.sqlite'}",
    )
    app.config.setdefault("INDEX_DIR", str(instance / "index"))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
