"""Pages for visitors without a session, kept in each server process and as fresh as this
node's index: a kept page is served only while no change the node has applied since it was
made could alter it, but for pages of the whole catalogue, which may lag ``PAGE_CACHE_LAG``
seconds behind.

Which requests: GET and HEAD without a session or remember-me cookie and without credentials
(anyone signed in, or holding a form's token, has a session). Which responses: a 200 whose
whole body is in memory, that sets no cookie but the language one, is not private, and varies on
nothing but the language. Keys: scheme, host, path and query, the language cookie and the
language the browser prefers (pages without a prefix follow them).

Freshness. A page is kept with the node's change-log position read before it was made (so it
shows at least everything up to there). Each process reads the node's journal of applied rows
(``kb.search.follow``) when the position moves, and a kept page is then stale if:
- it depends on the catalogue as a whole (lists, home, feeds, the API's lists): any row
  since, once it is ``PAGE_CACHE_LAG`` seconds old (so that a node busy with changes makes
  each such page at most once per lag, not once per change);
- it depends on given practices (a practice's page, its versions, its API record): a row for
  one of them, or a site-wide row (taxonomy, collections, events, accounts);
- it shows a search's results (the search page, its feed, the API's search): a site-wide row,
  or a row for a practice the search counted when the page was made or counts now (asked of
  the index when the page is next served: a practice published elsewhere in the catalogue
  leaves it kept). Its ranking figures (how rare each word is in the whole index) may then
  lag behind, for at most ``PAGE_CACHE_SECONDS``; what it lists and counts does not.
When the journal cannot tell (begun anew, a rebuild), everything is dropped. Pages are kept at
most ``PAGE_CACHE_SECONDS``, unless a check they name (``recheck_with``) then finds what they
show unchanged, and within ``PAGE_CACHE_MB`` per process, least recently used
out.
Pages other than search results are also shared with the node's other processes
(``kb.web.pagestore``, within ``PAGE_CACHE_MB`` more on disk), each judged as above.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from threading import Event

from flask import Flask, g, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header, parse_cookie
from werkzeug.wrappers import Response

from kb.config import LANGUAGES
from kb.web.pagechanges import Changes
from kb.web.pagestore import Entry, PageStore, build_id

HEADER = "X-KB-Cache"
_PENDING = "kb.pagecache.position"  # environ: the position a page being made may be kept at
_STORE = "kb.pagecache.store"  # environ: set by the app when the response may be kept
_VARY_OK = {"cookie", "accept-language", "accept-encoding", "origin"}
# How long a request waits for another thread of its process making the same page before
# making it too: a page takes tens of milliseconds, and under load a longer wait held threads
# that had other pages to serve (bench/load.py: p99 4 s with 10 s, 1 s with none).
WAIT_SECONDS = 1.0


def depends_on(*practice_ids: int) -> None:
    """This page shows only these practices (and names of things): rows for other practices
    leave it fresh."""
    g.pagecache_tags = frozenset(getattr(g, "pagecache_tags", frozenset()) | set(practice_ids))


def depends_on_search(result) -> None:
    """This page shows ``result`` (a ``kb.search.query.SearchResult``): it changes with the
    practices the search counts, then or now. A search without hits shows a spelling
    suggestion read from the whole index: such a page depends on the whole catalogue."""
    if result.total and result.rematch is not None:
        g.pagecache_search = (result.matched, result.rematch)
    else:  # made anew after any change, without PAGE_CACHE_LAG
        g.pagecache_lags = False


def skip() -> None:
    """Never keep this response."""
    g.pagecache_skip = True


# Checks a kept page may name to be checked again when it expires, rather than made anew:
# each is given the page's arguments (in an app context) and answers the practices the page
# would show if made now, or None when it must be made anew (kb.web.public registers one).
RECHECKS: dict[str, Callable[..., frozenset[int] | None]] = {}


def recheck_with(name: str, *args) -> None:
    """When this page expires, ``RECHECKS[name](*args)`` tells whether it is as it would be
    made now: if it answers the practices the page shows, it is kept another
    ``PAGE_CACHE_SECONDS``. ``args`` are kept with the page (shared ones too): JSON values."""
    g.pagecache_recheck = (name, list(args))


class PageCache:
    """The WSGI side: looks up and serves kept pages, and keeps the ones the app marked."""

    def __init__(self, app: Flask, wsgi_app, max_bytes: int, seconds: float, lag: float = 0.0):
        self.app = app
        self.wsgi_app = wsgi_app
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.session_cookies = {
            app.config.get("SESSION_COOKIE_NAME", "session"),
            app.config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        }
        self.language_cookie = app.config["LANGUAGE_COOKIE"]
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0
        self._changes = Changes(lag)  # the node's journal as this process has read it
        self.shared: PageStore | None = None  # pages shared with the node's other processes
        self._making: dict[tuple, Event] = {}  # pages being made, by key

    @property
    def lag(self) -> float:
        return self._changes.lag

    @lag.setter
    def lag(self, seconds: float) -> None:
        self._changes.lag = seconds

    # --- the request path -----------------------------------------------------------------
    def __call__(self, environ, start_response):
        key = self._key(environ)
        index = self.app.extensions.get("kb_search")
        position = index.position if key is not None and index is not None else 0
        if not position:  # not a request for the cache, or no index to follow here
            return self.wsgi_app(environ, start_response)
        entry = self._lookup(key, position, index.directory)
        if entry is None and self.shared is not None:
            entry = self._from_shared(key)
        if entry is None:
            with self._lock:  # one thread makes a page; the others wait for it
                making = self._making.get(key)
                mine = Event() if making is None else None
                if mine is not None:
                    self._making[key] = mine
            if mine is None:
                making.wait(WAIT_SECONDS)
                entry = self._lookup(key, index.position, index.directory)
                if entry is None:  # not kept, or too slow: make it too
                    return self._make(key, position, environ, start_response)
            else:
                try:
                    entry = self._lookup(key, position, index.directory)  # kept meanwhile?
                    if entry is None:
                        return self._make(key, position, environ, start_response)
                finally:
                    with self._lock:
                        del self._making[key]
                    mine.set()
        return self._serve(entry, environ, start_response)

    def _make(self, key, position: int, environ, start_response):
        environ[_PENDING] = position
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, capture)
        marked = environ.get(_STORE)
        if (
            marked is None
            or environ.get("REQUEST_METHOD") != "GET"  # a HEAD answer has no body to keep
            or not captured.get("status", "").startswith("200")  # e.g. made conditional: 304
            or not self._storable(captured.get("headers", ()))
        ):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        tags, search, recheck, lags = marked
        entry = Entry(captured["status"], list(captured["headers"]), content, position, tags)
        entry.recheck = recheck
        entry.lags = lags
        if search is not None:
            entry.tags, (entry.matched, entry.rematch) = None, search
        if (journal := self._store(key, entry)) and search is None:
            self._share(key, entry, journal)
        return [content]

    def _key(self, environ) -> tuple | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get(
            "HTTP_AUTHORIZATION"
        ):
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith("/static/"):
            return None
        cookies = parse_cookie(environ.get("HTTP_COOKIE", "")) if "HTTP_COOKIE" in environ else {}
        if any(name in cookies for name in self.session_cookies):
            return None
        accepted = parse_accept_header(environ.get("HTTP_ACCEPT_LANGUAGE"), LanguageAccept)
        return (
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_X_FORWARDED_PROTO"),  # read by the proxy fix inside, if trusted
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME"),
            environ.get("SCRIPT_NAME", ""),
            path,
            environ.get("QUERY_STRING", ""),
            cookies.get(self.language_cookie),
            accepted.best_match(LANGUAGES),
        )

    def _storable(self, headers) -> bool:
        for name, value in headers:
            lowered = name.lower()
            if lowered == "set-cookie" and not value.startswith(f"{self.language_cookie}="):
                return False
            if lowered == "cache-control" and ("private" in value or "no-store" in value):
                return False
            if lowered == "vary" and any(
                part.strip().lower() not in _VARY_OK for part in value.split(",")
            ):
                return False
        return True

    def _serve(self, entry: Entry, environ, start_response):
        response = Response(entry.body, entry.status, entry.headers)
        response.headers[HEADER] = "hit"
        if "ETag" in response.headers or "Last-Modified" in response.headers:
            response.make_conditional(environ)
        return response(environ, start_response)

    # --- keeping ------------------------------------------------------------------------------
    def _lookup(self, key, position: int, directory) -> Entry | None:
        now = time.monotonic()
        with self._lock:
            if position != self._changes.position and not self._changes.catch_up(
                position, directory
            ):
                self._clear()  # pages being made from before now are not kept either
            entry = self._entries.get(key)
            if entry is None:
                return None
            fresh = self._changes.fresh(entry)
            expired = now - entry.made > self.seconds
            if fresh is False or (expired and (fresh is not True or entry.recheck is None)):
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            if fresh is True and not expired:
                return entry
            upto = self._changes.position
        # Outside the lock: an expired page asks its check again (a query), a search's page
        # whether its search counts the practices changed since (the index).
        unchanged = self._recheck(entry) if expired else self._rematch(entry, fresh)
        with self._lock:
            if self._entries.get(key) is not entry:
                return None
            if not unchanged:
                self._drop(key)
                return None
            entry.position = max(entry.position, upto)  # the same page as one made now
            if expired:  # kept here; not shared again, over a copy another process may have
                entry.made = time.monotonic()  # made anew meanwhile
            return entry

    def _rematch(self, entry: Entry, changed: set[int]) -> bool:
        try:
            return not entry.rematch(changed)
        except Exception:  # noqa: BLE001 - cannot tell: the page is made anew, errors and all
            self.app.logger.exception("pagecache: re-matching a kept search page failed")
            return False

    def _recheck(self, entry: Entry) -> bool:
        name, args = entry.recheck
        try:
            with self.app.app_context():
                return RECHECKS[name](*args) == entry.tags
        except Exception:  # noqa: BLE001 - cannot tell: the page is made anew, errors and all
            self.app.logger.exception("pagecache: checking an expired kept page failed")
            return False

    def _share(self, key, entry: Entry, journal: str | None) -> None:
        """Write ``entry``, judged current under ``journal``, for the node's other processes."""
        if self.shared is not None and journal:
            self.shared.put(key, entry, journal)

    def _store(self, key, entry: Entry) -> str | None:
        """Keep ``entry``; if kept, the name of the journal it was judged against."""
        if entry.size > self.max_bytes // 8:
            return None
        with self._lock:
            if entry.position < self._changes.position and self._changes.fresh(entry) is False:
                return None  # made from an older position, and something it shows changed since
            self._insert(key, entry)
            return self._changes.journal_name

    def _insert(self, key, entry: Entry) -> None:
        self._drop(key)
        self._entries[key] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes and self._entries:
            self._drop(next(iter(self._entries)))

    def _from_shared(self, key) -> Entry | None:
        """A page another process of the node made, if it is current here too."""
        found = self.shared.get(key)
        if found is None:
            return None
        entry, journal = found
        with self._lock:
            if journal != self._changes.journal_name or self._changes.fresh(entry) is not True:
                return None
            if time.monotonic() - entry.made <= self.seconds:
                self._insert(key, entry)
                return entry
            if entry.recheck is None:
                return None
            upto = self._changes.position
        if not self._recheck(entry):
            return None
        with self._lock:
            if self._changes.fresh(entry) is not True:
                return None
            entry.position, entry.made = max(entry.position, upto), time.monotonic()
            self._insert(key, entry)
        return entry

    def _drop(self, key) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= entry.size

    def _clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def clear(self) -> None:
        """Forget every kept page, those shared with the node's other processes too."""
        with self._lock:
            self._clear()
        if self.shared is not None:
            self.shared.clear()


