"""The search outbox: practices whose index entry must be rewritten or removed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, utcnow


class SearchOutbox(Base):
    """One row per change, written in the same transaction as the change itself.

    No foreign key: the row must outlive a deleted practice, so that its entry is removed too.
    """

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
