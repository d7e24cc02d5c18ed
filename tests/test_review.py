"""Submitting practices and reviewing them: the state machine, the form that loses nothing,
conflicts between editors, versions that never change, history, search kept true, notices."""

from __future__ import annotations

import itertools
import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from kb.extensions import db
from kb.models import (
    AuditEvent,
    Notification,
    Practice,
    PracticeVersion,
    Status,
    User,
    UserRole,
)
from kb.services.workflow import TRANSITIONS, Action, TransitionRefused, next_status
from tests.factories import actor_type, country, pillar, theme
from tests.web import csrf, lock_version, log_in, make_user

XSS = '<script>alert("x")</script>'


def vocab_rows() -> None:
    """The few vocabulary rows the form offers."""
    theme("legal-frameworks")
    pillar(2)
    country("MX")
    country("CA")
    actor_type("government")
    db.session.commit()


@pytest.fixture
def vocab(app):
    vocab_rows()


@pytest.fixture
def people(app, vocab):
    return {
        "ana": make_user("ana@example.org", UserRole.contributor, name="Ana"),
        "bea": make_user("bea@example.org", UserRole.contributor, name="Bea"),
        "ed": make_user("ed@example.org", UserRole.editor, name="Ed"),
        "eva": make_user("eva@example.org", UserRole.editor, name="Eva"),
        "root": make_user("root@example.org", UserRole.admin, name="Root"),
    }


def entry_form(client, path="/en/submit", **changes) -> dict:
    data = {
        "csrf_token": csrf(client, path),
        "title_en": "Fair fees pilot",
        "summary_en": "Employers pay the recruitment fees.",
        "body_en": "Workers pay **nothing**.",
        "title_es": "Piloto de comisiones justas",
        "summary_es": "Los empleadores pagan las comisiones de contratación.",
        "body_es": "",
        "themes": ["legal-frameworks"],
        "pillars": ["2"],
        "scope": "corridor",
        "implementation": "ongoing",
        "start_year": "2022",
        "corridors-0-origin": "MX",
        "corridors-0-destination": "CA",
        "organisations-0-new_name": "Ministry of Labour",
        "organisations-0-actor_type": "government",
        "organisations-0-role": "implementer",
        "sources-0-title": "Pilot report",
        "sources-0-url": "https://example.org/report",
        "then": "submit",
    }
    return {**data, **changes}


def submit_entry(client, **changes) -> int:
    response = client.post("/en/submit", data=entry_form(client, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/my/submissions/(\d+)", response.headers["Location"]).group(1))


def act(client, practice_id: int, action: str, note: str = "", seen: str | None = None):
    path = f"/en/review/{practice_id}"
    data = {
        "csrf_token": csrf(client, path),
        "lock_version": seen or lock_version(client, path),
        "note": note,
    }
    return client.post(f"{path}/{action}", data=data)


def as_user(app, email):
    client = app.test_client()
    assert log_in(client, email).status_code == 302
    return client


def searchable(client, words: str, practice_id: int) -> bool:
    html = client.get("/en/search", query_string={"q": words}).get_data(as_text=True)
    return f'href="/en/practices/{practice_id}' in html


def mails_to(app, address: str) -> list:
    folder = Path(app.config["MAIL_FOLDER"])
    found = [
        message_from_bytes(p.read_bytes(), policy=policy.default) for p in folder.glob("*.eml")
    ]
    return [m for m in found if m["To"] == address]


# --- the state machine --------------------------------------------------------------------
@pytest.mark.parametrize(("status", "action"), list(itertools.product(Status, Action)))
def test_each_transition_is_allowed_or_refused_as_the_table_says(status, action):
    if (status, action) in TRANSITIONS:
        assert next_status(status, action) == TRANSITIONS[(status, action)]
    else:
        with pytest.raises(TransitionRefused):
            next_status(status, action)


def test_the_table_is_the_documented_life_of_an_entry():
    assert {(s.value, a.value, t.value) for (s, a), t in TRANSITIONS.items()} == {
        ("draft", "submit", "submitted"),
        ("changes_requested", "submit", "submitted"),
        ("submitted", "request_changes", "changes_requested"),
        ("submitted", "publish", "published"),
        ("submitted", "reject", "rejected"),
        ("published", "archive", "archived"),
        ("archived", "publish", "published"),
    }


# --- submitting ---------------------------------------------------------------------------
def test_a_contributor_submits_in_both_languages_and_follows_the_entry(app, people):
    ana = as_user(app, "ana@example.org")
    pid = submit_entry(ana)
    practice = db.session.get(Practice, pid)
    assert practice.status == Status.submitted and practice.submitted_by_id == people["ana"].id
    assert set(practice.translations) == {"en", "es"}
    assert [c.slug for c in practice.corridors] == ["MX-CA"]
    assert practice.organisation_links[0].organisation.name_en == "Ministry of Labour"
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.practice_id == pid)).all()
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("create", None, "draft"),
        ("submit", "draft", "submitted"),
    ]
    mine = ana.get("/en/my/submissions").get_data(as_text=True)
    assert "Fair fees pilot" in mine and "Submitted" in mine


