"""A practice, its per-language texts and its links to the taxonomy."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, attribute_keyed_dict, mapped_column, relationship

from kb.db import Base, TimestampMixin, str_enum
from kb.models.organisation import PracticeOrganisation, Source
from kb.models.taxonomy import Corridor, Country, Framework, Pillar, Sector, Subdivision, Theme


class Status(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    changes_requested = "changes_requested"
    published = "published"
    rejected = "rejected"
    archived = "archived"


class Scope(enum.StrEnum):
    corridor = "corridor"
    national = "national"
    subnational = "subnational"
    regional = "regional"
    global_ = "global"


class Implementation(enum.StrEnum):
    ongoing = "ongoing"
    completed = "completed"
    planned = "planned"
    # No source after its start shows it still running.
    unknown = "unknown"


class EvaluationType(enum.StrEnum):
    independent_evaluation = "independent-evaluation"
    internal_review = "internal-review"
    systematisation = "systematisation"
    monitoring_data = "monitoring-data"
    academic_study = "academic-study"


class TextOrigin(enum.StrEnum):
    original = "original"
    translated = "translated"


def _link(name: str, column: str, target: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column("practice_id", ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True),
        Column(column, ForeignKey(target, ondelete="CASCADE"), primary_key=True),
    )


practice_pillar = _link("practice_pillar", "pillar_number", "pillar.number")
practice_theme = _link("practice_theme", "theme_id", "theme.id")
practice_corridor = _link("practice_corridor", "corridor_id", "corridor.id")
practice_country = _link("practice_country", "country_code", "country.code")
practice_framework = _link("practice_framework", "framework_key", "framework.key")
practice_sector = _link("practice_sector", "sector_id", "sector.id")
practice_subdivision = _link("practice_subdivision", "subdivision_code", "subdivision.code")


class Practice(TimestampMixin, Base):
    __tablename__ = "practice"
    __table_args__ = (
        CheckConstraint(
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year", name="year_order"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120))
    status: Mapped[Status] = mapped_column(str_enum(Status, "status"), default=Status.draft)
    scope: Mapped[Scope] = mapped_column(str_enum(Scope, "scope"))
    start_year: Mapped[int | None]
    end_year: Mapped[int | None]
    # The sources give the year only roughly: shown as "c. 2011".
    start_year_approx: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    end_year_approx: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    implementation_status: Mapped[Implementation] = mapped_column(
        str_enum(Implementation, "implementation_status")
    )
    # It has measures for women migrant workers.
    addresses_women: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    last_reviewed: Mapped[date | None] = mapped_column(Date)
    is_curated: Mapped[bool] = mapped_column(Boolean, default=False)
    curator_note_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    curator_note_es: Mapped[str] = mapped_column(Text, default="", server_default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When `kb seed` last wrote it: a change made on the site after that is never overwritten.
    seeded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Who proposed it through the site (none for entries loaded from the seeds).
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Counts the changes made to the entry: an action on an older count is a conflict.
    lock_version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": lock_version}

    translations: Mapped[dict[str, PracticeTranslation]] = relationship(
        collection_class=attribute_keyed_dict("language"),
        cascade="all, delete-orphan",
        back_populates="practice",
    )
    pillars: Mapped[list[Pillar]] = relationship(secondary=practice_pillar, order_by=Pillar.number)
    themes: Mapped[list[Theme]] = relationship(secondary=practice_theme, order_by=Theme.position)
    corridors: Mapped[list[Corridor]] = relationship(secondary=practice_corridor)
    countries: Mapped[list[Country]] = relationship(
        secondary=practice_country, order_by=Country.code
    )
    frameworks: Mapped[list[Framework]] = relationship(
        secondary=practice_framework, order_by=(Framework.kind, Framework.position)
    )
    sectors: Mapped[list[Sector]] = relationship(
        secondary=practice_sector, order_by=Sector.position
    )
    subdivisions: Mapped[list[Subdivision]] = relationship(
        secondary=practice_subdivision, order_by=Subdivision.code
    )
    evaluations: Mapped[list[Evaluation]] = relationship(
        order_by="Evaluation.position", cascade="all, delete-orphan"
    )
    organisation_links: Mapped[list[PracticeOrganisation]] = relationship(
        cascade="all, delete-orphan"
    )
    sources: Mapped[list[Source]] = relationship(
        order_by=Source.position, cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == Status.published

    @property
    def involved_country_codes(self) -> set[str]:
        """Countries where it is implemented plus both ends of its corridors."""
        codes = {c.code for c in self.countries}
        for corridor in self.corridors:
            codes.update((corridor.origin_code, corridor.destination_code))
        return codes


class PracticeTranslation(Base):
    """The title, summary and body of a practice in one language."""

    __tablename__ = "practice_translation"
    __table_args__ = (
        UniqueConstraint("practice_id", "language", name="uq_practice_translation_language"),
        CheckConstraint("language IN ('en', 'es')", name="language_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    # Outcomes (numbers with their year and source), limits and criticism, the gender dimension.
    results: Mapped[str] = mapped_column(Text, default="", server_default="")
    limits: Mapped[str] = mapped_column(Text, default="", server_default="")
    gender: Mapped[str] = mapped_column(Text, default="", server_default="")
    text_origin: Mapped[TextOrigin] = mapped_column(
        str_enum(TextOrigin, "text_origin"), default=TextOrigin.original
    )
    practice: Mapped[Practice] = relationship(back_populates="translations")


class Evaluation(Base):
    """A review of a practice that exists, with its kind and where to read it."""

    __tablename__ = "practice_evaluation"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    # None only for reviews recorded before their kind was asked for.
    type: Mapped[EvaluationType | None] = mapped_column(str_enum(EvaluationType, "evaluation_type"))
    title: Mapped[str] = mapped_column(String(500))
    publisher: Mapped[str | None] = mapped_column(String(300))
    year: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(String(1000))
