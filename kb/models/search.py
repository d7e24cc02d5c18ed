"""The search change log, the nodes that follow it, and the thesaurus that widens queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kb.db import Base, utcnow


class SearchChange(Base):
    """The change log: one row per practice whose index entry must be rewritten or removed,
    written in the same transaction as the change itself. Every node follows it from its own
    position; a row is pruned once every known node has passed it.

    No foreign key: the row must outlive a deleted practice, so that its entry is removed too.
    ``practice_id`` is ``SITE_WIDE`` (0, never a practice's id) for a change to something else
    that public pages show (collections, events, taxonomy, accounts): it rewrites no entry, but
    it moves every node's position, which is what cached pages are checked against.
    """

    __tablename__ = "search_change"
    # SQLite would otherwise reuse the id of a pruned last row, which every node has passed.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


SITE_WIDE = 0


class SearchNode(Base):
    """A node that follows the change log, and how far it has applied it (reported by the node;
    its own position is kept with its index). Pruning waits for the slowest known node."""

    __tablename__ = "search_node"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


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
