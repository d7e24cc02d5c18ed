"""Liveness: the database answers and the search index opens."""

from __future__ import annotations

from sqlalchemy import text

from kb.extensions import db
from kb.search import get_index


def check() -> dict:
    """What is live, with the number of indexed documents. Raises on any failure."""
    db.session.execute(text("SELECT 1"))
    return {
        "status": "ok",
        "database": "ok",
        "index": "ok",
        "indexed": get_index().searcher().doc_count(),
    }
