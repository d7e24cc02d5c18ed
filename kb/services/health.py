"""Health: the database has its tables, and the search index is there, readable, of this
version's schema, and not empty while the database has published practices."""

from __future__ import annotations

from sqlalchemy import func, select

from kb.extensions import db
from kb.models import Practice, Status
from kb.search import get_index


def check() -> dict:
    """What was found; ``status`` is "ok", or "unavailable" with the ``problems``. Never raises."""
    problems: list[str] = []
    report: dict = {"database": "ok", "index": "ok"}
    published = None
    try:
        published = db.session.scalar(
            select(func.count()).select_from(Practice).where(Practice.status == Status.published)
        )
        report["published"] = published
    except Exception as exc:  # noqa: BLE001 - any failure is the reason reported
        db.session.rollback()
        report["database"] = "unavailable"
        problems.append(f"database: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    index = get_index()
    if not index.exists():
        report["index"] = "missing"
        problems.append(f"index: no index in {index.directory}")
    elif not index.schema_is_current():
        report["index"] = "unreadable"
        problems.append("index: unreadable, or made with another schema; run `kb index rebuild`")
    elif damaged := index.damaged():
        report["index"] = "damaged"
        problems += [f"index: {problem}; run `kb index rebuild`" for problem in damaged[:5]]
    else:
        try:
            indexed = index.searcher().doc_count()
            report["indexed"] = indexed
        except Exception as exc:  # noqa: BLE001
            indexed = None
            report["index"] = "unreadable"
            problems.append(f"index: {type(exc).__name__}: {exc}"[:200])
        if indexed == 0 and published:
            report["index"] = "empty"
            problems.append(
                f"index: empty while the database has {published} published practice(s)"
            )
    report["status"] = "unavailable" if problems else "ok"
    if problems:
        report["problems"] = problems
    return report
