"""The search outbox (practices whose index entry must be rewritten or removed) and the
thesaurus that widens queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
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


class ThesaurusGroup(Base):
    """Equivalent terms within and across English and Spanish (seeds/thesaurus.yaml), applied
    when a query is read: editing them needs no reindex. Terms one per line."""

    __tablename__ = "thesaurus_group"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    terms_en: Mapped[str] = mapped_column(Text, default="")
    terms_es: Mapped[str] = mapped_column(Text, default="")

    @property
    def terms(self) -> list[tuple[str, str]]:
        """(language, term) pairs, English first."""
        return [
            (lang, term)
            for lang, text in (("en", self.terms_en), ("es", self.terms_es))
            for term in text.splitlines()
            if term
        ]
