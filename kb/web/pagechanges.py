"""What one server process knows of the changes its node has applied, for its kept pages
(``kb.web.pagecache``): read from the node's journal of applied rows (``kb.search.follow``)
each time the node's position moves, and asked whether a page made at a given position still
shows what the index holds.
"""

from __future__ import annotations

import time
from collections import deque

import numpy as np

from kb.models.search import SITE_WIDE
from kb.search import follow
from kb.web.pagestore import Entry

# Rows of the journal remembered for search pages, which ask which practices changed since
# they were made: a page older than the oldest of them is made anew.
RECENT_ROWS = 10_000


class Changes:
    """The journal as this process has read it. Not thread-safe: the page cache holds its
    lock around every call."""

    def __init__(self, lag: float = 0.0):
        self.lag = lag  # seconds a page of the whole catalogue may lag behind (PAGE_CACHE_LAG)
        self.position = 0  # the node position this process has read the journal up to
        self._latest: dict[int, int] = {}  # practice id -> newest row id seen for it
        self._latest_any = 0  # newest row id seen at all
        self._recent: deque[tuple[int, int]] = deque(maxlen=RECENT_ROWS)  # (row id, practice)
        self._recent_from = 0  # every row past this id is in _recent
        self._cleared_at = 0  # the position of the last time anything may have changed
        self._journal: follow.JournalReader | None = None

    @property
    def journal_name(self) -> str | None:
        """The name of the journal read (a journal begun anew has another)."""
        name = self._journal.name if self._journal is not None else None
        return name.decode() if name else None

    def fresh(self, entry: Entry) -> bool | set[int]:
        """Whether ``entry`` shows what the node's index holds now; for a search's page, maybe
        the practices to ask its search about."""
        if self._latest_any <= entry.position:
            return True
        if entry.tags is None and entry.matched is None:
            return (
                entry.lags
                and entry.position >= self._cleared_at
                and time.monotonic() - entry.made < self.lag
            )
        if self._latest.get(SITE_WIDE, 0) > entry.position:
            return False
        if entry.matched is None:
            return all(self._latest.get(pid, 0) <= entry.position for pid in entry.tags)
        if entry.position < self._recent_from:
            return False  # which practices changed since is no longer known
        changed = set()
        for row_id, practice_id in reversed(self._recent):
            if row_id <= entry.position:
                break
            changed.add(practice_id)
        if np.isin(list(changed), entry.matched, assume_unique=True).any():
            return False  # it counted one of them
        return changed

    def catch_up(self, position: int, directory) -> bool:
        """Read the journal up to the node's new ``position``. False when it cannot tell what
        changed (a rebuild, a journal begun anew or lost): every kept page must go."""
        if position < self.position:
            # A thread that read the position before another caught up, or a position that
            # really went back (its file lost): only the second changes anything.
            position = follow.read_position(directory)
            if position >= self.position:
                return True
        if self._journal is None or self._journal.path.parent != directory:
            self._journal = follow.JournalReader(directory)
        rows = self._journal.read()
        if rows is not None:
            for row_id, practice_id in rows:
                if row_id > self._latest.get(practice_id, 0):
                    self._latest[practice_id] = row_id
                self._latest_any = max(self._latest_any, row_id)
                if len(self._recent) == self._recent.maxlen:
                    self._recent_from = self._recent[0][0]
                self._recent.append((row_id, practice_id))
        told = not (rows is None or position < self.position or self._latest_any < position)
        if not told:
            self._latest_any = max(self._latest_any, position)
            self._latest = {SITE_WIDE: self._latest_any}
            self._recent.clear()
            self._recent_from = self._cleared_at = self._latest_any
        self.position = position
        return told
