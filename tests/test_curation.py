"""Curation: editors build collections (public, unlisted or draft), order and annotate them
without JavaScript, mark practices as curated; everything audited, nothing for others."""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select

from kb.extensions import db
from kb.models import AuditEvent, Collection, CurationEvent, UserRole
from tests.conftest import SEEDS
from tests.factories import make_practice
from tests.web import csrf, log_in, make_user


@pytest.fixture
def people(app):
    for n, title in ((1, "Fees ban"), (2, "Resource centre"), (3, "Bilateral agreement")):
        make_practice(n, title, title_es=f"{title} (es)")
    make_user("ana@example.org", name="Ana")
    make_user("ed@example.org", UserRole.editor, name="Ed")
    make_user("root@example.org", UserRole.admin, name="Root")
    db.session.commit()


def as_user(app, email):
    client = app.test_client()
    if email:
        assert log_in(client, email).status_code == 302
    return client


def new_collection(client, visibility="public", title="Launch selection") -> str:
    data = {
        "csrf_token": csrf(client, "/en/curation/collections/new"),
        "title_en": title,
        "title_es": "Selección del lanzamiento",
        "description_en": "What the editors chose.",
        "description_es": "Lo que eligió el equipo editorial.",
        "visibility": visibility,
    }
    response = client.post("/en/curation/collections/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return response.headers["Location"].rsplit("/", 1)[1]


def post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf(client, "/en/"), **data})


def order_on_page(client, slug) -> list[str]:
    html = client.get(f"/en/collections/{slug}").get_data(as_text=True)
    return re.findall(r'<h3 class="card__title"><a href="/en/practices/(\d+)', html)


def test_an_editor_builds_orders_and_annotates_a_collection(app, people):
    ed = as_user(app, "ed@example.org")
    slug = new_collection(ed)
    assert slug == "launch-selection"
    base = f"/en/curation/collections/{slug}"
    for pid in (1, 2, 3):
        post(
            ed, f"{base}/items", practice_id=str(pid), note_en=f"Note {pid}", note_es=f"Nota {pid}"
        )
    post(ed, f"{base}/items", practice_id="404")  # not a published practice: refused
    assert order_on_page(ed, slug) == ["1", "2", "3"]
    post(ed, f"{base}/items/3/first")
    post(ed, f"{base}/items/1/down")
    assert order_on_page(ed, slug) == ["3", "2", "1"]
    post(ed, f"{base}/items/2/remove")
    assert order_on_page(ed, slug) == ["3", "1"]
    post(ed, f"{base}/items/1/note", note_en="Presented first.", note_es="Presentada primero.")
    public = app.test_client()
    page = public.get(f"/es/collections/{slug}").get_data(as_text=True)
    assert "Presentada primero." in page and "Nota 3" in page
    slides = public.get(f"/en/collections/{slug}/present").get_data(as_text=True)
    titles = re.findall(r'<h2 id="slide-\d+-title"[^>]*>([^<]+)</h2>', slides)
    assert titles == ["Bilateral agreement", "Fees ban"]
    assert "Presented first." in slides
    actions = db.session.scalars(select(CurationEvent.action).order_by(CurationEvent.id)).all()
    assert actions == ["create", "add", "add", "add", "move", "move", "remove", "note"]


def test_visibility_public_unlisted_draft(app, people):
    ed = as_user(app, "ed@example.org")
    public_slug = new_collection(ed, "public", "Everyone's")
    unlisted = new_collection(ed, "unlisted", "By link")
    draft = new_collection(ed, "draft", "Work in progress")
    visitor = app.test_client()
    listing = visitor.get("/en/collections/").get_data(as_text=True)
    assert "Everyone&#39;s" in listing or "Everyone's" in listing
    assert "By link" not in listing and "Work in progress" not in listing
    assert visitor.get(f"/en/collections/{unlisted}").status_code == 200
    assert visitor.get(f"/en/collections/{unlisted}/present").status_code == 200
    assert visitor.get(f"/en/collections/{draft}").status_code == 404
    assert visitor.get(f"/en/collections/{draft}/present").status_code == 404
    ana = as_user(app, "ana@example.org")
    assert ana.get(f"/en/collections/{draft}").status_code == 404
    assert ed.get(f"/en/collections/{draft}").status_code == 200
    assert "Work in progress" in ed.get("/en/collections/").get_data(as_text=True)
    assert visitor.get(f"/en/collections/{public_slug}").status_code == 200


def test_a_curated_practice_shows_on_the_home_page_with_its_note(app, people):
    ed = as_user(app, "ed@example.org")
    post(
        ed,
        "/en/curation/practices/2",
        curated="y",
        note_en="A model centre.",
        note_es="Un centro modelo.",
    )
    home = app.test_client().get("/es/").get_data(as_text=True)
    assert "Seleccionadas por el equipo editorial" in home
    assert 'href="/es/practices/2' in home
    page = app.test_client().get("/es/practices/2").get_data(as_text=True)
    assert "Un centro modelo." in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "curate"))
    assert event.practice_id == 2 and event.actor.name == "Ed"


