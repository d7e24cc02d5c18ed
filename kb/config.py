"""Configuration: defaults, then the instance folder, then KB_* environment, then a test mapping."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from kb.errors import InstanceNotFound

ENV_PREFIX = "KB_"
LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"
# KB_* variables that are not app settings.
NOT_SETTINGS = (
    "KB_INSTANCE",
    "KB_TRACEBACK",
    "KB_REQUIRE_SERVICES",
    "KB_VNU_JAR",
    "KB_SCREENSHOTS",
)


class Defaults:
    # Only `kb run --debug` turns debugging on (FLASK_DEBUG, KB_DEBUG and settings.py do not).
    DEBUG = False
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    BABEL_DEFAULT_LOCALE = DEFAULT_LANGUAGE
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = LANGUAGES
    PAGE_SIZE = 20
    # The most practices one download (CSV, XLSX, JSON) of a list or a search may hold.
    EXPORT_MAX_ROWS = 10_000
    LANGUAGE_COOKIE = "kb_lang"
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    JSON_SORT_KEYS = False
    SEARCH_WRITE_TIMEOUT = 30.0
    SEARCH_SYNC_ON_START = True
    # How often each server process looks for changes made through other nodes (seconds).
    SEARCH_FOLLOW_INTERVAL = 0.25
    # This node's name in the change log's list of nodes (default: host name and index folder).
    NODE_NAME = ""
    SEARCH_PAGE_SIZE = 20
    # What one search may cost (kb.search.parsing.Limits); past a limit the query is read more
    # simply, with a notice.
    SEARCH_MAX_WORDS = 24
    SEARCH_MAX_SLOP = 10
    SEARCH_MAX_EXPANSION = 64
    SEARCH_MAX_PATTERNS = 4
    # Seconds a process keeps the thesaurus before re-reading it (an edit applies within it).
    SEARCH_THESAURUS_TTL = 10.0
    # Pages for visitors without a session kept in memory, per server process (0: none), and
    # for at most that many seconds (kb.web.pagecache); changes drop them, at once or, for
    # pages of the whole catalogue, within PAGE_CACHE_LAG.
    PAGE_CACHE_MB = 64
    PAGE_CACHE_SECONDS = 60.0
    # How long a kept page of the whole catalogue (lists, home, feeds, the API's lists) may be
    # served after a change: while changes keep coming, each is made at most once per lag.
    # Search results (even without hits) and a practice's own pages never lag.
    PAGE_CACHE_LAG = 5.0
    # Links in mail are built on this address, never on the Host header a client sent.
    BASE_URL = "http://127.0.0.1:5000"
    MAIL_SENDER = "kb.services.mail:folder_sender"
    MAIL_FROM = "Fair Recruitment Practices <no-reply@localhost>"
    # Trusted reverse proxies in front of the app (their X-Forwarded-For and -Proto are used).
    PROXY_COUNT = 0
    SESSION_COOKIE_SECURE = False  # True forces it; over TLS the cookie is Secure anyway
    REMEMBER_COOKIE_HTTPONLY = True
    PASSWORD_METHOD = "scrypt"  # Werkzeug's scrypt: n=2**15, r=8, p=1


def instance_path() -> Path:
    """The instance folder: ``KB_INSTANCE``, else ``instance/`` of the checkout that holds the
    working directory. Anywhere else it is an error, rather than a new empty folder there."""
    if configured := os.environ.get("KB_INSTANCE"):
        return Path(configured).resolve()
    checkout = find_checkout(Path.cwd())
    if checkout is None:
        raise InstanceNotFound(
            f"No instance folder: set KB_INSTANCE, or work inside a checkout of the knowledge "
            f"base (none holds {Path.cwd()})."
        )
    return checkout / "instance"


def find_checkout(start: Path) -> Path | None:
    """The nearest folder, from ``start`` up, that is a checkout of this project."""
    for folder in (start, *start.parents):
        if (folder / "setup.cfg").is_file() and (folder / "kb" / "__init__.py").is_file():
            return folder
    return None


def secret_key(instance: Path) -> str:
    """``KB_SECRET_KEY``, else a key generated once and kept in the instance folder."""
    if key := os.environ.get("KB_SECRET_KEY"):
        return key
    path = instance / "secret_key"
    instance.mkdir(parents=True, exist_ok=True)
    try:
        # Created once, private from the start; a second worker starting at the same moment
        # finds the file and reads the same key.
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _typed(name: str, raw: str):
    """An environment value converted to the type of its default (bool, int, float)."""
    default = getattr(Defaults, name, None)
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int | float):
        return type(default)(raw)
    return raw


def load(app, overrides: dict | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance ``settings.py``, environment, overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("settings.py", silent=True)
    for name, value in os.environ.items():
        if name.startswith(ENV_PREFIX) and name not in NOT_SETTINGS:
            key = name[len(ENV_PREFIX) :]
            app.config[key] = _typed(key, value)
    app.config["DEBUG"] = False
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
