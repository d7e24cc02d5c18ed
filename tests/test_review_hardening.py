"""What a careful reviewer tried against accounts and review: unreviewed organisations, races
at any point of a change, mail that fails, sessions after a new password, tampered input."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import create_engine, select, text

from kb.extensions import db
from kb.models import Organisation, Practice, Status, UserRole
from kb.services import moderation
from tests.conftest import SEEDS
from tests.test_review import act, as_user, entry_form, submit_entry, vocab_rows
from tests.web import PASSWORD, csrf, log_in, make_user


@pytest.fixture
def people(app):
    vocab_rows()
    make_user("ana@example.org", name="Ana")
    make_user("ed@example.org", UserRole.editor, name="Ed")


def test_an_organisation_proposed_in_a_draft_is_listed_only_once_published(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(
        ana, **{"organisations-0-new_name": "Proposed Org", "organisations-0-country": "MX"}
    )
    public = app.test_client()
    assert "Proposed Org" not in public.get("/en/countries/MX").get_data(as_text=True)
    assert "Proposed Org" not in ana.get("/en/submit").get_data(as_text=True)
    act(ed, pid, "publish")
    assert "Proposed Org" in public.get("/en/countries/MX").get_data(as_text=True)
    assert db.session.scalar(
        select(Organisation.is_listed).where(Organisation.name_en == "Proposed Org")
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_change_committed_in_between_is_a_conflict_not_an_error(
    app, people, monkeypatch, database_url
):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana)
    other = create_engine(database_url)
    checked = moderation.check_fresh

    def then_someone_else_writes(practice, seen):
        checked(practice, seen)
        with other.begin() as connection:
            connection.execute(
                text("UPDATE practice SET lock_version = lock_version + 1 WHERE id = :id"),
                {"id": pid},
            )

    monkeypatch.setattr(moderation, "check_fresh", then_someone_else_writes)
    try:
        response = act(ed, pid, "publish")
    finally:
        other.dispose()
    assert response.status_code == 302
    monkeypatch.setattr(moderation, "check_fresh", checked)
    assert "Another editor acted on this entry" in ed.get(f"/en/review/{pid}").get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Practice, pid).status == Status.submitted


def test_a_title_with_line_breaks_and_a_failing_mail_sender_never_break_a_decision(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana, title_en="Fair\r\nfees\tpilot")
    assert db.session.get(Practice, pid).translations["en"].title == "Fair fees pilot"

    class Broken:
        def send(self, message):
            raise OSError("mail server down")

    app.extensions["kb_mail"] = Broken()
    response = act(ed, pid, "reject", note="Out of scope.")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Practice, pid).status == Status.rejected
    assert "1 new notice" in ana.get("/en/my/submissions").get_data(as_text=True)


def test_a_new_password_ends_the_other_sessions(app, people):
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here), log_in(elsewhere)
    token = csrf(here, "/en/account/password")
    new = "another long password"
    response = here.post(
        "/en/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert "Log out" in here.get("/en/").get_data(as_text=True), "this session goes on"
    assert "Log out" not in elsewhere.get("/en/").get_data(as_text=True), "that one ends"


def test_tampered_values_are_400_or_404_never_500(app, people):
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana, then="save")
    path = f"/en/my/submissions/{pid}/edit"
    assert ana.post(path, data=entry_form(ana, path, lock_version="abc")).status_code == 400
    assert (
        ed.post(
            f"/en/review/{pid}/publish",
            data={"csrf_token": csrf(ed, "/en/"), "lock_version": "9" * 40},
        ).status_code
        == 400
    )
    assert ed.get("/en/review/99999999999999999999").status_code == 404
    assert ana.get("/en/my/submissions/99999999999999999999").status_code == 404
    for target in ("/\r\n/x", "/\t/evil.example", "https://evil.example/", "/\\evil.example"):
        client = app.test_client()
        response = client.post(
            "/en/login",
            query_string={"next": target},
            data={
                "csrf_token": csrf(client, "/en/login"),
                "email": "ana@example.org",
                "password": PASSWORD,
            },
        )
        assert response.status_code == 302 and response.headers["Location"] == "/en/", target


def test_a_source_titled_with_spaces_is_an_error_not_a_silent_loss(app, people):
    ana = as_user(app, "ana@example.org")
    response = ana.post("/en/submit", data=entry_form(ana, **{"sources-0-title": "   "}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'href="#sources-0-title"' in html and "https://example.org/report" in html


def test_a_seed_never_overwrites_an_entry_proposed_on_the_site_with_the_same_id(
    app, runner, people, tmp_path
):
    assert runner.invoke(args=["seed", str(SEEDS)]).exit_code == 0
    ana = as_user(app, "ana@example.org")
    pid = submit_entry(ana, then="save")  # takes the next id after the seeds'
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    source = next((seeds / "practices").glob("001-*.yaml")).read_text()
    copy = source.replace("id: 1\n", f"id: {pid}\n", 1)
    copy = re.sub(r"^slug: .*$", "slug: a-later-seed", copy, count=1, flags=re.M)
    (seeds / "practices" / f"{pid:03d}-a-later-seed.yaml").write_text(copy)
    for args in (["seed", str(seeds)], ["seed", "--force", str(seeds)]):
        result = runner.invoke(args=args)
        assert f"conflict: practice {pid}" in result.output, args
        db.session.expire_all()
        assert db.session.get(Practice, pid).translations["en"].title == "Fair fees pilot"
