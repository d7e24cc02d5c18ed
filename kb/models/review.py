"""What happens to an entry: its audit trail, the comment thread between editor and
submitter, the versions each publication snapshots, and the notices its submitter receives."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, utcnow
from kb.models.user import User


class AuditEvent(Base):
    """One transition or edit: who, when, from which status to which, and why."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    note: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship(lazy="joined")


class Comment(Base):
    """A message in the thread between the editors and the submitter of an entry."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    body: Mapped[str] = mapped_column(Text)

    author: Mapped[User] = relationship(lazy="joined")


class PracticeVersion(Base):
    """A publication, frozen: everything the practice's page showed, as plain data."""

    __tablename__ = "practice_version"
    __table_args__ = (UniqueConstraint("practice_id", "number", name="uq_practice_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    number: Mapped[int]
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    snapshot: Mapped[dict] = mapped_column(JSON)

    published_by: Mapped[User | None] = relationship(lazy="joined")


class Notification(Base):
    """A notice in the app for one account (mail goes out beside it)."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(24))
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
