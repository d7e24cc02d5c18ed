"""Events: editors create and edit them (when, in which time zone, format, languages,
organisers, an agenda with times, speakers and practices); everyone reads them."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from kb.extensions import db
from kb.models import UserRole
from tests.factories import make_practice
from tests.web import csrf, log_in, make_user


@pytest.fixture
def editor(app):
    make_practice(4, "Resource centre in Lima")
    make_user("ed@example.org", UserRole.editor, name="Ed")
    make_user("ana@example.org", name="Ana")
    db.session.commit()
    client = app.test_client()
    log_in(client, "ed@example.org")
    return client


def event_form(client, path="/en/curation/events/new", **changes):
    data = {
        "csrf_token": csrf(client, path),
        "title_en": "Launch for the Americas",
        "title_es": "Lanzamiento para las Américas",
        "starts_on": "2027-03-15",
        "start_time": "09:00",
        "end_time": "11:30",
        "time_zone": "America/Lima",
        "format": "hybrid",
        "venue_en": "Lima and online",
        "venue_es": "Lima y en línea",
        "languages": ["es", "en"],
        "agenda-0-starts_at": "09:00",
        "agenda-0-title_en": "Opening",
        "agenda-0-title_es": "Apertura",
        "agenda-0-speakers": "Ana Pérez, Ministry of Labour\nJohn Doe",
        "agenda-0-practices": "4",
    }
    return {**data, **changes}


def test_an_editor_creates_an_event_with_its_agenda(app, editor):
    response = editor.post("/en/curation/events/new", data=event_form(editor))
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    page = app.test_client().get(response.headers["Location"].replace("/en/", "/es/"))
    html = page.get_data(as_text=True)
    assert "Lanzamiento para las Américas" in html
    assert "09:00–11:30 (America/Lima, UTC-05:00)" in html
    assert "<dd>Híbrido</dd>" in html
    assert "Ana Pérez (Ministry of Labour); John Doe" in html
    assert 'href="/es/practices/4"' in html
    listing = app.test_client().get("/en/events/").get_data(as_text=True)
    assert "Launch for the Americas" in listing and "Coming" in listing


def test_a_bad_time_zone_comes_back_with_everything_typed(app, editor):
    response = editor.post("/en/curation/events/new", data=event_form(editor, time_zone="Lima"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#time_zone"' in html and "Launch for the Americas" in html and "Ana Pérez" in html


def test_an_editor_edits_an_event(app, editor):
    created = editor.post("/en/curation/events/new", data=event_form(editor))
    slug = created.headers["Location"].rsplit("/", 1)[1]
    path = f"/en/curation/events/{slug}"
    form = editor.get(path).get_data(as_text=True)
    assert "Ana Pérez, Ministry of Labour" in form and 'value="America/Lima"' in form
    editor.post(path, data=event_form(editor, path, title_en="Launch, renamed", format="online"))
    html = app.test_client().get(f"/en/events/{slug}").get_data(as_text=True)
    assert "Launch, renamed" in html and "Online" in html


@pytest.mark.parametrize("who", [None, "ana@example.org"])
def test_only_editors_create_events(app, editor, who):
    client = app.test_client()
    if who:
        log_in(client, who)
    response = client.post("/en/curation/events/new", data=event_form(client, "/en/login"))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    assert "Launch for the Americas" not in app.test_client().get("/en/events/").get_data(
        as_text=True
    )


def test_the_seeded_launch_shows_its_agenda_and_the_editors_selection(seeded_client):
    html = seeded_client.get("/en/events/americas-launch-2021").get_data(as_text=True)
    assert re.findall(r"<h3>(?:<span[^>]*>[^<]*</span> )?([^<]+)</h3>", html)[:3] == [
        "High-level opening",
        "Technical discussion on promising practices",
        "Participatory dialogue",
    ]
    assert "The editors' selection for this event" in html
    assert "Practices presented" not in html


def test_a_zone_the_server_decides_is_refused_and_a_broken_one_never_breaks_the_page(app, editor):
    response = editor.post(
        "/en/curation/events/new", data=event_form(editor, time_zone="localtime")
    )
    assert response.status_code == 422
    created = editor.post("/en/curation/events/new", data=event_form(editor))
    slug = created.headers["Location"].rsplit("/", 1)[1]
    from kb.models import Event

    event = db.session.scalar(select(Event).filter_by(slug=slug))
    html = app.test_client().get(f"/en/events/{slug}").get_data(as_text=True)
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    )
    assert (
        data["startDate"] == "2027-03-15T09:00-05:00"
        and data["endDate"] == "2027-03-15T11:30-05:00"
    )
    assert data["eventAttendanceMode"].endswith("MixedEventAttendanceMode")
    event.time_zone = "Mars/Base"
    db.session.commit()
    assert app.test_client().get(f"/en/events/{slug}").status_code == 200
