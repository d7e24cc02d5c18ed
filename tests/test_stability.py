"""The server stays up: no page leaves database objects to the cyclic garbage collector, and
searches from many threads agree with a single-threaded run while the index changes under them."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm.state import InstanceState

from kb.db import Base
from kb.extensions import db
from kb.search import get_index
from kb.search.query import search
from kb.services import seeds
from kb.values.filters import Filters
from tests.conftest import SEEDS

PAGES = [
    "/en/",
    "/es/practices/",
    "/en/practices/?country=MX&theme=legal-frameworks&pillar=2",
    "/es/practices/1",
    "/en/search?q=recruitment",
    "/es/search?q=contratacion&region=americas",
    "/en/search?q=nothingmatchesthis",
    "/en/corridors/",
    "/es/corridors/MX-CA",
    "/en/countries/MX",
    "/es/themes/",
    "/en/themes/legal-frameworks",
    "/en/pillars/",
    "/es/pillars/2",
    "/en/collections/americas-launch-2021",
    "/es/events/americas-launch-2021",
    "/en/about",
    "/en/practices/99999",
    "/en/practices/?page=999",
]


def cyclic_garbage_of(client, path: str) -> list:
    """The objects that only the cyclic collector would have freed after one request."""
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        client.get(path)
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


@pytest.mark.parametrize("path", PAGES)
def test_no_page_leaves_database_objects_to_the_cyclic_garbage_collector(seeded_client, path):
    # Under Python 3.11 and threads, database objects freed by the cyclic collector (which runs
    # in whichever thread allocates next) crashed the server with memory corruption: a page's
    # objects must be freed by reference counting, in its own thread, when the request ends.
    seeded_client.get(path)  # warm caches: compiled templates, statements, locale data
    garbage = cyclic_garbage_of(seeded_client, path)
    leaked = sorted({type(o).__name__ for o in garbage if isinstance(o, Base | InstanceState)})
    assert leaked == [], f"{path} leaves {leaked} in reference cycles"


QUERIES = [
    ("recruitment fees", "en", Filters()),
    ('"migrant workers"', "en", Filters()),
    ("contratacion", "es", Filters()),
    ("trabajadores migrantes", "es", Filters(regions=("americas",))),
    ("recruit*", "en", Filters(pillars=(2,))),
    ("fees -canada", "en", Filters()),
    ("title:recruitment OR salud", "es", Filters()),
]


def answer(index, text, lang, filters):
    """What must not change when the same documents are rewritten: the hits (all on one page),
    the total, every facet count and the highlights. (The order of hits whose scores are
    close may: document frequencies count deleted documents until segments merge.)"""
    result = search(index, text, lang, filters, 1, 100)
    snippets = {pid: str(snippet.html) for pid, snippet in result.snippets.items()}
    return sorted(result.ids), result.total, result.facets, snippets


@pytest.fixture
def seeded_sqlite_app(tmp_path):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'kb.sqlite'}", tmp_path)
    with app.app_context():
        db.create_all()
        seeds.seed(SEEDS)
        db.session.remove()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_concurrent_searches_across_index_reopenings_match_a_single_threaded_run(
    seeded_sqlite_app,
):
    index = get_index()
    expected = {q: answer(index, *q) for q in QUERIES}
    stop = threading.Event()
    failures: list[str] = []
    generations: set[int] = set()

    def read():
        try:
            while not stop.is_set():
                for q in QUERIES:
                    got = answer(index, *q)
                    generations.add(index.searcher().reader().generation())
                    if got != expected[q]:
                        failures.append(f"{q[0]!r}: {got[:2]} != {expected[q][:2]}")
        except Exception as exc:  # noqa: BLE001 - any error in a reader fails the test
            failures.append(repr(exc))

    readers = [threading.Thread(target=read) for _ in range(3)]
    for thread in readers:
        thread.start()
    # Rewrite the same documents while the readers search: each commit is a new generation
    # that every reader must reopen, with the same content, so the answers must not change.
    ids = list(range(1, 31))  # the seeded practices
    try:
        with Session(db.engine) as session:
            for rewrite in range(4):
                index.apply(session, ids[rewrite::10])
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    assert failures == []
    assert len(generations) > 2, "the readers did not see the index change"
