"""The Whoosh index on disk: one writer at a time, a long-lived searcher, following the change
log, rebuild, check."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.index import LockError
from whoosh.writing import CLEAR

from kb.errors import IndexBusy
from kb.models import Practice, PracticeOrganisation, SearchChange, Status
from kb.models.queries import display_options
from kb.models.search import SITE_WIDE
from kb.search import cleaning, documents, follow, integrity
from kb.search.bitsets import FacetSets
from kb.search.codec import InliningCodec
from kb.search.orders import Orders
from kb.search.postings import PostingsCache
from kb.search.ranking import RankCache
from kb.search.schema import build_schema

log = logging.getLogger(__name__)
cleaning.install()  # merged-away segments' files outlive the searchers still reading them

BATCH = 500
# A rebuild of at least this many practices analyses them in one worker process per core
# (Whoosh's MpWriter): analysis is most of a rebuild's time, and it runs in Python.
PARALLEL_FROM = 2000
PARALLEL_BATCH = 100  # documents handed to a worker at a time


def rebuild_processes(count: int) -> int:
    return min(os.cpu_count() or 1, 4) if count >= PARALLEL_FROM else 1


def _load_options():
    """What a card shows, plus the organisations a document names."""
    return (
        *display_options(),
        selectinload(Practice.organisation_links).selectinload(PracticeOrganisation.organisation),
    )


def load_for_index(session: Session, ids: Iterable[int]) -> dict[int, Practice]:
    """The published practices among ``ids``, with everything their documents need."""
    rows = session.scalars(
        select(Practice)
        .where(Practice.id.in_(list(ids)), Practice.status == Status.published)
        .options(*_load_options())
    )
    return {p.id: p for p in rows}


@dataclass
class CheckReport:
    missing: list[int] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    pending: int = 0

    @property
    def drift(self) -> bool:
        return bool(self.missing or self.stale or self.extra or self.damaged)


class SearchIndex:
    """One index folder. Each thread reads through its own searcher, reopened only when the
    index has a new generation (segment files are plain files, read by seek and read, so a
    searcher must not be shared between threads). Writers take the index lock in turn, waiting
    up to ``write_timeout`` seconds."""

    def __init__(self, directory: str | Path, write_timeout: float = 30.0):
        self.directory = Path(directory)
        self.write_timeout = float(write_timeout)
        self.merge = True  # tests turn merging off to get several segments
        self._ix = None
        self._current_generation = None  # see schema_is_current
        self._lock = threading.RLock()
        self._local = threading.local()
        self.schema = build_schema()
        self.facets = FacetSets()
        self.ranking = RankCache()
        self.orders = Orders()
        self.postings = PostingsCache()
        self.session_factory: Callable[[], Session] | None = None
        self.node = follow.default_node_name(self.directory)

    # --- opening ----------------------------------------------------------------------------
    def exists(self) -> bool:
        """Whether an index was written here, even one this version cannot read (written by a
        version whose analysis classes are gone): ``rebuild`` then starts anew."""
        try:
            return whoosh_index.exists_in(str(self.directory))
        except Exception:  # noqa: BLE001 - unreadable, but there
            return any(self.directory.glob("_MAIN_*.toc"))

    def open(self):
        with self._lock:
            if self._ix is None:
                if not self.exists():
                    self.directory.mkdir(parents=True, exist_ok=True)
                    whoosh_index.create_in(str(self.directory), self.schema)
                self._ix = whoosh_index.open_dir(str(self.directory))
            return self._ix

    def searcher(self):
        """This thread's searcher, reopened when a writer has committed since (about 2 ms with
        separate segment files; Searcher.refresh() kept the old generation here)."""
        ix = self.open()
        current = getattr(self._local, "searcher", None)
        if current is not None and current.reader().generation() == ix.latest_generation():
            return current
        if current is not None:
            current.close()
        searcher = ix.searcher()
        searcher.kb_postings = self.postings  # decoded postings, shared by this index's readers
        self._local.searcher = searcher
        return searcher

    def close(self) -> None:
        with self._lock:
            current = getattr(self._local, "searcher", None)
            if current is not None:
                current.close()
            self._local = threading.local()
            self._ix = None

    def writer(self, procs: int = 1):
        """A writer that waits for the lock instead of failing at once.

        ``compound=False`` keeps segment files separate, so opening a searcher does not copy
        them into memory (about 2 ms instead of 30-145 ms). With ``procs`` > 1, documents are
        analysed and written by that many worker processes, each making one segment.
        """
        options = {
            "timeout": self.write_timeout,
            "delay": 0.05,
            "compound": False,
            "codec": InliningCodec(),
        }
        if procs > 1:
            options.update(procs=procs, multisegment=True, limitmb=256, batchsize=PARALLEL_BATCH)
        try:
            return self.open().writer(**options)
        except LockError as exc:
            raise IndexBusy(str(self.directory)) from exc

    def _commit(self, writer, **kwargs) -> None:
        writer.commit(**kwargs)
        try:
            integrity.write_manifest(whoosh_index.open_dir(str(self.directory)))
        except Exception:  # noqa: BLE001 - the commit stands; the checks then skip sizes
            log.warning("index manifest not written", exc_info=True)

    @staticmethod
    def _cancel(writer) -> None:
        """Cancel, and remove the files the writer had begun (Whoosh leaves them behind)."""
        storage, segment = writer.storage, writer.newsegment
        writer.cancel()
        for name in segment.list_files(storage):
            with contextlib.suppress(OSError):
                storage.delete_file(name)

    # --- keeping in step with the database --------------------------------------------------
    def _write(self, writer, session: Session, ids: list[int]) -> None:
        practices = load_for_index(session, ids)
        for pid in ids:
            if pid in practices:
                writer.update_document(**documents.build(practices[pid]))
            else:
                writer.delete_by_term("id", str(pid))

    def apply(self, session: Session, practice_ids: Iterable[int]) -> int:
        """Rewrite or remove the entries of ``practice_ids`` from the database's current state.

        The practices are read after the index lock is taken: a writer that waited for the
        lock cannot then write an older state over a newer one.
        """
        ids = sorted(set(practice_ids) - {SITE_WIDE})
        if not ids:
            return 0
        writer = self.writer()
        try:
            self._write(writer, session, ids)
        except BaseException:
            self._cancel(writer)
            raise
        self._commit(writer, merge=self.merge)
        return len(ids)

    @property
    def position(self) -> int:
        """The last change-log id this index has applied."""
        return follow.read_position(self.directory)

    def sync(self, session_factory: Callable[[], Session]) -> int:
        """Apply the log rows past this node's position, oldest first, and move the position
        after each index commit: a crash in between repeats the work (it is idempotent) and
        loses nothing. Returns how many practices were rewritten or removed."""
        if not self.exists():
            # Never from the log alone, which may have been pruned: from the database.
            with session_factory() as session:
                return self.rebuild(session)
        with session_factory() as session:
            if follow.head(session) <= self.position:
                return 0  # nothing new: no lock, no writer, no files
        applied = 0
        with follow.follow_lock(self.directory, self.write_timeout):
            while True:
                position = self.position  # read again under the lock
                with session_factory() as session:
                    rows = session.execute(
                        select(SearchChange.id, SearchChange.practice_id)
                        .where(SearchChange.id > position)
                        .order_by(SearchChange.id)
                        .limit(BATCH)
                    ).all()
                    if not rows:
                        break
                    applied += self.apply(session, [pid for _, pid in rows])
                follow.append_journal(self.directory, rows)
                follow.write_position(self.directory, rows[-1][0])
            with session_factory() as session:
                follow.report(session, self.node, self.position)
        return applied

    def schema_is_current(self) -> bool:
        """Whether the index on disk opens and has the fields this version writes. A yes is
        remembered for the generation it was read from (every list page asks; reading the
        schema unpickles it)."""
        ix = self._ix
        if ix is not None and self._current_generation is not None:
            with contextlib.suppress(Exception):  # gone meanwhile: read it anew below
                if ix.latest_generation() == self._current_generation:
                    return True
        self._current_generation = None
        if not self.exists():
            return False
        try:
            ix = self.open()
            generation = ix.latest_generation()
            current = set(ix.schema.names()) == set(self.schema.names())
        except Exception:  # noqa: BLE001 - any failure to open means "not current"
            self.close()
            return False
        if current:
            self._current_generation = generation
        return current

    def damaged(self) -> list[str]:
        """Files of the current generation missing or changed in size since their commit
        (a few stat calls: cheap enough for every health probe)."""
        return integrity.damaged_files(self.directory, self.open().latest_generation())

    def sync_now(self) -> int:
        """Follow the log with this index's own sessions (set by the app)."""
        return self.sync(self.session_factory)

    def pending(self, session: Session) -> int:
        """Log rows this node has not applied yet."""
        return follow.pending(session, self.position)

    def rebuild(self, session: Session, progress=iter) -> int:
        """Recreate the index from the database, holding the index lock throughout.

        The new segment replaces every old one in a single commit (``mergetype=CLEAR``), so
        readers see either the old index or the new one. Log rows present at the start are
        covered by the rebuild: the position moves to the newest of them, and the node is
        registered there first, so that no row it still needs is pruned meanwhile.
        """
        if not self.schema_is_current():
            # An unreadable index, or one made by an older version of the schema: start anew.
            if self.exists():
                log.warning("index unreadable or of another schema; starting from an empty one")
            self.close()
            shutil.rmtree(self.directory, ignore_errors=True)
        with follow.follow_lock(self.directory, self.write_timeout):
            follow.report(session, self.node, self.position)  # before the head is read
            covered = follow.head(session)
            count = self._rebuild(session, progress)
            follow.write_position(self.directory, covered)
            follow.report(session, self.node, covered)
        return count

    def _rebuild(self, session: Session, progress) -> int:
        ids = session.scalars(
            select(Practice.id).where(Practice.status == Status.published).order_by(Practice.id)
        ).all()
        writer = self.writer(procs=rebuild_processes(len(ids)))
        committed = False
        try:
            count = 0
            for start in progress(range(0, len(ids), BATCH)):
                for practice in load_for_index(session, ids[start : start + BATCH]).values():
                    writer.add_document(**documents.build(practice))
                    count += 1
                session.expunge_all()
            self._commit(writer, mergetype=CLEAR)
            committed = True
        finally:
            if not committed:
                self._cancel(writer)
        return count

    def check(self, session: Session) -> CheckReport:
        """Read the whole index back, then compare it with the published practices."""
        if not self.schema_is_current():
            ids = session.scalars(select(Practice.id).where(Practice.status == Status.published))
            return CheckReport(missing=sorted(ids), pending=self.pending(session))
        ix = self.open()
        damaged = self.damaged() or integrity.read_back(ix, self.schema)
        if damaged:
            return CheckReport(damaged=damaged, pending=self.pending(session))
        indexed = {
            int(fields["id"]): fields.get("stamp") for fields in self.searcher().all_stored_fields()
        }
        report = CheckReport(pending=self.pending(session))
        ids = session.scalars(select(Practice.id).where(Practice.status == Status.published)).all()
        for start in range(0, len(ids), BATCH):
            for pid, practice in load_for_index(session, ids[start : start + BATCH]).items():
                if pid not in indexed:
                    report.missing.append(pid)
                elif indexed[pid] != documents.build(practice)["stamp"]:
                    report.stale.append(pid)
            session.expunge_all()
        report.extra = sorted(set(indexed) - set(ids))
        report.missing.sort()
        report.stale.sort()
        return report
