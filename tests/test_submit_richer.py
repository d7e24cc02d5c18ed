"""The practice form takes the richer record: a provincial scope, sectors, women migrant
workers, results and limits, and an evaluation with its type; contradictions are refused with
what was typed kept."""

from __future__ import annotations

from kb.extensions import db
from kb.models import Practice, Sector, Subdivision
from kb.services.submissions import input_from
from tests.factories import get_or_create
from tests.test_review import as_user, entry_form, people, submit_entry, vocab  # noqa: F401


def richer_vocab() -> None:
    get_or_create(
        Sector, slug="agriculture", defaults={"name_en": "Agriculture", "name_es": "Agricultura"}
    )
    get_or_create(
        Subdivision,
        code="CA-MB",
        defaults={"country_code": "CA", "name_en": "Manitoba", "name_es": "Manitoba"},
    )
    db.session.commit()


def test_a_provincial_practice_is_saved_with_its_richer_facts(app, people):  # noqa: F811
    richer_vocab()
    ana = as_user(app, "ana@example.org")
    pid = submit_entry(
        ana,
        scope="subnational",
        subdivisions=["CA-MB"],
        sectors=["agriculture"],
        addresses_women="y",
        results_en="900 employers registered in six months (Manitoba, 2009).",
        limits_es="Las comisiones ilegales siguen siendo elevadas.",
        evaluation_type="internal-review",
        evaluation_source="Provincial review, 2012",
    )
    db.session.expire_all()
    practice = db.session.get(Practice, pid)
    assert str(practice.scope) == "subnational"
    assert [s.code for s in practice.subdivisions] == ["CA-MB"]
    assert "CA" in {c.code for c in practice.countries}, "the province brings its country"
    assert [s.slug for s in practice.sectors] == ["agriculture"] and practice.addresses_women
    assert practice.translations["en"].results.startswith("900 employers")
    assert practice.translations["es"].limits == "Las comisiones ilegales siguen siendo elevadas."
    assert [(str(e.type), e.title) for e in practice.evaluations] == [
        ("internal-review", "Provincial review, 2012")
    ]
    again = input_from(practice)
    assert again["evaluation_type"] == "internal-review"
    assert again["subdivisions"] == ["CA-MB"] and again["sectors"] == ["agriculture"]
    assert again["results_en"].startswith("900 employers") and again["addresses_women"]


def test_contradictions_are_refused_and_what_was_typed_is_kept(app, people):  # noqa: F811
    richer_vocab()
    ana = as_user(app, "ana@example.org")
    data = entry_form(
        ana,
        scope="subnational",
        implementation="ongoing",
        end_year="2020",
        evaluation_source="A report somebody wrote",
        results_en="Results kept after the error.",
    )
    response = ana.post("/en/submit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choose the provinces or states it applies in." in html
    assert "Only a completed practice has a last year." in html
    assert "Say what kind of review it was." in html
    assert "Results kept after the error." in html and "A report somebody wrote" in html
    assert db.session.query(Practice).count() == 0
