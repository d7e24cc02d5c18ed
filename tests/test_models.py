"""Model invariants that the database itself enforces."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from kb.extensions import db
from kb.models import Corridor, PracticeTranslation
from tests.factories import country, make_practice


def test_a_corridor_pair_is_unique(app):
    country("MX"), country("CA")
    db.session.add(Corridor(origin_code="MX", destination_code="CA"))
    db.session.flush()
    db.session.add(Corridor(origin_code="MX", destination_code="CA"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_corridor_needs_two_different_countries(app):
    country("MX")
    db.session.add(Corridor(origin_code="MX", destination_code="MX"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_database_rejects_an_unknown_status(app):
    make_practice(id=1)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE practice SET status = 'famous' WHERE id = 1"))
        db.session.flush()
    db.session.rollback()


def test_one_translation_per_language(app):
    practice = make_practice(id=1)
    db.session.add(
        PracticeTranslation(practice_id=practice.id, language="en", title="x", summary="y")
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_end_year_cannot_precede_start_year(app):
    practice = make_practice(id=1, start_year=2020)
    practice.end_year = 2010
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_involved_countries_join_own_countries_and_corridor_ends(app):
    practice = make_practice(id=1, countries=("MX",))
    country("GT")
    practice.corridors = [Corridor(origin_code="GT", destination_code="MX")]
    db.session.flush()
    assert practice.involved_country_codes == {"MX", "GT"}
