"""Honest health and safe defaults: /healthz says 503 with the reason; redirects stay here."""

from __future__ import annotations

import shutil
from pathlib import Path

from kb.extensions import db
from kb.search import get_index
from tests.conftest import make_app
from tests.factories import make_practice


def test_a_healthy_site_says_ok(app, client):
    make_practice(1, "Recruitment fees")
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["indexed"] == 1


def test_a_database_without_its_tables_is_unavailable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)
    with app.app_context():
        response = app.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"
    assert any("no such table" in p for p in response.json["problems"])


def test_a_missing_index_is_unavailable(app, client):
    index = get_index()
    index.close()
    shutil.rmtree(index.directory, ignore_errors=True)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["index"] == "missing"
    assert not Path(index.directory).exists(), "the health check must not create an index"


def test_an_empty_index_beside_published_practices_is_unavailable(app, client):
    make_practice(1, "Recruitment fees")
    db.session.commit()
    index = get_index()
    index.close()
    shutil.rmtree(index.directory)
    index.open()  # a new, empty index
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["index"] == "empty"
    assert "1 published practice" in response.json["problems"][0]


def test_an_index_of_another_schema_is_unavailable(app, client):
    from whoosh import fields
    from whoosh import index as whoosh_index

    folder = get_index().directory
    get_index().close()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    whoosh_index.create_in(str(folder), fields.Schema(other=fields.TEXT()))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["index"] == "unreadable"


def test_redirects_never_name_the_host_the_client_sent(client):
    response = client.get("/en/practices", headers={"Host": "evil.example"})
    assert response.status_code in (301, 308)
    assert response.headers["Location"] == "/en/practices/"


def test_the_permalink_varies_with_the_language_cookie_and_header(client):
    response = client.get("/p/1", headers={"Accept-Language": "es"})
    assert response.status_code == 301 and response.headers["Location"] == "/es/practices/1"
    assert {"Cookie", "Accept-Language"} <= set(response.vary)


def _postings_file(index) -> Path:
    """The largest file holding postings: the postings file, or the terms file, where rare
    terms keep theirs (kb/search/codec.py)."""
    files = [*Path(index.directory).glob("*.pst"), *Path(index.directory).glob("*.trm")]
    return max(files, key=lambda p: p.stat().st_size)


def _truncate_postings(index) -> Path:
    postings = _postings_file(index)
    postings.write_bytes(postings.read_bytes()[: postings.stat().st_size * 2 // 3])
    return postings


def test_a_truncated_posting_file_is_unavailable(app, client):
    make_practice(1, "Recruitment fees for migrant workers")
    db.session.commit()
    postings = _truncate_postings(get_index())
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json["index"] == "damaged"
    assert postings.name in response.json["problems"][0]
    assert "kb index rebuild" in response.json["problems"][0]


def test_kb_index_check_reads_every_segment_back(app, runner):
    make_practice(1, "Recruitment fees for migrant workers")
    make_practice(2, "Labour migration governance")
    db.session.commit()
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    index = get_index()
    postings = _postings_file(index)
    # Damage in place, size unchanged: only reading the postings back finds it.
    data = bytearray(postings.read_bytes())
    data[len(data) // 3 :] = b"\xff" * (len(data) - len(data) // 3)
    postings.write_bytes(bytes(data))
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1
    assert "damaged: segment" in result.output and "kb index rebuild" in result.output
    index.close()
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    assert app.test_client().get("/healthz").status_code == 200


def test_kb_index_check_reports_a_truncated_file_by_name(app, runner):
    make_practice(1, "Recruitment fees for migrant workers")
    db.session.commit()
    postings = _truncate_postings(get_index())
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1
    assert f"damaged: {postings.name} is" in result.output


def test_a_writer_that_commits_nothing_leaves_no_files(app):
    index = get_index()
    index.open()
    index._commit(index.writer())  # the lock file exists from here on, as after any write
    before = sorted(p.name for p in Path(index.directory).iterdir())
    assert index.sync_now() == 0
    index._cancel(index.writer())
    assert sorted(p.name for p in Path(index.directory).iterdir()) == before
