"""The JSON API at /api/v1: practices with the list's filters and search, one practice in both
languages, the taxonomy, collections and events; pages with links; ETag and Cache-Control;
errors as JSON; CORS for reads; an OpenAPI description generated from the code, and its page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from kb.extensions import db
from kb.models import Practice, Status
from tests.conftest import CONTRACT_THEMES
from tests.test_search import result_ids

API = "/api/v1"


def get_json(client, url: str, status: int = 200, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    return response.get_json()


def published_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Practice).where(Practice.status == Status.published)
    )


def html_total(client, url: str) -> int:
    html = client.get(url).get_data(as_text=True)
    match = re.search(r'class="results__count"[^>]*>\s*(\d+) ', html)
    return int(match.group(1)) if match else 0


def test_the_list_holds_every_published_practice_page_by_page(seeded_client):
    first = get_json(seeded_client, f"{API}/practices?per_page=7")
    assert first["total"] == published_count() >= 30
    assert first["pages"] == -(-first["total"] // 7)
    assert len(first["items"]) == 7
    assert first["links"]["prev"] is None
    assert first["links"]["next"].endswith("page=2") or "page=2" in first["links"]["next"]
    seen = [item["id"] for item in first["items"]]
    url = first["links"]["next"]
    while url:
        page = get_json(seeded_client, url.replace("http://127.0.0.1:5000", ""))
        seen += [item["id"] for item in page["items"]]
        url = page["links"]["next"]
    assert len(seen) == len(set(seen)) == first["total"]
    item = first["items"][0]
    assert set(item["title"]) == {"en", "es"} and item["title"]["es"]
    assert item["links"]["html"]["es"].startswith("http://127.0.0.1:5000/es/practices/")


def test_filters_count_as_the_list_page_does(seeded_client):
    query = "theme=legal-frameworks&pillar=2&country=MX"
    body = get_json(seeded_client, f"{API}/practices?{query}")
    assert body["total"] == html_total(seeded_client, f"/en/practices/?{query}") > 0
    for item in body["items"]:
        assert 2 in item["pillars"] and "legal-frameworks" in item["themes"]


def test_search_without_accents_finds_what_the_search_page_finds(seeded_client):
    body = get_json(seeded_client, f"{API}/practices?q=contratacion&lang=es&per_page=50")
    html = seeded_client.get("/es/search?q=contratacion").get_data(as_text=True)
    assert body["total"] > 0
    assert [item["id"] for item in body["items"]][:10] == result_ids(html)[:10]


def test_values_that_name_nothing_are_ignored_and_said_in_the_language_asked(seeded_client):
    body = get_json(seeded_client, f"{API}/practices?theme=no-such-theme&lang=es")
    assert body["total"] == published_count()
    assert body["notices"] == [
        "No hay ningún valor «no-such-theme» para el filtro tema; se ignoró ese filtro."
    ]


@pytest.mark.parametrize(
    "query, field",
    [("per_page=0", "per_page"), ("page=abc", "page"), ("pillar=x", "pillar"), ("lang=fr", "lang")],
)
def test_bad_arguments_are_a_400_naming_the_field(seeded_client, query, field):
    body = get_json(seeded_client, f"{API}/practices?{query}", status=400)
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert body["message"] == "Some arguments are not valid."
    assert field in body["errors"]["query"]


def test_errors_speak_the_language_of_the_client(seeded_client):
    body = get_json(
        seeded_client,
        f"{API}/practices?per_page=500",
        status=400,
        headers={"Accept-Language": "es"},
    )
    assert body["message"] == "Algunos argumentos no son válidos."
    body = get_json(seeded_client, f"{API}/practices?per_page=100&page=9&lang=es", status=404)
    assert body["message"] == "No existe la página 9: la última es la 1."


def test_a_page_past_the_last_is_a_404_saying_which_is_the_last(seeded_client):
    body = get_json(seeded_client, f"{API}/practices?per_page=100&page=9", status=404)
    assert body["message"] == "There is no page 9: the last page is 1."


def test_one_practice_has_every_field_in_both_languages(seeded_client):
    body = get_json(seeded_client, f"{API}/practices/1")
    practice = db.session.get(Practice, 1)
    assert body["id"] == 1 and body["slug"] == practice.slug
    for lang in ("en", "es"):
        text = body["texts"][lang]
        assert text["title"] == practice.translations[lang].title
        assert text["body"] == practice.translations[lang].body
        assert set(text) == {
            "title",
            "summary",
            "body",
            "results",
            "limits",
            "gender",
            "text_origin",
        }
    assert len(body["sources"]) >= 2 and body["sources"][0]["title"]
    assert body["pillars"] and set(body["pillars"][0]["name"]) == {"en", "es"}
    assert body["organisations"] and body["organisations"][0]["role"]
    assert body["links"]["citation"]["bib"].endswith("/practices/1/cite.bib")


def test_unknown_or_unpublished_practices_are_a_json_404(seeded_client):
    unpublished = db.session.scalar(select(Practice.id).where(Practice.status != Status.published))
    for pid in filter(None, (999999, unpublished)):
        body = get_json(seeded_client, f"{API}/practices/{pid}", status=404)
        assert body["message"] == f"No published practice has the number {pid}."
    body = get_json(seeded_client, f"{API}/nowhere", status=404)
    assert body["message"] == "Nothing is published at this address."


def test_the_taxonomy_lists_pillars_themes_countries_corridors_and_frameworks(seeded_client):
    body = get_json(seeded_client, f"{API}/taxonomy")
    assert [p["number"] for p in body["pillars"]] == [1, 2, 3, 4]
    assert set(CONTRACT_THEMES) <= {t["slug"] for t in body["themes"]}
    corridor = next(c for c in body["corridors"] if c["slug"] == "MX-CA")
    assert corridor["practices"] == html_total(seeded_client, "/en/practices/?corridor=MX-CA") > 0
    assert any(c["code"] == "MX" and c["name"]["es"] == "México" for c in body["countries"])
    assert body["frameworks"] and body["frameworks"][0]["title"]["en"]


def test_collections_and_events(seeded_client):
    listed = get_json(seeded_client, f"{API}/collections")
    launch = next(c for c in listed["items"] if c["slug"] == "americas-launch-2021")
    detail = get_json(seeded_client, launch["links"]["self"].replace("http://127.0.0.1:5000", ""))
    assert len(detail["items"]) == launch["practices"] > 0
    events = get_json(seeded_client, f"{API}/events")
    event = get_json(seeded_client, f"{API}/events/americas-launch-2021")
    assert "americas-launch-2021" in [e["slug"] for e in events["items"]]
    assert event["time_zone"] == "America/Lima" and event["agenda"]
    assert event["collection"] == "americas-launch-2021"
    get_json(seeded_client, f"{API}/events/no-such-event", status=404)


def test_an_event_does_not_name_its_draft_collection(client):
    from datetime import date

    from kb.models import Collection, Event, Visibility

    draft = Collection(
        slug="draft-picks", title_en="Draft", title_es="Borrador", visibility=Visibility.draft
    )
    db.session.add(draft)
    db.session.add(
        Event(
            slug="workshop",
            title_en="Workshop",
            title_es="Taller",
            starts_on=date(2025, 5, 6),
            venue_en="Online",
            venue_es="En línea",
            languages="en,es",
            collection=draft,
        )
    )
    db.session.commit()
    event = get_json(client, f"{API}/events/workshop")
    assert event["collection"] is None and event["practices"] == []
    get_json(client, f"{API}/collections/draft-picks", status=404)


def test_reads_carry_an_etag_and_may_be_cached(seeded_client):
    first = seeded_client.get(f"{API}/practices/1")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    etag = first.headers["ETag"]
    again = seeded_client.get(f"{API}/practices/1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = seeded_client.get(f"{API}/practices/2", headers={"If-None-Match": etag})
    assert other.status_code == 200


def test_reads_are_open_to_other_sites_and_writes_are_refused(seeded_client):
    response = seeded_client.get(f"{API}/taxonomy", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = seeded_client.options(
        f"{API}/practices",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    refused = seeded_client.post(f"{API}/practices")
    assert refused.status_code == 405 and refused.get_json()["code"] == 405


def test_the_site_keeps_its_html_error_pages(seeded_client):
    response = seeded_client.get("/en/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    response = seeded_client.get("/es/practices/?page=abc")
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_the_openapi_description_is_generated_and_describes_every_operation(seeded_client):
    spec = get_json(seeded_client, f"{API}/openapi.json")
    assert spec["openapi"].startswith("3.")
    assert {
        "/api/v1/practices",
        "/api/v1/practices/{practice_id}",
        "/api/v1/taxonomy",
        "/api/v1/collections",
        "/api/v1/collections/{slug}",
        "/api/v1/events",
        "/api/v1/events/{slug}",
    } <= set(spec["paths"])
    listing = spec["paths"]["/api/v1/practices"]["get"]
    assert {"q", "theme", "pillar", "corridor", "page", "per_page"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert {"200", "400"} <= set(listing["responses"])


@pytest.mark.parametrize(
    "lang, heading, summary",
    [
        ("en", "The knowledge base's API", "Published practices, by filters and full-text search"),
        (
            "es",
            "La API de la base de conocimientos",
            "Prácticas publicadas, por filtros y búsqueda de texto completo",
        ),
    ],
)
def test_the_api_page_describes_every_operation_in_the_page_language(
    seeded_client, lang, heading, summary
):
    html = seeded_client.get(f"/{lang}/api").get_data(as_text=True)
    assert heading in html and summary in html
    assert "<code>GET /api/v1/practices/{practice_id}</code>" in html
    assert 'href="/api/v1/openapi.json"' in html


def spec_texts(node) -> set[str]:
    """Every summary and description in the OpenAPI document."""
    found = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description") and isinstance(value, str):
                found.add(value)
            else:
                found |= spec_texts(value)
    elif isinstance(node, list):
        for value in node:
            found |= spec_texts(value)
    return found


def test_every_text_of_the_description_has_its_spanish_translation(seeded_app):
    from babel.messages.pofile import read_po

    from kb import resource_dir

    spec = seeded_app.test_client().get(f"{API}/openapi.json").get_json()
    texts = spec_texts(spec["paths"]) | spec_texts(spec["components"]) | spec_texts(spec["tags"])
    with open(resource_dir("translations") / "es/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id}
    assert len(texts) > 30
    assert sorted(t for t in texts if not catalogue.get(t)) == []


def test_errors_without_a_page_of_their_own_stay_html_outside_the_api(app):
    """flask-smorest answers every HTTP error of the app; only the API's answers are JSON."""
    from werkzeug.exceptions import Conflict

    def refuse():
        raise Conflict()

    app.add_url_rule("/en/refused", "refused", refuse)
    app.add_url_rule(f"{API}/refused", "api_refused", refuse)
    client = app.test_client()
    site = client.get("/en/refused")
    assert site.status_code == 409 and site.mimetype == "text/html"
    body = get_json(client, f"{API}/refused", status=409)
    assert body == {"code": 409, "status": "Conflict", "message": "Conflict"}
