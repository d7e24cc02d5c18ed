"""Organisations behind practices, their roles, and the sources a practice cites."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base, str_enum
from kb.models.taxonomy import ActorType, Country


class Role(enum.StrEnum):
    implementer = "implementer"
    partner = "partner"
    funder = "funder"


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_es: Mapped[str | None] = mapped_column(String(300))
    acronym_en: Mapped[str | None] = mapped_column(String(40))
    acronym_es: Mapped[str | None] = mapped_column(String(40))
    actor_type_id: Mapped[int] = mapped_column(ForeignKey("actor_type.id"))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"))
    # Proposed in a submission: shown on public pages only once a practice naming it is
    # published (an editor has then seen it).
    is_listed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    actor_type: Mapped[ActorType] = relationship(lazy="joined")
    country: Mapped[Country | None] = relationship()


class PracticeOrganisation(Base):
    """The part an organisation plays in a practice."""

    __tablename__ = "practice_organisation"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), primary_key=True)
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Source(Base):
    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(400))
    publisher: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(1000))
    # ISO 639-1 code of the language it is written in, and when an editor read it.
    language: Mapped[str | None] = mapped_column(String(8))
    consulted: Mapped[date | None] = mapped_column(Date)
