"""A practice's published versions, as its history page and version pages show them."""

from __future__ import annotations

from dataclasses import dataclass

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
