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
