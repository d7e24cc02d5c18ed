"""Suggestions as one types: what the search box offers for a prefix, and the JSON behind it."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from kb import CHECKOUT_DIR
from kb.extensions import db
from kb.models import Practice, Status
from kb.search import get_index
from kb.search import suggest as suggest_index
from kb.search.analysis import fold
from kb.services.suggestions import labels
from tests.factories import make_practice


def suggest(text: str, lang: str = "en", limit: int = 8):
    return suggest_index.suggest(get_index(), text, lang, labels, limit)


def keys(found, kind: str) -> list[str]:
    return [s.key for s in found if s.kind == kind]


# --- what is offered, on the seed data --------------------------------------------------
@pytest.mark.parametrize("lang, name", [("en", "Mexico"), ("es", "México")])
def test_the_start_of_a_country_suggests_it_and_its_corridors(seeded_client, lang, name):
    found = suggest("mexi", lang)
    assert found[0].kind == "country" and found[0].key == "MX" and found[0].label == name
    corridors = keys(found, "corridor")
    assert corridors and all("MX" in slug.split("-") for slug in corridors)
    assert all(f"{name} → " in s.label for s in found if s.kind == "corridor")


def test_accents_and_case_are_ignored(seeded_client):
    assert suggest("MÉXI", "en") == suggest("mexi", "en")
    assert suggest("alemania", "es")[0].label == "Alemania"


def test_a_spanish_word_typed_without_its_accent_finds_titles_that_have_it(seeded_client):
    found = [s for s in suggest("contratacion", "es") if s.kind == "practice"]
    assert found and all("contratacion" in fold(s.label.lower()) for s in found)
    assert any("contratación" in s.label for s in found)
    assert all(s.lang == "es" for s in found)


def test_several_words_each_start_a_word_of_the_title(seeded_client):
    found = suggest("carne san", "es")
    assert [s.key for s in found if s.kind == "practice"] == ["10"]
    assert "Carné Sanitario" in found[0].label


@pytest.mark.parametrize("typed", ["H-2", "h2a", "H-2A", "h-2a", "h2a recruit"])
def test_a_visa_class_is_found_with_or_without_its_hyphen(seeded_client, typed):
    assert "H-2A" in db.session.get(Practice, 19).translations["en"].title
    assert "19" in keys(suggest(typed, "en"), "practice")


@pytest.mark.parametrize(
    "lang, acronym, name",
    [("es", "OIT", "Organización Internacional del Trabajo (OIT)"), ("en", "ILO", None)],
)
def test_an_organisation_acronym_suggests_the_organisation_first(
    seeded_client, lang, acronym, name
):
    first = suggest(acronym, lang)[0]
    assert first.kind == "organisation"
    assert first.label == (name or "International Labour Organization (ILO)")
    assert first.key.startswith("org:")


def test_an_english_title_word_on_a_spanish_page_falls_back_to_the_english_title(seeded_client):
    found = [s for s in suggest("seasonal agricultural", "es") if s.kind == "practice"]
    assert "1" in [s.key for s in found]
    assert all(s.lang == "en" and "seasonal agricultural" in s.label.lower() for s in found)


def test_a_theme_is_suggested_in_the_pages_language(seeded_client):
    found = suggest("marcos jur", "es")
    assert ("theme", "legal-frameworks", "Marcos jurídicos") in [
        (s.kind, s.key, s.label) for s in found
    ]


@pytest.mark.parametrize("typed", ["", " ", "m", "%%%", "--", "zzqxw"])
def test_too_little_or_nothing_known_suggests_nothing(seeded_client, typed):
    assert suggest(typed) == []


def test_no_more_suggestions_than_asked(seeded_client):
    assert len(suggest("mexi", "en", limit=3)) == 3
    assert len(suggest("mexi", "en")) == 8


# --- the index changes ------------------------------------------------------------------
def test_a_newly_published_practice_is_suggested_and_an_archived_one_no_longer(app):
    make_practice(id=1, title="Quetzal corridor pilot")
    db.session.commit()
    assert keys(suggest("quetz"), "practice") == ["1"]
    make_practice(id=2, title="Quetzal workers fund")
    db.session.commit()
    assert sorted(keys(suggest("quetz"), "practice")) == ["1", "2"]
    db.session.get(Practice, 1).status = Status.archived
    db.session.commit()
    assert keys(suggest("quetz"), "practice") == ["2"]


# --- the endpoint -----------------------------------------------------------------------
def test_the_endpoint_answers_labels_and_links_that_lead_somewhere(seeded_client):
    response = seeded_client.get("/es/search/suggest?q=mexi")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "max-age=" in response.headers["Cache-Control"]
    body = response.json
    assert body["q"] == "mexi"
    first = body["suggestions"][0]
    assert first == {
        "label": "México",
        "kind": "country",
        "kind_label": "País",
        "url": "/es/countries/MX",
        "lang": "es",
    }
    for item in body["suggestions"]:
        page = seeded_client.get(item["url"], follow_redirects=True)
        assert page.status_code == 200, item


def test_an_organisation_leads_to_a_search_for_it(seeded_client):
    item = seeded_client.get("/en/search/suggest?q=ILO").json["suggestions"][0]
    assert item["url"].startswith("/en/search?q=org:")
    html = seeded_client.get(item["url"]).get_data(as_text=True)
    assert re.search(r'<h3 class="card__title"><a href="/en/practices/\d+-', html)


@pytest.mark.parametrize(
    "query",
    ["", "q=", "q=%%%", "q=" + "a" * 600, "q=%ff%fe", "q=%00", "q=m", "q=a&q=b", "q=%22%27%3C"],
)
def test_odd_input_answers_200_and_a_list(seeded_client, query):
    response = seeded_client.get(f"/en/search/suggest?{query}")
    assert response.status_code == 200
    assert isinstance(response.json["suggestions"], list)
    assert len(response.json["q"]) <= 100


def test_a_failing_index_means_no_suggestions_not_an_error(seeded_client, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("index unreadable")

    monkeypatch.setattr(suggest_index, "suggest", broken)
    response = seeded_client.get("/en/search/suggest?q=mexi")
    assert response.status_code == 200 and response.json["suggestions"] == []


def test_an_unknown_language_is_not_found(seeded_client):
    assert seeded_client.get("/fr/search/suggest?q=mexi").status_code == 404


# --- without JavaScript -----------------------------------------------------------------
def test_the_header_search_form_works_without_javascript(seeded_client):
    html = seeded_client.get("/en/").get_data(as_text=True)
    form = re.search(
        r'<form class="site-search" method="get" action="([^"]+)".*?</form>', html, re.S
    )
    assert form and form.group(1) == "/en/search"
    assert re.search(r'<input id="site-search-q" name="q" type="search"', form.group(0))
    assert '<button type="submit"' in form.group(0)
    # The combobox roles are added by the script: without it the field is a plain search box.
    assert 'role="combobox"' not in html and 'data-suggest-url="/en/search/suggest"' in html
    assert re.search(r'<script src="/static/js/suggest\.js[^"]*" defer></script>', html)
    results = seeded_client.get("/en/search?q=mexico").get_data(as_text=True)
    assert '<h3 class="card__title"><a href="/en/practices/' in results


def test_the_announcements_are_in_the_pages_language(seeded_client):
    html = seeded_client.get("/es/").get_data(as_text=True)
    assert 'data-suggest-url="/es/search/suggest"' in html
    assert re.search(r'data-suggest-many="[^"]*\{count\}[^"]*"', html)


def test_an_empty_catalogue_suggests_nothing(client):
    response = client.get("/en/search/suggest?q=mexi")
    assert response.status_code == 200 and response.json["suggestions"] == []


def test_the_suggestion_benchmark_prints_its_figures(tmp_path):
    result = subprocess.run(
        [sys.executable, str(CHECKOUT_DIR / "bench" / "suggest_bench.py"), "--practices", "30"]
        + ["--rounds", "1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"service +p50 .* p95 .* max ", result.stdout)
    assert "'mexi' (en) suggests: Mexico" in result.stdout
