"""A node's place in the change log: its position, its lock, its report, and its follower.

Each node keeps its own index, and with it (in the index folder) the id of the last log row
that index has applied. Only one process of a node follows the log at a time (a file lock next
to the index), so the position is read, applied and moved forward as one step. After moving,
the node reports its position to the database (``search_node``), and rows that every known
node has passed are pruned.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kb.db import utcnow
from kb.errors import IndexBusy
from kb.models import SearchChange, SearchNode

log = logging.getLogger(__name__)

POSITION_FILE = "log-position"
LOCK_FILE = "log-follow.lock"
# What this node applied, row by row ("<id> <practice id>" lines), written before the position
# moves past them: the server processes of the node read it to know which pages went stale.
JOURNAL_FILE = "log-journal"
JOURNAL_MAX_BYTES = 1 << 20  # then begun anew, as a new file: readers see it and start over


def default_node_name(index_dir: str | Path) -> str:
    """This machine and its index folder: stable across restarts, distinct across nodes."""
    return f"{socket.gethostname()}:{Path(index_dir).resolve()}"


def read_position(directory: Path) -> int:
    """The last log id applied to the index in ``directory`` (0: none recorded)."""
    try:
        return int((directory / POSITION_FILE).read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def replace_file(path: Path, text: str) -> None:
    """Write ``path`` whole, atomically: a reader sees the old file or the new one."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    temporary.write_text(text)
    os.replace(temporary, path)


def write_position(directory: Path, position: int) -> None:
    """Record ``position`` atomically (a reader sees the old value or the new one)."""
    directory.mkdir(parents=True, exist_ok=True)
    replace_file(directory / POSITION_FILE, f"{position}\n")


def append_journal(directory: Path, rows) -> None:
    """Add the applied ``rows`` ((id, practice id) pairs) to the node's journal, in one write.
    Called under the follow lock, before the position moves past them. A journal is begun
    (anew when full) with a line naming it, so that readers can tell it from an older one."""
    text = "".join(f"{row_id} {practice_id}\n" for row_id, practice_id in rows)
    path = directory / JOURNAL_FILE
    try:
        fresh = path.stat().st_size > JOURNAL_MAX_BYTES
    except FileNotFoundError:
        fresh = True
    if not fresh:
        with open(path, "a") as handle:
            handle.write(text)
        return
    replace_file(path, f"journal {uuid.uuid4().hex}\n{text}")


class JournalReader:
    """Reads a node's journal from where it last stopped. ``read()`` gives the rows added
    since, or None when it cannot tell (a journal it had not read, begun anew, missing or
    damaged): everything may have changed. Not thread-safe: the caller holds a lock."""

    def __init__(self, directory: Path):
        self.path = Path(directory) / JOURNAL_FILE
        self.name: bytes | None = None
        self.offset = 0

    def read(self) -> list[tuple[int, int]] | None:
        try:
            with open(self.path, "rb") as handle:
                name = handle.readline()
                lost = name != self.name
                if lost:
                    self.name, self.offset = name, len(name)
                handle.seek(self.offset)
                data = handle.read()
        except FileNotFoundError:
            self.name, self.offset = None, 0
            return None
        end = data.rfind(b"\n") + 1  # a line being written is read next time
        self.offset += end
        rows = []
        try:
            for line in data[:end].splitlines():
                row_id, practice_id = line.split(b" ")
                rows.append((int(row_id), int(practice_id)))
        except ValueError:  # a line cut by a crash: what it said is unknown
            return None
        return None if lost else rows


@contextlib.contextmanager
def follow_lock(directory: Path, timeout: float):
    """Hold this node's follow lock, waiting up to ``timeout`` seconds for it."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / LOCK_FILE, "a+") as handle:  # a new open file: threads exclude too
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusy(str(directory)) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def head(session: Session) -> int:
    """The id of the newest row in the log (0 when it is empty)."""
    return session.scalar(select(func.max(SearchChange.id))) or 0


def pending(session: Session, position: int) -> int:
    return session.scalar(
        select(func.count()).select_from(SearchChange).where(SearchChange.id > position)
    )


def report(session: Session, node: str, position: int) -> int:
    """Record ``node`` at ``position``, then prune the rows every known node has passed;
    return how many were pruned. Commits."""
    values = {"position": position, "seen_at": utcnow()}
    changed = session.execute(update(SearchNode).where(SearchNode.name == node).values(**values))
    if not changed.rowcount:
        try:
            with session.begin_nested():
                session.add(SearchNode(name=node, **values))
        except IntegrityError:  # another process of this node registered it meanwhile
            session.execute(update(SearchNode).where(SearchNode.name == node).values(**values))
    slowest = session.scalar(select(func.min(SearchNode.position)))
    pruned = session.execute(delete(SearchChange).where(SearchChange.id <= slowest)).rowcount
    session.commit()
    return pruned or 0


def nodes(session: Session) -> list[SearchNode]:
    return list(session.scalars(select(SearchNode).order_by(SearchNode.name)))


def forget(session: Session, node: str) -> bool:
    """Drop a node that is gone for good, so that pruning no longer waits for it."""
    gone = session.execute(delete(SearchNode).where(SearchNode.name == node)).rowcount
    session.commit()
    return bool(gone)


class Follower:
    """A daemon thread that follows the log every ``interval`` seconds (one per server process;
    `make run` starts it in each gunicorn worker). Applying is idempotent, and the follow lock
    makes the processes of one node take turns."""

    def __init__(self, app, interval: float):
        self.app = app
        self.interval = interval
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="kb-log-follower", daemon=True)

    def start(self) -> Follower:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        index = self.app.extensions["kb_search"]
        while not self._stop.wait(self.interval):
            try:
                with self.app.app_context():
                    if index.exists():
                        index.sync_now()
            except IndexBusy:
                continue  # a rebuild holds the index; try again at the next tick
            except Exception:  # noqa: BLE001 - keep following; the next tick retries
                log.warning("following the change log failed", exc_info=True)
