"""Taxonomy: pillars, themes, actor types, regions, countries, corridors and frameworks."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kb.db import Base


class Pillar(Base):
    """One of the four pillars of the Fair Recruitment Initiative, numbered 1-4."""

    __tablename__ = "pillar"
    __table_args__ = (CheckConstraint("number BETWEEN 1 AND 4", name="number_range"),)

    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name_en: Mapped[str] = mapped_column(String(300))
    name_es: Mapped[str] = mapped_column(String(300))
    short_en: Mapped[str] = mapped_column(String(120))
    short_es: Mapped[str] = mapped_column(String(120))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")

    @property
    def slug(self) -> str:
        return str(self.number)


class _Term:
    """Columns shared by the slug-keyed vocabularies."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    name_en: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_es: Mapped[str] = mapped_column(Text, default="")


class Theme(_Term, Base):
    __tablename__ = "theme"


class ActorType(_Term, Base):
    __tablename__ = "actor_type"


class Region(_Term, Base):
    __tablename__ = "region"


class Sector(_Term, Base):
    """The economic sector a practice is about (agriculture, domestic work, ...)."""

    __tablename__ = "sector"


class Country(Base):
    """A country by ISO 3166-1 alpha-2 code; its names come from Babel's locale data."""

    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    region: Mapped[Region] = relationship(lazy="joined")

    def name(self, locale: str) -> str:
        return country_name(self.code, locale)


@lru_cache(maxsize=4096)
def country_name(code: str, locale: str) -> str:
    """The country's name in ``locale`` (Babel's CLDR names; parsing a locale is not free)."""
    return Locale.parse(locale).territories.get(code, code)


class Subdivision(Base):
    """A province or state by ISO 3166-2 code (CA-MB); Babel has no names, so they are stored."""

    __tablename__ = "subdivision"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    name_en: Mapped[str] = mapped_column(String(120))
    name_es: Mapped[str] = mapped_column(String(120))

    def name(self, locale: str) -> str:
        return self.name_es if locale == "es" else self.name_en


class Corridor(Base):
    """A migration corridor from an origin country to a destination country."""

    __tablename__ = "corridor"
    __table_args__ = (
        UniqueConstraint("origin_code", "destination_code", name="uq_corridor_pair"),
        CheckConstraint("origin_code <> destination_code", name="distinct_ends"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    destination_code: Mapped[str] = mapped_column(ForeignKey("country.code"))
    origin: Mapped[Country] = relationship(foreign_keys=[origin_code], lazy="joined")
    destination: Mapped[Country] = relationship(foreign_keys=[destination_code], lazy="joined")

    @property
    def slug(self) -> str:
        return f"{self.origin_code}-{self.destination_code}"

    def label(self, locale: str) -> str:
        origin = country_name(self.origin_code, locale)
        return f"{origin} → {country_name(self.destination_code, locale)}"


class Framework(Base):
    """An ILO general principle, a Global Compact objective or an SDG target."""

    __tablename__ = "framework"
    __table_args__ = (CheckConstraint("kind IN ('gpog', 'gcm', 'sdg')", name="kind_values"),)

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(10))
    position: Mapped[int] = mapped_column(default=0)
    # The official texts; where no official Spanish text was found, ours is marked as such.
    title_en: Mapped[str] = mapped_column(Text)
    title_es: Mapped[str] = mapped_column(Text)
    es_is_translation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Not yet checked against the official text: shown as such.
    title_unverified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    url: Mapped[str | None] = mapped_column(String(500))
