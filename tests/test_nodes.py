"""Two app nodes (gunicorn, own instance folders and indexes) against one PostgreSQL: a change
made through one is searchable on the other, a node that was down catches up when it starts,
and the change log is pruned once both have passed a row."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from bench import cluster
from tests.conftest import PostgresDatabases

PROPAGATION_DEADLINE = 10.0  # a functional bound; bench/nodes.py measures the times


def log_state(url: str) -> tuple[int, dict[str, int]]:
    """Rows in the change log, and each node's reported position."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.scalar(text("SELECT count(*) FROM search_change"))
            nodes = dict(conn.execute(text("SELECT name, position FROM search_node")).all())
    finally:
        engine.dispose()
    return rows, nodes


def wait_for(condition, timeout: float = PROPAGATION_DEADLINE):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    return condition()


@pytest.fixture
def two_nodes(postgres_url, tmp_path):
    databases = PostgresDatabases(postgres_url)
    url = databases.create()
    cluster.prepare_database(tmp_path / "a", url, "node-a")
    nodes = [
        cluster.Node("node-a", tmp_path / "a", url, workers=2),
        cluster.Node("node-b", tmp_path / "b", url, workers=2),
    ]
    try:
        for node in nodes:
            node.rebuild()
            node.start()
        yield url, nodes
    finally:
        for node in nodes:
            node.stop()
        databases.drop(url)


def test_a_change_through_one_node_is_searchable_on_the_other_and_a_late_node_catches_up(
    two_nodes,
):
    url, (a, b) = two_nodes
    submissions = cluster.add_submissions(url, 5)
    editor = cluster.Client(a.url)
    editor.login()
    reader_a, reader_b = cluster.Client(a.url), cluster.Client(b.url)

    assert not reader_b.found(submissions[0])  # submitted: not public anywhere yet
    for submission in submissions[:3]:
        editor.publish(submission.id)
        assert reader_a.found(submission)  # the node that made the change applied it already
        seconds = cluster.wait_until_found(reader_b, submission, PROPAGATION_DEADLINE)
        assert seconds is not None, f"practice {submission.id} never reached node B"
        print(f"node A -> node B: {seconds * 1000:.0f} ms")
    # Both nodes passed every row: the log is pruned.
    assert wait_for(lambda: log_state(url)[0] == 0), log_state(url)

    b.stop()
    for submission in submissions[3:]:
        editor.publish(submission.id)
        assert reader_a.found(submission)
    rows, positions = log_state(url)
    assert rows >= 2  # node B has not passed them: they are kept for it
    assert positions["node-b"] < positions["node-a"]

    b.start()  # catches up as it starts, before it serves
    for submission in submissions[3:]:
        assert reader_b.found(submission)
    assert wait_for(lambda: log_state(url)[0] == 0), log_state(url)
    rows, positions = log_state(url)
    assert positions["node-a"] == positions["node-b"] > 0
