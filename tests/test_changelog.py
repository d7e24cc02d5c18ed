"""The change log that every node follows: positions, pruning, order of ids, rebuilds."""

from __future__ import annotations

import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.extensions import db
from kb.models import Practice, SearchChange, SearchNode
from kb.search import follow, get_index
from kb.search.index import SearchIndex
from kb.search.query import search
from kb.values.filters import Filters
from tests.factories import make_practice


def log_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchChange))


def found(index, word: str) -> list[int]:
    return search(index, word, "en", Filters()).ids


def test_a_lone_node_prunes_what_it_applied_and_ids_are_never_reused(app):
    index = get_index()
    make_practice(id=1, title="First walrus")
    db.session.commit()
    first_position = index.position
    assert first_position > 0
    assert log_rows() == 0  # the only known node has passed every row
    # A later change gets a later id even though the log is empty (SQLite would otherwise
    # reuse the pruned ids, which the node has passed, and the change would never apply).
    make_practice(id=2, title="Second narwhal")
    db.session.commit()
    assert index.position > first_position
    assert found(index, "narwhal") == [2]
    node = db.session.get(SearchNode, index.node)
    assert node.position == index.position


def test_a_second_node_follows_from_its_own_position_and_holds_back_pruning(app, tmp_path):
    here = get_index()
    make_practice(id=1, title="Shared walrus")
    db.session.commit()
    other = SearchIndex(tmp_path / "other-index")
    other.node = "other"
    other.session_factory = lambda: Session(db.engine)
    assert other.sync_now() == 1  # no index yet: built from the database, not from the log
    assert found(other, "walrus") == [1]

    practice = db.session.get(Practice, 1)
    practice.translations["en"].title = "Shared narwhal"
    db.session.commit()  # this node applies it at once; the other has not yet
    assert found(here, "narwhal") == [1]
    assert found(other, "narwhal") == []
    assert other.pending(db.session) == 1
    assert log_rows() >= 1  # kept: the other node has not passed it

    assert other.sync_now() == 1
    assert found(other, "narwhal") == [1]
    assert log_rows() == 0
    assert other.pending(db.session) == 0


def test_a_node_whose_position_file_was_lost_applies_the_log_again(app):
    index = get_index()
    other_node = SearchNode(name="slow", position=0)
    db.session.add(other_node)
    db.session.commit()  # a slow node keeps every row in the log
    make_practice(id=1, title="Walrus")
    db.session.commit()
    (index.directory / follow.POSITION_FILE).unlink()
    assert index.position == 0
    assert index.sync_now() == 1  # applying again is harmless
    assert found(index, "walrus") == [1]


def test_a_rebuild_moves_the_position_to_the_log_head(app, runner):
    index = get_index()
    db.session.add(SearchNode(name="slow", position=0))
    db.session.commit()
    make_practice(id=1, title="Walrus")
    make_practice(id=2, title="Narwhal")
    db.session.commit()
    head = db.session.scalar(select(func.max(SearchChange.id)))
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0, result.output
    assert index.position == head
    assert index.pending(db.session) == 0


def test_log_ids_follow_the_order_of_commits(app, backend):
    """A transaction that writes to the log holds the log's lock until it ends (PostgreSQL
    hands out ids before commit; SQLite has one writer): a later id never commits first."""
    db.session.add(SearchNode(name="slow", position=0))  # keeps the rows to look at
    make_practice(id=1, title="One")
    make_practice(id=2, title="Two")
    db.session.commit()
    first = db.session.session_factory()  # the app's session class: it writes the log
    first.get(Practice, 1).slug = "one-changed"
    first.flush()  # log row written, transaction open
    committed = []

    def second_writer():
        with app.app_context(), db.session.session_factory() as second:
            second.get(Practice, 2).slug = "two-changed"
            second.commit()
            committed.append("second")

    thread = threading.Thread(target=second_writer)
    thread.start()
    thread.join(timeout=0.5)
    assert thread.is_alive()  # waits for the first writer
    committed.append("first")
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert committed == ["first", "second"]
    rows = db.session.execute(select(SearchChange.id, SearchChange.practice_id)).all()
    by_practice = {pid: row_id for row_id, pid in rows}
    assert by_practice[1] < by_practice[2]


def test_kb_index_nodes_lists_the_nodes_and_forgets_one_that_is_gone(app, runner):
    db.session.add(SearchNode(name="gone-for-good", position=0))
    make_practice(id=1, title="Walrus")
    db.session.commit()
    assert log_rows() >= 1  # kept for the node that is gone

    listed = runner.invoke(args=["index", "nodes"])
    assert listed.exit_code == 0, listed.output
    # The practice's row, and a site-wide one for the names it brought (country, organisation).
    assert log_rows() == 2
    assert "gone-for-good: position 0, 2 change(s) behind" in listed.output
    assert f"{get_index().node} (this node): position" in listed.output
    assert listed.output.strip().splitlines()[-1].startswith("2 node(s) follow the change log")

    forgot = runner.invoke(args=["index", "nodes", "--forget", "gone-for-good"])
    assert forgot.exit_code == 0, forgot.output
    assert "Forgot node gone-for-good" in forgot.output
    make_practice(id=2, title="Narwhal")
    db.session.commit()  # the next report prunes what this node has passed
    assert log_rows() == 0

    unknown = runner.invoke(args=["index", "nodes", "--forget", "nobody"])
    assert unknown.exit_code == 1
    assert "No node named nobody." in unknown.output