def _mark(response):
    """After the app made a response: whether the page cache may keep it, and on what."""
    if (
        _PENDING in request.environ
        and response.status_code == 200
        and not response.is_streamed
        and not response.direct_passthrough
        and not getattr(g, "pagecache_skip", False)
    ):
        request.environ[_STORE] = (
            getattr(g, "pagecache_tags", None),
            getattr(g, "pagecache_search", None),
            getattr(g, "pagecache_recheck", None),
            getattr(g, "pagecache_lags", True),
        )
    return response


def init_app(app: Flask) -> PageCache | None:
    """Keep anonymous pages when ``PAGE_CACHE_MB`` is above 0, wrapping the app's WSGI callable
    (and any proxy fix: the forwarded scheme is part of the key)."""
    megabytes = float(app.config["PAGE_CACHE_MB"])
    if megabytes <= 0:
        return None
    app.after_request(_mark)
    cache = PageCache(
        app,
        app.wsgi_app,
        int(megabytes * 1024 * 1024),
        float(app.config["PAGE_CACHE_SECONDS"]),
        float(app.config["PAGE_CACHE_LAG"]),
    )
    if (index := app.extensions.get("kb_search")) is not None:
        code = [Path(app.root_path), Path(app.template_folder)]
        code.append(Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]))
        cache.shared = PageStore(
            index.directory / "pages", cache.max_bytes, cache.seconds, build_id(*code)
        )
    app.wsgi_app = cache
    app.extensions["kb_pagecache"] = cache
    return cache
