"""Curated collections of practices and the events that presented them."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, String, Table, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, TimestampMixin, str_enum, utcnow
from kb.models.organisation import Organisation
from kb.models.practice import Practice


class Visibility(enum.StrEnum):
    public = "public"  # listed, and reachable by its link
    unlisted = "unlisted"  # reachable by its link only
    draft = "draft"  # editors only


class Collection(TimestampMixin, Base):
    __tablename__ = "collection"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_es: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    is_featured: Mapped[bool] = mapped_column(default=False)
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "visibility"), default=Visibility.public, server_default="public"
    )
    # When `kb seed` last wrote it: an editor's later change is never overwritten.
    seeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    items: Mapped[list[CollectionItem]] = relationship(
        order_by="CollectionItem.position", cascade="all, delete-orphan"
    )


class CollectionItem(Base):
    __tablename__ = "collection_item"

    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), primary_key=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(default=0)
    note_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    note_es: Mapped[str] = mapped_column(Text, default="", server_default="")
    practice: Mapped[Practice] = relationship()


class CurationEvent(Base):
    """One change an editor made to a collection: who, when, what."""

    __tablename__ = "curation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("collection.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    action: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(Text, default="")


event_organiser = Table(
    "event_organiser",
    Base.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


class EventFormat(enum.StrEnum):
    online = "online"
    in_person = "in_person"
    hybrid = "hybrid"


agenda_practice = Table(
    "agenda_practice",
    Base.metadata,
    Column("agenda_item_id", ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True),
    Column("practice_id", ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True),
)


class Event(TimestampMixin, Base):
    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_es: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    # Local times at the event's place (or of its organisers, online), in an IANA time zone.
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    format: Mapped[EventFormat] = mapped_column(
        str_enum(EventFormat, "event_format"), default=EventFormat.online, server_default="online"
    )
    venue_en: Mapped[str] = mapped_column(String(200))
    venue_es: Mapped[str] = mapped_column(String(200))
    languages: Mapped[str] = mapped_column(String(40))
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_es: Mapped[str] = mapped_column(Text, default="")
    collection_id: Mapped[int | None] = mapped_column(ForeignKey("collection.id"))
    collection: Mapped[Collection | None] = relationship()
    organisers: Mapped[list[Organisation]] = relationship(
        secondary=event_organiser, order_by=Organisation.key
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split(",") if self.languages else []


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title_en: Mapped[str] = mapped_column(String(300))
    title_es: Mapped[str] = mapped_column(String(300))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[time | None] = mapped_column(Time)
    # [{"name": ..., "organisation": ...}], in the order they speak
    speakers: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    practices: Mapped[list[Practice]] = relationship(secondary=agenda_practice)
