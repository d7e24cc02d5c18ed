"""Kept pages shared by the processes of a node, as files in ``pages/`` of its index folder:
a page one process made is served by the others, so that a node makes each page once (after a
start, and after each change that touches it) rather than once per process.

A file holds one page and what its freshness is judged by: the key it answers, the build of
the code that made it (pages from before a deploy are not served), the journal it was made
under (``kb.search.follow``: a journal begun anew means anything may have changed), the
change-log position it was made at, the practices it shows (or none: the whole catalogue),
whether it may lag, how to check it again once expired (if it can be), and when it was made.
The reading process judges it as it judges its own pages (``kb.web.pagecache``). Files are
written whole (a reader sees the old one or the new one) and swept away once older than the
pages' lifetime, oldest first past the size allowed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SWEEP_EVERY = 10.0  # seconds between two sweeps by one process


@dataclass
class Entry:
    """A kept page, and what its freshness is judged by (kb.web.pagecache)."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    position: int
    tags: frozenset[int] | None  # None: depends on the whole catalogue (unless a search's)
    # A search's page: the practice ids it counted (sorted), and which of some ids it counts now.
    matched: np.ndarray | None = None
    rematch: Callable[[set[int]], set[int]] | None = None
    # Asked when the page expires (kb.web.pagecache.recheck_with): a check's name and its
    # arguments.
    recheck: tuple[str, list] | None = None
    # A page of the whole catalogue that may be served PAGE_CACHE_LAG seconds after a change
    # (not a search's page, even one without hits).
    lags: bool = True
    made: float = field(default_factory=time.monotonic)

    @property
    def size(self) -> int:
        counted = 0 if self.matched is None else self.matched.nbytes
        return len(self.body) + counted + 64 * len(self.headers) + 200


def build_id(*folders: Path) -> str:
    """The code that makes the pages, as the number and newest modification time of the files
    in ``folders`` (the package, its templates and translations; compiled bytecode aside): a
    page another build made, before a deploy, is not served by this one."""
    count = newest = 0
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            count += 1
            newest = max(newest, path.stat().st_mtime_ns)
    return f"{count}-{newest}"


class PageStore:
    def __init__(self, directory: Path, max_bytes: int, seconds: float, build: str = ""):
        self.directory = Path(directory)
        self.build = build
        self.max_bytes = max_bytes
        self.seconds = seconds
        self._swept = time.monotonic()
        self._sweeping = threading.Lock()

    def _path(self, key) -> Path:
        return self.directory / hashlib.sha1(repr(key).encode()).hexdigest()

    def get(self, key) -> tuple[Entry, str] | None:
        """The page kept for ``key`` and the journal it was made under, if a whole file for it
        is there."""
        try:
            with open(self._path(key), "rb") as handle:
                header = json.loads(handle.readline())
                body = handle.read()
        except (OSError, ValueError):
            return None
        if (
            header.get("key") != repr(key)
            or header.get("build") != self.build
            or len(body) != header.get("length")
        ):
            return None
        try:
            tags = None if header["tags"] is None else frozenset(header["tags"])
            headers = [tuple(pair) for pair in header["headers"]]
            entry = Entry(header["status"], headers, body, header["position"], tags)
            if recheck := header.get("recheck"):
                entry.recheck = (recheck[0], list(recheck[1]))
            entry.lags = bool(header["lags"])
            entry.made = time.monotonic() - max(0.0, time.time() - header["made_at"])
            return entry, header["journal"]
        except (KeyError, TypeError, IndexError):  # written by another version: made anew
            return None

    def put(self, key, entry: Entry, journal: str) -> None:
        """Keep ``entry`` for ``key`` (written whole: to a file of its own, then renamed)."""
        header = {
            "key": repr(key),
            "build": self.build,
            "journal": journal,
            "position": entry.position,
            "tags": None if entry.tags is None else sorted(entry.tags),
            "recheck": entry.recheck,
            "lags": entry.lags,
            "made_at": time.time() - (time.monotonic() - entry.made),
            "status": entry.status,
            "headers": entry.headers,
            "length": len(entry.body),
        }
        path = self._path(key)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as handle:
                handle.write(json.dumps(header).encode() + b"\n" + entry.body)
            os.replace(partial, path)
        except OSError:  # a full disk or a folder gone: the page is kept in memory only
            with contextlib.suppress(OSError):
                partial.unlink()
            return
        if time.monotonic() - self._swept > SWEEP_EVERY and self._sweeping.acquire(False):
            try:
                self.sweep()
            finally:
                self._sweeping.release()

    def sweep(self) -> None:
        """Remove pages older than their lifetime, then the oldest past ``max_bytes``."""
        self._swept = time.monotonic()
        now = time.time()
        files = []
        with contextlib.suppress(OSError), os.scandir(self.directory) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    stat = entry.stat()
                    files.append((stat.st_mtime, stat.st_size, entry.path))
        total = sum(size for _mtime, size, _path in files)
        for mtime, size, path in sorted(files):
            if now - mtime <= self.seconds and total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                os.unlink(path)
            total -= size

    def clear(self) -> None:
        """Remove every kept page (of every process of the node)."""
        with contextlib.suppress(OSError), os.scandir(self.directory) as entries:
            for entry in entries:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
