"""The site bench/load.py runs against when it serves one itself: the seeds plus synthetic
practices in a work folder, indexed, served by gunicorn on a loopback port; and an editor who
publishes a practice every few seconds and times how long search takes to find it.
"""

from __future__ import annotations

import random
import shutil
import sys
import threading
import time
from pathlib import Path

import cluster
import corpus

READY = "ready"  # written in the work folder once the database and index are complete


def progress(message: str) -> None:
    print(f"\r  {message}", end="", file=sys.stderr, flush=True)


def generate(database_url: str, count: int, seed: int) -> None:
    """``count`` synthetic published practices after the seeds, written without an index
    (the rebuild that follows indexes them all at once)."""
    from kb import create_app
    from kb.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "load",
            "SEARCH_SYNC_ON_START": False,
            "INDEX_DIR": "/nonexistent/kb-load-no-index",
        }
    )
    app.extensions.pop("kb_search")
    with app.app_context():
        corpus.generate(count, 1000, random.Random(seed), progress)
        db.engine.dispose()
    print(file=sys.stderr)


def prepare(work: Path, database_url: str, count: int, seed: int) -> cluster.Node:
    """The node to serve ``work``, its database and index made unless a run made them."""
    instance = work / "instance"
    node = cluster.Node("load", instance, database_url)
    if (work / READY).exists():
        # A cold start: no page kept by an earlier run's server (kb.web.pagestore).
        shutil.rmtree(instance / "index" / "pages", ignore_errors=True)
        print(f"Reusing the site in {work} (no page kept)", file=sys.stderr)
        return node
    work.mkdir(parents=True, exist_ok=True)
    print(f"Preparing the site in {work}: seeds, then {count:,} practices", file=sys.stderr)
    cluster.prepare_database(instance, database_url, node.name)
    started = time.perf_counter()
    generate(database_url, count, seed)
    print(f"  generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    started = time.perf_counter()
    print(f"  {node.rebuild()} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    (work / READY).write_text(f"{count}\n")
    return node


class Publisher(threading.Thread):
    """An editor publishing a submitted practice every ``every`` seconds through the site, then
    searching for it every 50 ms: the seconds from the publication's answer to the first
    search that lists it."""

    def __init__(self, url: str, database_url: str, every: float, deadline: float, count: int):
        super().__init__(daemon=True)
        self.every, self.deadline = every, deadline
        self.submissions = cluster.add_submissions(
            database_url, count, first_id=900_000 + int(time.time()) % 50_000 * 20
        )
        self.editor = cluster.Client(url)
        self.reader = cluster.Client(url)
        self.delays: list[float] = []
        self.at: list[float] = []  # when each publication was made, in seconds since the first
        self.missed: list[int] = []
        self.failures: list[str] = []

    def run(self) -> None:
        self.editor.login()
        first = time.monotonic()
        for submission in self.submissions:
            started = time.monotonic()
            if started >= self.deadline:
                break
            try:
                self.editor.publish(submission.id)
            except RuntimeError as exc:
                self.failures.append(str(exc))
                continue
            seconds = cluster.wait_until_found(self.reader, submission, timeout=10.0)
            if seconds is None:
                self.missed.append(submission.id)
            else:
                self.delays.append(seconds)
                self.at.append(started - first)
            time.sleep(max(0.0, started + self.every - time.monotonic()))

    def report(self) -> str:
        if not self.delays:
            return f"publisher: nothing published ({len(self.failures)} failure(s))"
        ordered = sorted(self.delays)
        within = sum(1 for d in ordered if d <= 1.0)
        late = ", ".join(
            f"{d * 1000:.0f} ms at {at:.0f} s"
            for d, at in zip(self.delays, self.at, strict=True)
            if d > 1.0
        )
        return (
            f"publisher: {len(ordered) + len(self.missed)} published, {within} found by search "
            f"within 1 s, p50 {ordered[len(ordered) // 2] * 1000:.0f} ms, "
            f"max {ordered[-1] * 1000:.0f} ms, {len(self.missed)} never found, "
            f"{len(self.failures)} failed" + (f"; later than 1 s: {late}" if late else "")
        )
