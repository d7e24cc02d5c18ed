"""`kb db upgrade` builds the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from kb.extensions import db
from tests.conftest import make_app


def test_upgrade_creates_the_schema_of_the_models(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
            tables = set(inspect(conn).get_table_names())
        assert diff == []
        assert {"practice", "practice_translation", "corridor", "framework"} <= tables
        # Running it again is a no-op.
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    finally:
        engine.dispose()
        with app.app_context():
            db.engine.dispose()