def test_one_language_is_enough_and_the_other_shows_the_fallback_notice(app, people):
    ana = as_user(app, "ana@example.org")
    pid = submit_entry(ana, title_es="", summary_es="", then="save")
    html = ana.get(f"/es/my/submissions/{pid}/preview").get_data(as_text=True)
    assert "Fair fees pilot" in html and 'lang="en"' in html


def test_a_failed_validation_loses_nothing_typed(app, people):
    ana = as_user(app, "ana@example.org")
    data = entry_form(
        ana,
        summary_en="",
        **{"sources-0-url": "not a url", "organisations-0-actor_type": ""},
    )
    response = ana.post("/en/submit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for typed in (
        "Fair fees pilot",
        "Piloto de comisiones justas",
        "Workers pay **nothing**.",
        "Ministry of Labour",
        "Pilot report",
        "not a url",
        "2022",
    ):
        assert typed in html, typed
    assert 'href="#summary_en"' in html and 'href="#sources-0-url"' in html
    assert 'href="#organisations-0-actor_type"' in html
    assert '<option selected value="MX">' in html
    assert db.session.scalar(select(Practice)) is None


def test_a_row_is_added_without_javascript_and_nothing_is_lost(app, people):
    ana = as_user(app, "ana@example.org")
    response = ana.post("/en/submit", data=entry_form(ana, add_row="sources", then=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="sources-3-title"' in html
    assert "Pilot report" in html and db.session.scalar(select(Practice)) is None


def test_a_session_that_ended_mid_form_gives_the_form_back_whole(app, people):
    ana = as_user(app, "ana@example.org")
    data = entry_form(ana)
    ana.post("/en/logout", data={"csrf_token": csrf(ana, "/en/")})
    response = ana.post("/en/submit", data=data)
    assert response.status_code in (400, 401)
    html = response.get_data(as_text=True)
    assert "Fair fees pilot" in html and "Employers pay the recruitment fees." in html
    assert db.session.scalar(select(Practice)) is None


def test_an_expired_form_token_gives_the_form_back_whole(app, people):
    ana = as_user(app, "ana@example.org")
    response = ana.post("/en/submit", data=entry_form(ana, csrf_token="expired"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The form had expired" in html and "Fair fees pilot" in html


def test_a_contributor_edits_a_draft_but_not_once_submitted(app, people):
    ana = as_user(app, "ana@example.org")
    pid = submit_entry(ana, then="save")
    path = f"/en/my/submissions/{pid}/edit"
    data = entry_form(
        ana, path, lock_version=lock_version(ana, path), title_en="Renamed", then="save"
    )
    assert ana.post(path, data=data).status_code == 302
    assert db.session.get(Practice, pid).translations["en"].title == "Renamed"
    ana.post(
        f"/en/my/submissions/{pid}/submit",
        data={"csrf_token": csrf(ana, path), "lock_version": lock_version(ana, path)},
    )
    db.session.expire_all()
    assert db.session.get(Practice, pid).status == Status.submitted
    assert ana.get(path).status_code == 302, "with the editors: not editable"


# --- review -------------------------------------------------------------------------------
def test_publishing_makes_it_searchable_and_archiving_withdraws_it(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana)
    assert not searchable(ed, "fees pilot", pid)
    assert act(ed, pid, "publish").status_code == 302
    assert searchable(ed, "fees pilot", pid)
    assert ed.get(f"/en/practices/{pid}").status_code == 200
    assert (
        db.session.scalar(select(PracticeVersion.number).where(PracticeVersion.practice_id == pid))
        == 1
    )
    act(ed, pid, "archive")
    assert not searchable(ed, "fees pilot", pid)
    gone = ed.get(f"/en/practices/{pid}")
    assert gone.status_code == 410
    assert f'href="/en/practices/{pid}/v/1"' in gone.get_data(as_text=True)
    act(ed, pid, "publish")
    assert searchable(ed, "fees pilot", pid)


def test_a_rejected_entry_is_never_found(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana)
    assert act(ed, pid, "reject").status_code == 302
    assert db.session.get(Practice, pid).status == Status.submitted, "a reason is required"
    act(ed, pid, "reject", note="Not about recruitment.")
    db.session.expire_all()
    assert db.session.get(Practice, pid).status == Status.rejected
    assert not searchable(ed, "fees pilot", pid)
    assert ed.get(f"/en/practices/{pid}").status_code == 404


def test_changes_requested_go_back_and_forth_with_the_thread_and_notices(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana)
    act(ed, pid, "request_changes", note="Please add the 2023 evaluation.")
    db.session.expire_all()
    assert db.session.get(Practice, pid).status == Status.changes_requested
    (mail,) = mails_to(app, "ana@example.org")
    assert "Changes requested" in mail["Subject"] and "2023 evaluation" in mail.get_content()
    mine = ana.get("/en/my/submissions").get_data(as_text=True)
    assert "1 new notice" in mine
    page = ana.get(f"/en/my/submissions/{pid}").get_data(as_text=True)
    assert "Please add the 2023 evaluation." in page
    assert db.session.scalar(select(Notification.is_read)) is True, "opening the entry reads it"
    ana.post(
        f"/en/my/submissions/{pid}/comment",
        data={"csrf_token": csrf(ana, "/en/"), "body": "Added it."},
    )
    path = f"/en/my/submissions/{pid}/edit"
    data = entry_form(
        ana,
        path,
        lock_version=lock_version(ana, path),
        evaluation_type="independent-evaluation",
        evaluation_source="Mid-term evaluation, 2023",
    )
    assert ana.post(path, data=data).status_code == 302
    db.session.expire_all()
    practice = db.session.get(Practice, pid)
    assert practice.status == Status.submitted
    assert [(str(e.type), e.title) for e in practice.evaluations] == [
        ("independent-evaluation", "Mid-term evaluation, 2023")
    ]
    review = ed.get(f"/en/review/{pid}").get_data(as_text=True)
    assert "Added it." in review and "Please add the 2023 evaluation." in review


def test_two_editors_at_once_the_second_gets_a_conflict(app, people):
    ana = as_user(app, "ana@example.org")
    ed, eva = as_user(app, "ed@example.org"), as_user(app, "eva@example.org")
    pid = submit_entry(ana)
    seen = lock_version(eva, f"/en/review/{pid}")
    assert act(ed, pid, "request_changes", note="Add sources.").status_code == 302
    response = act(eva, pid, "publish", seen=seen)
    page = eva.get(response.headers["Location"]).get_data(as_text=True)
    assert "Another editor acted on this entry" in page
    db.session.expire_all()
    assert db.session.get(Practice, pid).status == Status.changes_requested
    assert db.session.scalar(select(PracticeVersion)) is None


def test_a_version_page_never_changes_after_later_edits(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana)
    act(ed, pid, "publish")
    public = app.test_client()  # as the public sees it (a logged-in page carries a fresh token)
    before = public.get(f"/en/practices/{pid}/v/1").data
    path = f"/en/my/submissions/{pid}/edit"
    data = entry_form(
        ed, path, lock_version=lock_version(ed, path), title_en="Fair fees programme", then="save"
    )
    assert ed.post(path, data=data).status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(select(PracticeVersion.number).order_by(PracticeVersion.number.desc()))
        == 2
    )
    assert "Fair fees programme" in ed.get(f"/en/practices/{pid}").get_data(as_text=True)
    assert public.get(f"/en/practices/{pid}/v/1").data == before
    history = ed.get(f"/en/practices/{pid}/history").get_data(as_text=True)
    assert "<del>pilot</del>" in history and "<ins>programme</ins>" in history
    assert "by Ed" in history


def test_an_xss_payload_in_every_text_field_shows_as_text(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    fields = {
        name: f"{name} {XSS}"
        for name in ("title_en", "summary_en", "body_en", "title_es", "summary_es")
    }
    pid = submit_entry(ana, **fields, **{"sources-0-title": XSS, "organisations-0-new_name": XSS})
    act(ed, pid, "request_changes", note=XSS)
    path = f"/en/my/submissions/{pid}/edit"
    ana.post(
        path,
        data=entry_form(
            ana,
            path,
            lock_version=lock_version(ana, path),
            **{**fields, "title_en": f"Renamed {XSS}"},
        ),
    )
    act(ed, pid, "publish")
    pages = {
        "detail": ed.get(f"/en/practices/{pid}"),
        "list": ed.get("/en/practices/"),
        "search": ed.get("/en/search", query_string={"q": "title_en"}),
        "review": ed.get(f"/en/review/{pid}"),
        "entry": ana.get(f"/en/my/submissions/{pid}"),
        "history": ed.get(f"/en/practices/{pid}/history"),
        "version": ed.get(f"/es/practices/{pid}/v/1"),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "<script>alert" not in html, name
        assert "&lt;script&gt;" in html, name
    for mail in mails_to(app, "ana@example.org"):
        assert XSS in mail.get_content()  # plain text mail: shown as typed, never as markup
        assert mail.get_content_type() == "text/plain"


# --- who may do what ----------------------------------------------------------------------
WHO = ["anonymous", "contributor-own", "contributor-other", "editor", "admin"]
ROUTES = [
    "submit",
    "edit",
    "send",
    "comment",
    "queue",
    "review",
    "publish",
    "review-comment",
    "accounts",
    "set-role",
]
ALLOWED = {
    "submit": {"contributor-own", "contributor-other", "editor", "admin"},
    "edit": {"contributor-own", "editor", "admin"},
    "send": {"contributor-own", "editor", "admin"},
    "comment": {"contributor-own", "editor", "admin"},
    "queue": {"editor", "admin"},
    "review": {"editor", "admin"},
    "publish": {"editor", "admin"},
    "review-comment": {"editor", "admin"},
    "accounts": {"admin"},
    "set-role": {"admin"},
}


@pytest.mark.parametrize("backend", ["sqlite"])  # permissions do not depend on the database
@pytest.mark.parametrize(("route", "who"), list(itertools.product(ROUTES, WHO)))
def test_the_permission_matrix(app, people, route, who):
    owner = as_user(app, "ana@example.org")
    pid = submit_entry(owner, then="save")
    email = {
        "contributor-own": "ana@example.org",
        "contributor-other": "bea@example.org",
        "editor": "ed@example.org",
        "admin": "root@example.org",
    }.get(who)
    client = as_user(app, email) if email else app.test_client()
    token = csrf(client, "/en/login")
    version = str(db.session.get(Practice, pid).lock_version)
    if route == "publish":  # an editor publishes what was sent
        owner.post(
            f"/en/my/submissions/{pid}/submit",
            data={"csrf_token": csrf(owner, "/en/"), "lock_version": version},
        )
        db.session.expire_all()
        version = str(db.session.get(Practice, pid).lock_version)
    requests = {
        "submit": (
            "post",
            "/en/submit",
            entry_form(client, "/en/login", csrf_token=token, then="save"),
        ),
        "edit": (
            "post",
            f"/en/my/submissions/{pid}/edit",
            entry_form(
                client,
                "/en/login",
                csrf_token=token,
                lock_version=version,
                title_en="Edited",
                then="save",
            ),
        ),
        "send": (
            "post",
            f"/en/my/submissions/{pid}/submit",
            {"csrf_token": token, "lock_version": version},
        ),
        "comment": (
            "post",
            f"/en/my/submissions/{pid}/comment",
            {"csrf_token": token, "body": "A note"},
        ),
        "queue": ("get", "/en/review/", None),
        "review": ("get", f"/en/review/{pid}", None),
        "publish": (
            "post",
            f"/en/review/{pid}/publish",
            {"csrf_token": token, "lock_version": version},
        ),
        "accounts": ("get", "/en/admin/users", None),
        "set-role": (
            "post",
            f"/en/admin/users/{people['bea'].id}",
            {"csrf_token": token, "role": "editor", "active": "y"},
        ),
        "review-comment": (
            "post",
            f"/en/review/{pid}/comment",
            {"csrf_token": token, "body": "A note"},
        ),
    }
    method, path, data = requests[route]
    before = _state(pid)
    response = getattr(client, method)(path, data=data)
    allowed = who in ALLOWED[route]
    if allowed:
        assert response.status_code in (200, 302), (route, who, response.status_code)
        assert "/login" not in response.headers.get("Location", "")
        if method == "post":
            assert _state(pid) != before, f"{route} by {who} changed nothing"
    else:
        if who == "anonymous":
            assert response.status_code in (302, 401)
            if response.status_code == 302:
                assert "/en/login?next=" in response.headers["Location"]
        else:
            assert response.status_code in (403, 404), (route, who, response.status_code)
        assert _state(pid) == before, f"{route} by {who} changed the entry"


def _state(pid: int) -> tuple:
    db.session.expire_all()
    practice = db.session.get(Practice, pid)
    count = db.session.scalar(select(db.func.count()).select_from(Practice))
    events = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    from kb.models import Comment

    comments = db.session.scalar(select(db.func.count()).select_from(Comment))
    roles = tuple(db.session.scalars(select(User.role).order_by(User.id)))
    return count, practice.status, practice.lock_version, events, comments, roles


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    "path",
    [
        "/en/submit",
        "/en/my/submissions/{pid}/edit",
        "/en/my/submissions/{pid}/submit",
        "/en/my/submissions/{pid}/comment",
        "/en/review/{pid}/publish",
        "/en/review/{pid}/comment",
        "/en/admin/users/{uid}",
        "/en/account/password",
        "/en/logout",
    ],
)
def test_every_write_without_its_csrf_token_is_refused(app, people, path):
    owner = as_user(app, "ana@example.org")
    pid = submit_entry(owner)
    admin = as_user(app, "root@example.org")
    data = entry_form(admin, "/en/login", then="save")
    del data["csrf_token"]
    data |= {"lock_version": "1", "body": "x", "note": "x", "role": "editor", "active": "y"}
    before = _state(pid)
    response = admin.post(path.format(pid=pid, uid=people["bea"].id), data=data)
    assert response.status_code == 400
    assert _state(pid) == before
    assert "Log out" in admin.get("/en/").get_data(as_text=True), "still logged in"


@pytest.mark.parametrize("backend", ["sqlite"])
@pytest.mark.parametrize(
    ("status", "action"),
    list(itertools.product(Status, ["publish", "request_changes", "reject", "archive"])),
)
def test_through_the_site_each_decision_follows_the_table(app, people, status, action):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana, then="save")
    practice = db.session.get(Practice, pid)
    practice.status = status
    db.session.commit()
    # Posted as a page offering that button would (pages only offer the allowed ones).
    act(ed, pid, action, note="Because.", seen=str(practice.lock_version))
    db.session.expire_all()
    expected = TRANSITIONS.get((status, Action(action)), status)
    assert db.session.get(Practice, pid).status == expected
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.practice_id == pid))
    assert (action in list(events)) == ((status, Action(action)) in TRANSITIONS)
