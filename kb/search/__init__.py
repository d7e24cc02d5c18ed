"""Full-text search on Whoosh: derived from the database, kept in step by following a change log."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy import inspect
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Attach the app's index, write change-log rows on every flush, and catch up at start-up."""
    from flask_sqlalchemy.session import Session as FlaskSession

    from kb.extensions import db
    from kb.search import changelog
    from kb.search.index import SearchIndex

    index = SearchIndex(app.config["INDEX_DIR"], app.config["SEARCH_WRITE_TIMEOUT"])
    if app.config.get("NODE_NAME"):
        index.node = app.config["NODE_NAME"]
    index.session_factory = lambda: Session(db.engine)
    app.extensions["kb_search"] = index
    changelog.install(FlaskSession)
    if app.config["SEARCH_SYNC_ON_START"]:
        with app.app_context():
            try:
                # An index that does not exist yet is made by `kb index rebuild`, not here.
                if index.exists() and inspect(db.engine).has_table("search_change"):
                    index.sync_now()
            except Exception:  # noqa: BLE001 - never stop the app (or `kb index rebuild`) here
                log.warning("start-up index sync skipped", exc_info=True)


def get_index():
    return current_app.extensions["kb_search"]


def start_follower(app: Flask):
    """Follow the change log in a background thread of this process, every
    ``SEARCH_FOLLOW_INTERVAL`` seconds (0: never). Returns the follower, or None."""
    from kb.search.follow import Follower

    interval = float(app.config["SEARCH_FOLLOW_INTERVAL"])
    return Follower(app, interval).start() if interval > 0 else None
