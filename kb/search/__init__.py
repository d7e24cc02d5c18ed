"""Full-text search on Whoosh: derived from the database, kept in step through an outbox."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import inspect
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Attach the app's index, write outbox rows on every flush, and catch up at start-up."""
    from flask_sqlalchemy.session import Session as FlaskSession

    from kb.extensions import db
    from kb.search import outbox
    from kb.search.index import SearchIndex

    index = SearchIndex(app.config["INDEX_DIR"], app.config["SEARCH_WRITE_TIMEOUT"])
    index.session_factory = lambda: Session(db.engine)
    app.extensions["kb_search"] = index
    outbox.install(FlaskSession)
    if app.config["SEARCH_SYNC_ON_START"]:
        with app.app_context():
            try:
                # An index that does not exist yet is made by `kb index rebuild`, not here.
                if index.exists() and inspect(db.engine).has_table("search_outbox"):
                    index.sync_now()
            except Exception:  # noqa: BLE001 - never stop the app (or `kb index rebuild`) here
                log.warning("start-up index sync skipped", exc_info=True)


def get_index():
    return current_app.extensions["kb_search"]
