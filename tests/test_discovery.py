"""Others find and reuse the catalogue: Atom feeds that feed readers parse, JSON-LD with the
right schema.org types, a bilingual sitemap, Open Graph tags for shared links."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from kb.extensions import db
from kb.models import Status
from tests.factories import make_practice


def json_ld(html: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


@pytest.fixture
def catalogue(app):
    make_practice(1, "Recruitment fees ban", title_es="Prohibición de comisiones")
    make_practice(2, "Resource centre", themes=("resource-centres",))
    make_practice(3, "Unpublished idea", status=Status.draft)
    db.session.commit()


def test_the_feed_of_new_practices_parses_and_links_permanently(client, catalogue):
    response = client.get("/es/feed.atom")
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.language == "es" and feed.feed.title == "Prácticas nuevas"
    ids = {entry.id for entry in feed.entries}
    assert ids == {"http://127.0.0.1:5000/p/1", "http://127.0.0.1:5000/p/2"}
    titles = {entry.title for entry in feed.entries}
    assert "Prohibición de comisiones" in titles and "Unpublished idea" not in titles


def test_any_filter_or_search_has_its_feed_linked_from_its_page(client, catalogue):
    page = client.get("/en/practices/?theme=resource-centres&page=1").get_data(as_text=True)
    link = re.search(r'type="application/atom\+xml" title="[^"]*" href="([^"]+)"', page).group(1)
    assert link == "/en/practices/feed.atom?theme=resource-centres"
    feed = feedparser.parse(client.get(link).data)
    assert [entry.title for entry in feed.entries] == ["Resource centre"]
    page = client.get("/en/search?q=fees").get_data(as_text=True)
    link = re.search(r'type="application/atom\+xml" title="[^"]*" href="([^"]+)"', page).group(1)
    assert link == "/en/search/feed.atom?q=fees"
    feed = feedparser.parse(client.get(link).data)
    assert not feed.bozo and [entry.title for entry in feed.entries] == ["Recruitment fees ban"]


def test_json_ld_names_the_right_types(seeded_client):
    practice = json_ld(seeded_client.get("/en/practices/1").get_data(as_text=True))
    assert practice["@context"] == "https://schema.org" and practice["@type"] == "CreativeWork"
    assert practice["url"].endswith("/p/1") and practice["author"][0]["@type"] == "Organization"
    assert {"@type": "Country", "identifier": "MX"} in practice["spatialCoverage"]
    collection = json_ld(
        seeded_client.get("/es/collections/americas-launch-2021").get_data(as_text=True)
    )
    assert collection["@type"] == "Collection" and collection["hasPart"]
    assert all(part["url"].startswith("http") for part in collection["hasPart"])
    event = json_ld(seeded_client.get("/en/events/americas-launch-2021").get_data(as_text=True))
    assert event["@type"] == "Event" and event["startDate"] == "2021-10-25T09:00-05:00"


def test_a_title_cannot_break_out_of_the_json_ld(app, client):
    make_practice(5, "</script><script>alert(1)</script>")
    db.session.commit()
    html = client.get("/en/practices/5").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_the_sitemap_lists_both_languages_with_their_alternates(client, catalogue):
    root = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    urls = {u.find("s:loc", ns).text: u for u in root.findall("s:url", ns)}
    assert "http://127.0.0.1:5000/en/practices/1-practice-1" in urls
    assert "http://127.0.0.1:5000/es/practices/1-practice-1" in urls
    assert not any("/practices/3" in url for url in urls), "drafts stay out"
    alternates = urls["http://127.0.0.1:5000/es/"].findall("x:link", ns)
    assert {a.get("hreflang") for a in alternates} == {"en", "es"}
    assert "Sitemap: http://127.0.0.1:5000/sitemap.xml" in client.get("/robots.txt").get_data(
        as_text=True
    )


def test_a_shared_link_shows_the_title_and_summary(client, catalogue):
    html = client.get("/es/practices/1").get_data(as_text=True)
    assert '<meta property="og:title" content="Prohibición de comisiones">' in html
    assert (
        '<meta property="og:description" content="Resumen de Prohibición de comisiones.">' in html
    )
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="http://127.0.0.1:5000/es/practices/1">' in html
