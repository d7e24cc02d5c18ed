"""A practice's published versions, as its history page and version pages show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from kb.errors import NotFound
from kb.extensions import db
from kb.models import Practice, PracticeVersion, Status
from kb.services import versions


@dataclass(frozen=True)
class HistoryEntry:
    version: PracticeVersion
    changes: list[dict]  # from the version before (empty for the first)


def get_version(practice_id: int, number: int) -> PracticeVersion:
    """One published version, whatever became of the practice since. Raises NotFound."""
    version = db.session.scalar(
        select(PracticeVersion).where(
            PracticeVersion.practice_id == practice_id, PracticeVersion.number == number
        )
    )
    if version is None:
        raise NotFound((practice_id, number))
    return version


def history(practice_id: int) -> list[HistoryEntry]:
    """Every version, newest first, each with what changed from the one before. Raises
    NotFound when the practice was never published."""
    rows = list(
        db.session.scalars(
            select(PracticeVersion)
            .where(PracticeVersion.practice_id == practice_id)
            .order_by(PracticeVersion.number)
        )
    )
    if not rows:
        raise NotFound(practice_id)
    entries = [HistoryEntry(rows[0], [])]
    for before, after in zip(rows, rows[1:], strict=False):
        entries.append(HistoryEntry(after, versions.diff(before.snapshot, after.snapshot)))
    return entries[::-1]


def withdrawn(practice_id: int) -> PracticeVersion | None:
    """The last version of an archived practice (None when it is not archived)."""
    status = db.session.scalar(select(Practice.status).where(Practice.id == practice_id))
    if status != Status.archived:
        return None
    return db.session.scalar(
        select(PracticeVersion)
        .where(PracticeVersion.practice_id == practice_id)
        .order_by(PracticeVersion.number.desc())
        .limit(1)
    )


def citable(practice_id: int, number: int | None = None) -> tuple[dict, int, datetime]:
    """What a citation cites: (snapshot, version number, publication time) of version
    ``number``, or of the practice's latest version. Raises NotFound when the practice is not
    published (for its latest version) or the version does not exist."""
    if number is not None:
        version = get_version(practice_id, number)
        return version.snapshot, version.number, version.published_at
    practice = db.session.get(Practice, practice_id)
    if practice is None or practice.status != Status.published:
        raise NotFound(practice_id)
    latest = db.session.scalar(
        select(PracticeVersion)
        .where(PracticeVersion.practice_id == practice_id)
        .order_by(PracticeVersion.number.desc())
        .limit(1)
    )
    if latest is not None:
        return latest.snapshot, latest.number, latest.published_at
    # Published before versions were kept: its present state is its first version.
    return versions.snapshot(practice), 1, practice.published_at or practice.created_at
