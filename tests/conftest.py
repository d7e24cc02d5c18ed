"""Fixtures: an app on a fresh database per test (SQLite and PostgreSQL), a seeded catalogue."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from kb import create_app, resource_dir
from kb.extensions import db
from tests import pgserver

pytest_plugins = ["tests.browser"]

REQUIRE_SERVICES = os.environ.get("KB_REQUIRE_SERVICES") == "1"
BACKENDS = ["sqlite", "postgresql"]
SEEDS = resource_dir("seeds")
# The theme slugs that the public contract names (DESIGN.md).
CONTRACT_THEMES = (
    "resource-centres",
    "public-employment-services",
    "covid-19-adaptations",
    "employment-centres",
    "legal-frameworks",
    "bilateral-agreements",
)


def missing_service(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (KB_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def instance_folder():
    """No test touches ./instance: the instance folder lives in a temporary directory."""
    folder = tempfile.mkdtemp(prefix="kb-instance-")
    previous = os.environ.get("KB_INSTANCE")
    os.environ["KB_INSTANCE"] = folder
    yield Path(folder)
    if previous is None:
        os.environ.pop("KB_INSTANCE", None)
    else:
        os.environ["KB_INSTANCE"] = previous
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server: KB_TEST_DATABASE_URL, else one started for this test session."""
    if url := os.environ.get("KB_TEST_DATABASE_URL"):
        yield url
        return
    if pgserver.binaries() is None:
        missing_service("PostgreSQL is not installed; set KB_TEST_DATABASE_URL or install it")
    folder = Path(tempfile.mkdtemp(prefix="kb-pg-"))
    try:
        url = pgserver.start(folder)
    except Exception as exc:  # noqa: BLE001 - any start failure is reported as the reason
        shutil.rmtree(folder, ignore_errors=True)
        missing_service(f"could not start PostgreSQL: {exc}")
    yield url
    pgserver.stop(folder)
    shutil.rmtree(folder, ignore_errors=True)


class PostgresDatabases:
    """Creates one empty database per test on the server, and drops it afterwards."""

    def __init__(self, server_url: str):
        self.server = make_url(server_url)

    def _admin(self):
        return psycopg.connect(
            host=self.server.host,
            port=self.server.port,
            user=self.server.username,
            password=self.server.password,
            dbname=self.server.database or "postgres",
            autocommit=True,
        )

    def create(self) -> str:
        name = f"kb_test_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.server.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database(backend: str, request, folder: Path):
    if backend == "sqlite":
        return f"sqlite:///{folder / 'kb.sqlite'}", lambda: None
    databases = PostgresDatabases(request.getfixturevalue("postgres_url"))
    url = databases.create()
    return url, lambda: databases.drop(url)


class RequestScopedClient(FlaskClient):
    """A test client whose requests each start with an empty ``g``, as served requests do.

    Tests hold an app context open (for ``db.session``), and a request pushed inside it shares
    that context's ``g``: Flask-WTF's CSRF token and Flask-Login's user, cached there, would
    leak from one request into the next."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name)
        return super().open(*args, **kwargs)


def make_app(database_url: str, folder: Path, **config):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INDEX_DIR": str(folder / "index"),
            "SEARCH_SYNC_ON_START": False,
            "MAIL_FOLDER": str(folder / "mail"),
            # scrypt still, with a small work factor: hundreds of logins in the suite.
            "PASSWORD_METHOD": "scrypt:1024:8:1",
            # Kept lists made anew at the first request after a change, as tests expect;
            # tests/test_pagecache.py tests the lag itself.
            "PAGE_CACHE_LAG": 0,
            **config,
        }
    )
    app.test_client_class = RequestScopedClient
    return app


def _teardown(app, drop) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path):
    url, drop = _database(backend, request, tmp_path)
    yield url
    drop()


@pytest.fixture
def app(database_url, tmp_path):
    """An app on an empty database of its own, with the schema created."""
    application = make_app(database_url, tmp_path)
    with application.app_context():
        db.create_all()
        yield application
        db.session.remove()
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_app(request, tmp_path_factory):
    """The real seed data, loaded once per backend; tests using it must not write."""
    from kb.services import seeds

    folder = tmp_path_factory.mktemp(f"seeded-{request.param}")
    url, drop = _database(request.param, request, folder)
    application = make_app(url, folder)
    with application.app_context():
        db.create_all()
        seeds.seed(SEEDS)
        db.session.remove()
    yield application
    _teardown(application, drop)


@pytest.fixture
def seeded_client(seeded_app):
    if cache := seeded_app.extensions.get("kb_pagecache"):
        cache.clear()  # pages kept by an earlier test, perhaps under other settings
    with seeded_app.app_context():
        yield seeded_app.test_client()
        db.session.remove()
