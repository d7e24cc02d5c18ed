"""Every browse page answers in English and Spanish, in that language, without JavaScript."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kb.extensions import db
from kb.models import Corridor, Practice
from tests.conftest import CONTRACT_THEMES

# A phrase of the page's interface in each language, proving the catalogue was used.
NAV = {"en": "Practices", "es": "Prácticas"}
HOME_TITLE = {
    "en": "Promising practices in the fair recruitment of migrant workers",
    "es": "Prácticas prometedoras en la contratación equitativa de personas trabajadoras migrantes",
}

STATIC_PAGES = [
    "/{lang}/",
    "/{lang}/about",
    "/{lang}/practices/",
    "/{lang}/practices/?theme=legal-frameworks&pillar=2&sort=newest",
    "/{lang}/practices/1",
    "/{lang}/corridors/",
    "/{lang}/corridors/MX-CA",
    "/{lang}/countries/MX",
    "/{lang}/countries/CA",
    "/{lang}/themes/",
    "/{lang}/pillars/",
    "/{lang}/collections/americas-launch-2021",
    "/{lang}/events/americas-launch-2021",
]


def html_lang(html: str) -> str:
    return re.search(r'<html lang="(\w+)"', html).group(1)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("path", STATIC_PAGES)
def test_every_browse_page_answers_in_its_language(seeded_client, path, lang):
    response = seeded_client.get(path.format(lang=lang))
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    assert html_lang(html) == lang
    assert f">{NAV[lang]}</a>" in html
    assert "<main" in html and 'class="skip-link"' in html
    assert "style=" not in html  # one stylesheet, no inline styles


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", ["themes", "pillars"])
def test_every_theme_and_pillar_has_a_page(seeded_client, lang, kind):
    slugs = CONTRACT_THEMES if kind == "themes" else ["1", "2", "3", "4"]
    for slug in slugs:
        response = seeded_client.get(f"/{lang}/{kind}/{slug}")
        assert response.status_code == 200, slug
        assert html_lang(response.get_data(as_text=True)) == lang


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_published_practice_and_corridor_has_a_page(seeded_app, seeded_client, lang):
    ids = db.session.scalars(select(Practice.id)).all()
    corridors = [c.slug for c in db.session.scalars(select(Corridor))]
    assert len(ids) >= 30
    for pid in ids:
        assert seeded_client.get(f"/{lang}/practices/{pid}").status_code == 200, pid
    for slug in corridors:
        assert seeded_client.get(f"/{lang}/corridors/{slug}").status_code == 200, slug


def test_home_page_speaks_each_language(seeded_client):
    for lang, title in HOME_TITLE.items():
        html = seeded_client.get(f"/{lang}/").get_data(as_text=True)
        assert title in html


def test_practice_page_shows_content_in_the_page_language(seeded_client):
    english = seeded_client.get("/en/practices/1").get_data(as_text=True)
    spanish = seeded_client.get("/es/practices/1").get_data(as_text=True)
    assert "Mexico" in english and "Canada" in english
    assert "México" in spanish and "Canadá" in spanish  # country names from Babel's data
    assert "Programa de Trabajadores Agrícolas Temporales" in spanish


def test_practice_page_shows_every_field(seeded_client):
    html = seeded_client.get("/en/practices/1").get_data(as_text=True)
    for label in (
        "Scope",
        "Corridor",
        "Years",
        "Status",
        "Evaluation",
        "Organisations",
        "Last reviewed",
        "Sources",
        "International frameworks",
        "Permanent link",
    ):
        assert label in html, label
    assert 'href="/en/corridors/MX-CA"' in html
    assert 'href="/en/pillars/2"' in html
    assert "Related practices" in html


def test_practice_url_with_a_wrong_slug_redirects_to_the_canonical_one(seeded_client):
    response = seeded_client.get("/en/practices/1-not-the-slug")
    assert response.status_code == 301
    assert re.match(r"/en/practices/1-[a-z0-9-]+$", response.headers["Location"])
    assert seeded_client.get(response.headers["Location"]).status_code == 200


def test_short_permalink_redirects_to_the_practice_in_the_preferred_language(seeded_client):
    response = seeded_client.get("/p/1", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert response.status_code == 301
    assert response.headers["Location"].startswith("/es/practices/1")


def test_root_redirects_by_cookie_then_accept_language(seeded_client):
    response = seeded_client.get("/", headers={"Accept-Language": "es-ES,es;q=0.8,en;q=0.5"})
    assert response.headers["Location"] == "/es/"
    assert seeded_client.get("/", headers={"Accept-Language": "fr"}).headers["Location"] == "/en/"
    seeded_client.set_cookie("kb_lang", "es")
    response = seeded_client.get("/", headers={"Accept-Language": "en"})
    assert response.headers["Location"] == "/es/"


def test_visiting_a_language_remembers_it_for_the_root_redirect(seeded_client):
    seeded_client.get("/es/themes/")
    assert seeded_client.get("/", headers={"Accept-Language": "en"}).headers["Location"] == "/es/"


def test_language_switcher_keeps_the_page_and_the_query(seeded_client):
    html = seeded_client.get("/en/practices/?theme=legal-frameworks&pillar=2").get_data(
        as_text=True
    )
    switch = re.search(r'<a href="([^"]+)" hreflang="es" lang="es">Español</a>', html).group(1)
    assert switch.startswith("/es/practices/?")
    assert "theme=legal-frameworks" in switch and "pillar=2" in switch


def test_pages_declare_their_alternates(seeded_client):
    html = seeded_client.get("/es/corridors/MX-CA").get_data(as_text=True)
    assert '<link rel="alternate" hreflang="en" href="/en/corridors/MX-CA">' in html
    assert '<link rel="alternate" hreflang="es" href="/es/corridors/MX-CA">' in html


def test_dates_are_formatted_for_the_language(seeded_client):
    assert "October 25, 2021" in seeded_client.get("/en/events/americas-launch-2021").get_data(
        as_text=True
    )
    assert "25 de octubre de 2021" in seeded_client.get("/es/events/americas-launch-2021").get_data(
        as_text=True
    )


def test_event_page_shows_agenda_organisers_and_the_editors_selection(seeded_client):
    html = seeded_client.get("/en/events/americas-launch-2021").get_data(as_text=True)
    for text in (
        "High-level opening",
        "Technical discussion on promising practices",
        "Participatory dialogue",
        "International Labour Organization",
        "International Organisation of Employers",
        "The editors' selection for this event",
    ):
        assert text in html, text
    assert "Practices presented" not in html, "its sources do not say which were presented"
    assert html.count('class="card"') >= 6


def test_corridor_matrix_counts_practices_per_corridor(seeded_client):
    html = seeded_client.get("/en/corridors/").get_data(as_text=True)
    assert '<table class="matrix">' in html
    mx_ca = db.session.scalar(select(Corridor).filter_by(origin_code="MX", destination_code="CA"))
    published = [p for p in db.session.scalars(select(Practice)) if mx_ca in p.corridors]
    cell = re.search(r'aria-label="Mexico to Canada: (\d+)"', html)
    assert cell and int(cell.group(1)) == len(published)


def test_country_page_separates_origin_and_destination(seeded_client):
    html = seeded_client.get("/en/countries/MX").get_data(as_text=True)
    origin, destination = html.split("As a country of destination")
    assert 'href="/en/corridors/MX-CA"' in origin
    assert 'href="/en/corridors/GT-MX"' in destination


def test_coverage_grid_shows_counts_for_every_pillar_and_theme(seeded_client):
    html = seeded_client.get("/en/pillars/").get_data(as_text=True)
    table = html[html.index('<table class="grid-table">') :]
    assert table.count('<th scope="row">') >= 13
    assert 'href="/en/practices/?pillar=2&amp;theme=legal-frameworks"' in table


@pytest.mark.parametrize(
    "path",
    [
        "/en/practices/99999",
        "/es/corridors/XX-YY",
        "/en/corridors/not-a-corridor",
        "/en/countries/ZZ",
        "/es/themes/no-such-theme",
        "/en/pillars/7",
        "/fr/practices/",
        "/de/",
        "/en/events/nothing",
        "/en/collections/nothing",
    ],
)
def test_unknown_things_are_a_404_page_not_a_500(seeded_client, path):
    response = seeded_client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True) or "Página no encontrada" in (
        response.get_data(as_text=True)
    )


def test_404_page_speaks_the_language_of_the_url(seeded_client):
    html = seeded_client.get("/es/practices/99999").get_data(as_text=True)
    assert "Página no encontrada" in html and html_lang(html) == "es"


def test_lowercase_country_and_corridor_codes_redirect(seeded_client):
    assert seeded_client.get("/en/countries/mx").headers["Location"] == "/en/countries/MX"
    assert seeded_client.get("/en/corridors/mx-ca").headers["Location"] == "/en/corridors/MX-CA"


def test_healthz_reports_the_database(seeded_client):
    response = seeded_client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"
    assert response.json["index"] == "ok" and response.json["indexed"] >= 30


def test_an_unexpected_error_is_a_500_page_in_the_language_of_the_url(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/es/broken")
    def broken():
        raise RuntimeError("boom")

    response = client.get("/es/broken")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert html_lang(html) == "es" and "Se ha producido un error en el servidor" in html
    assert "boom" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/en/practices/?lang=es",
        "/en/practices/?endpoint=x&_scheme=ftp&_external=1",
        "/es/search?q=fees&lang=en",
        "/en/practices/?page=²",
        "/en/practices/?year_from=²&pillar=²",
        "/en/practices/?page=" + "9" * 5000,
        "/en/practices/99999999999999999999",
        "/en/pillars/99999999999999999999",
        "/p/99999999999999999999",
    ],
)
def test_hostile_query_strings_and_huge_numbers_never_give_a_500(seeded_client, path):
    response = seeded_client.get(path)
    assert response.status_code in (200, 400, 404), path


def test_the_language_switch_keeps_the_filters_and_drops_an_odd_argument(seeded_client):
    html = seeded_client.get("/en/practices/?lang=es&theme=legal-frameworks").get_data(True)
    assert 'href="/es/practices/?theme=legal-frameworks"' in html
    assert "lang=es&amp;" not in html
