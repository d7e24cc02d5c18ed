"""Accounts: who may submit, review and administer, and the failed logins that lock them."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, TimestampMixin, str_enum, utcnow
from kb.models.taxonomy import ActorType


class UserRole(enum.StrEnum):
    """Each role can do everything the one before it can."""

    contributor = "contributor"
    editor = "editor"
    admin = "admin"


ROLE_RANK = {UserRole.contributor: 0, UserRole.editor: 1, UserRole.admin: 2}


class User(TimestampMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    actor_type_id: Mapped[int | None] = mapped_column(ForeignKey("actor_type.id"))
    role: Mapped[UserRole] = mapped_column(
        str_enum(UserRole, "user_role"), default=UserRole.contributor
    )
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="en")  # of the mail it receives
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)

    actor_type: Mapped[ActorType | None] = relationship()

    # Flask-Login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def password_mark(self) -> str:
        """Changes with every new password: sessions and reset links made before it end."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        return f"{self.id}-{self.password_mark}"

    def has_role(self, role: UserRole | str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[UserRole(role)]


class LoginFailure(Base):
    """One failed login, kept for the lockout window (in the database, so that every worker
    process and node counts the same failures)."""

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
