"""What the richer records show a reader: evaluation types, results and limits, provinces and
states, sectors, the women filter, approximate years, and sources with their language."""

from __future__ import annotations

import re

from kb.extensions import db
from kb.models import Practice
from kb.services import versions


def practice_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/(?:en|es)/practices/(\d+)', html)}


def test_a_provincial_law_is_shown_as_such_and_found_by_its_province(seeded_client):
    page = seeded_client.get("/en/practices/16").get_data(as_text=True)
    assert "Provincial or state" in page and "Manitoba" in page and "CA-MB" in page
    listed = seeded_client.get("/en/practices/?subdivision=CA-MB").get_data(as_text=True)
    assert 16 in practice_ids(listed) and 17 not in practice_ids(listed)
    spanish = seeded_client.get("/es/practices/?subdivision=ca-sk").get_data(as_text=True)
    assert 17 in practice_ids(spanish) and "Saskatchewan" in spanish


def test_an_unknown_province_is_a_notice_not_an_error(seeded_client):
    response = seeded_client.get("/en/practices/?subdivision=XX-99")
    assert response.status_code == 200
    assert "There is no province or state “XX-99”" in response.get_data(as_text=True)


def test_the_women_filter_keeps_only_practices_with_measures_for_women(seeded_app, seeded_client):
    with seeded_app.app_context():
        wanted = set(
            db.session.scalars(
                db.select(Practice.id).where(
                    Practice.addresses_women, Practice.status == "published"
                )
            )
        )
    assert wanted, "some practice has measures for women migrant workers"
    listed = seeded_client.get("/en/practices/?women=1").get_data(as_text=True)
    assert "Addresses women migrant workers" in listed
    shown = practice_ids(listed)
    assert shown and shown <= wanted
    searched = seeded_client.get("/es/search?q=trabajadoras&women=1").get_data(as_text=True)
    assert practice_ids(searched) <= wanted


def test_the_sector_facet_counts_match_the_database(seeded_app, seeded_client):
    with seeded_app.app_context():
        domestic = set(
            db.session.scalars(
                db.select(Practice.id)
                .join(Practice.sectors)
                .where(Practice.status == "published")
                .where(db.text("sector.slug = 'domestic-work'"))
            )
        )
    assert domestic
    page = seeded_client.get("/en/practices/?sector=domestic-work").get_data(as_text=True)
    assert re.search(rf"\b{len(domestic)}\b practices?", page)


def test_evaluations_are_named_by_type_with_their_source(seeded_app, seeded_client):
    with seeded_app.app_context():
        practice = db.session.scalars(
            db.select(Practice).where(Practice.evaluations.any(), Practice.status == "published")
        ).first()
        evaluation = practice.evaluations[0]
        pid, title = practice.id, evaluation.title
    page = seeded_client.get(f"/en/practices/{pid}").get_data(as_text=True)
    assert "Evaluations and reviews" in page and title.replace("'", "&#39;") in page
    assert "Evaluation</dt>" in page and ">Yes<" not in page


def test_results_and_limits_have_their_own_sections_in_both_languages(seeded_app, seeded_client):
    with seeded_app.app_context():
        practice = db.session.scalars(
            db.select(Practice).where(Practice.status == "published")
        ).all()
        pid = next(p.id for p in practice if p.translations["es"].limits)
    english = seeded_client.get(f"/en/practices/{pid}").get_data(as_text=True)
    spanish = seeded_client.get(f"/es/practices/{pid}").get_data(as_text=True)
    assert '<h2 id="limits-title">Limits and criticism</h2>' in english
    assert '<h2 id="limits-title">Límites y críticas</h2>' in spanish


def test_sources_carry_their_language(seeded_client):
    page = seeded_client.get("/es/practices/54").get_data(as_text=True)
    assert re.search(r'<cite lang="es">', page)


def test_a_version_saved_before_evaluation_types_still_shows(seeded_app):
    with seeded_app.app_context():
        data = versions.snapshot(db.session.get(Practice, 7))
    old = {
        k: v
        for k, v in data.items()
        if k
        not in (
            "evaluations",
            "start_year_approx",
            "end_year_approx",
            "addresses_women",
            "subdivisions",
            "sectors",
        )
    }
    old.update(format=1, has_evaluation=True, evaluation_source="A 2019 systematisation")
    old["sources"] = [
        {k: s[k] for k in ("title", "publisher", "year", "url")} for s in data["sources"]
    ]
    old["translations"] = {
        lang: {k: t[k] for k in ("title", "summary", "body", "text_origin")}
        for lang, t in data["translations"].items()
    }
    old["frameworks"] = [
        {k: f[k] for k in ("kind", "code", "title_en", "title_es")} for f in data["frameworks"]
    ]
    thawed = versions.thaw(old)
    assert [e.title for e in thawed.evaluations] == ["A 2019 systematisation"]
    assert thawed.evaluations[0].type is None
    changes = versions.diff(old, data)
    assert any(c["field"] == "evaluations" for c in changes)


def test_an_approximate_start_year_is_shown_as_approximate(seeded_client):
    english = seeded_client.get("/en/practices/42").get_data(as_text=True)
    spanish = seeded_client.get("/es/practices/42").get_data(as_text=True)
    assert "c. 2019–present" in english
    assert "h. 2019–" in spanish


def test_an_unconfirmed_status_says_so(seeded_client):
    page = seeded_client.get("/en/practices/10").get_data(as_text=True)
    assert "Not confirmed by recent sources" in page and "2020–end not known" in page


def test_a_source_read_on_a_known_date_says_when(app, tmp_path):
    import shutil
    from datetime import date

    import yaml

    from kb.services import seeds
    from tests.conftest import SEEDS

    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    path = next((copy / "practices").glob("001-*.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"][0]["consulted"] = date(2026, 11, 20)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    seeds.seed(copy)
    page = app.test_client().get("/en/practices/1").get_data(as_text=True)
    assert "consulted on Nov 20, 2026" in page