WRITES = ["new", "edit", "add", "move", "remove", "note", "curate"]


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("route", "who"),
    list(
        itertools.product(WRITES, [None, "ana@example.org", "ed@example.org", "root@example.org"])
    ),
)
def test_only_editors_curate(app, people, route, who):
    slug = new_collection(as_user(app, "ed@example.org"))
    post(as_user(app, "ed@example.org"), f"/en/curation/collections/{slug}/items", practice_id="1")
    client = as_user(app, who)
    token = csrf(client, "/en/login")
    base = f"/en/curation/collections/{slug}"
    paths = {
        "new": (
            "/en/curation/collections/new",
            {"title_en": "X", "title_es": "X", "visibility": "public"},
        ),
        "edit": (base, {"title_en": "Renamed", "title_es": "X", "visibility": "draft"}),
        "add": (f"{base}/items", {"practice_id": "2"}),
        "move": (f"{base}/items/1/last", {}),
        "remove": (f"{base}/items/1/remove", {}),
        "note": (f"{base}/items/1/note", {"note_en": "n"}),
        "curate": ("/en/curation/practices/1", {"curated": "y"}),
    }
    path, data = paths[route]
    before = _state()
    response = client.post(path, data={"csrf_token": token, **data})
    if who in ("ed@example.org", "root@example.org"):
        assert response.status_code == 302 and "/login" not in response.headers["Location"]
        assert _state() != before
    else:
        assert response.status_code == (302 if who is None else 403)
        assert _state() == before


def _state():
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(CurationEvent)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def test_the_seeds_leave_an_edited_collection_alone(app, runner, people):
    runner.invoke(args=["seed", str(SEEDS)])
    ed = as_user(app, "ed@example.org")
    slug = "americas-launch-2021"
    post(ed, f"/en/curation/collections/{slug}/items/13/remove")
    result = runner.invoke(args=["seed", str(SEEDS)])
    assert f"conflict: collection {slug}" in result.output
    db.session.expire_all()
    collection = db.session.scalar(select(Collection).filter_by(slug=slug))
    assert 13 not in [item.practice_id for item in collection.items]


def test_a_collection_exports_every_item_in_order(app, people):
    import csv
    import io
    import json

    import bibtexparser
    import rispy
    from openpyxl import load_workbook

    ed = as_user(app, "ed@example.org")
    slug = new_collection(ed, "unlisted")
    for pid in (3, 1):
        post(ed, f"/en/curation/collections/{slug}/items", practice_id=str(pid), note_en="=1+1")
    visitor = app.test_client()
    base = f"/collections/{slug}/cite"
    page = visitor.get(f"/es/collections/{slug}").get_data(as_text=True)
    assert f'href="{base}.xlsx?lang=es"' in page
    bib = bibtexparser.parse_string(visitor.get(f"{base}.bib?lang=en").get_data(as_text=True))
    assert [e.key for e in bib.entries] == ["kb-practice-3-v1", "kb-practice-1-v1"]
    ris = rispy.loads(visitor.get(f"{base}.ris?lang=en").get_data(as_text=True))
    assert [r["title"] for r in ris] == ["Bilateral agreement", "Fees ban"]
    items = json.loads(visitor.get(f"{base}.json?lang=es").data)
    assert [i["title"] for i in items] == ["Bilateral agreement (es)", "Fees ban (es)"]
    text = visitor.get(f"{base}.csv?lang=es").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Título" and [r[0] for r in rows[1:]] == [
        "Bilateral agreement (es)",
        "Fees ban (es)",
    ]
    assert rows[1][5] == "'=1+1", "a note never runs as a spreadsheet formula"
    sheet = load_workbook(io.BytesIO(visitor.get(f"{base}.xlsx?lang=en").data)).active
    assert sheet["F2"].value == "=1+1" and sheet["F2"].data_type == "s", "text, not a formula"
    values = list(sheet.values)
    assert values[0][0] == "Title" and values[1][0] == "Bilateral agreement"
    assert values[1][4].endswith("/p/3") and values[2][3] == 1


def test_a_draft_collection_exports_nothing_to_visitors(app, people):
    ed = as_user(app, "ed@example.org")
    slug = new_collection(ed, "draft")
    assert app.test_client().get(f"/collections/{slug}/cite.csv").status_code == 404
    assert ed.get(f"/collections/{slug}/cite.csv").status_code == 200


def test_an_event_never_shows_a_draft_collection_to_visitors(app, people):
    from kb.models import Event, Visibility

    ed = as_user(app, "ed@example.org")
    slug = new_collection(ed, "draft", "Secret selection")
    post(ed, f"/en/curation/collections/{slug}/items", practice_id="1")
    collection = db.session.scalar(select(Collection).filter_by(slug=slug))
    from datetime import date

    db.session.add(
        Event(
            slug="launch",
            title_en="Launch",
            title_es="Lanzamiento",
            starts_on=date(2027, 1, 5),
            venue_en="Online",
            venue_es="En línea",
            languages="en",
            collection=collection,
        )
    )
    db.session.commit()
    visitor = app.test_client().get("/en/events/launch").get_data(as_text=True)
    assert "Secret selection" not in visitor and "Fees ban" not in visitor
    editor = ed.get("/en/events/launch").get_data(as_text=True)
    assert "Secret selection" in editor and "Fees ban" in editor
    assert collection.visibility == Visibility.draft


def test_an_uncurated_practice_loses_its_note_on_the_slides(app, people):
    ed = as_user(app, "ed@example.org")
    slug = new_collection(ed)
    post(ed, f"/en/curation/collections/{slug}/items", practice_id="2")
    post(ed, "/en/curation/practices/2", curated="y", note_en="A model centre.")
    assert "A model centre." in app.test_client().get(f"/en/collections/{slug}/present").get_data(
        as_text=True
    )
    post(ed, "/en/curation/practices/2", note_en="A model centre.")  # unticked
    assert "A model centre." not in app.test_client().get(
        f"/en/collections/{slug}/present"
    ).get_data(as_text=True)
