"""The seeds and the site never fight: `kb seed` (run by `make run` at every start) leaves
alone what editors changed on the site, unless told to --force; seeding records versions."""

from __future__ import annotations

from sqlalchemy import func, select

from kb.extensions import db
from kb.models import AuditEvent, Practice, PracticeVersion, UserRole
from kb.services import submissions
from tests.conftest import SEEDS
from tests.test_review import act, as_user
from tests.web import as_post, csrf, make_user


def versions_of(practice_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(PracticeVersion.number)
            .where(PracticeVersion.practice_id == practice_id)
            .order_by(PracticeVersion.number)
        )
    )


def edit_on_site(app, practice_id: int, title: str) -> None:
    """An editor opens the practice's edit form, changes its English title and saves."""
    editor = as_user(app, "ed@example.org")
    path = f"/en/my/submissions/{practice_id}/edit"
    data = as_post(submissions.input_from(db.session.get(Practice, practice_id)))
    data |= {"csrf_token": csrf(editor, path), "title_en": title, "then": "save"}
    response = editor.post(path, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]


def test_seeding_records_a_first_version_and_reseeding_adds_none(app, runner):
    assert runner.invoke(args=["seed", str(SEEDS)]).exit_code == 0
    assert versions_of(1) == [1]
    first = db.session.scalar(select(PracticeVersion).where(PracticeVersion.practice_id == 1))
    assert first.published_by_id is None and first.snapshot["id"] == 1
    result = runner.invoke(args=["seed", str(SEEDS)])
    assert " 0 created, 0 updated" in result.output
    assert versions_of(1) == [1]
    assert app.test_client().get("/en/practices/1/history").status_code == 200


def test_a_restart_does_not_undo_an_editors_edit(app, runner):
    runner.invoke(args=["seed", str(SEEDS)])
    make_user("ed@example.org", UserRole.editor, name="Ed")
    edit_on_site(app, 2, "Edited by an editor")
    db.session.expire_all()
    assert db.session.get(Practice, 2).translations["en"].title == "Edited by an editor"
    assert versions_of(2) == [1, 2]

    result = runner.invoke(args=["seed", str(SEEDS)])  # what `make run` does at every start
    assert result.exit_code == 0
    assert "conflict: practice 2 was changed on the site" in result.output
    assert "1 changed on the site and left alone (--force overwrites)" in result.output
    db.session.expire_all()
    assert db.session.get(Practice, 2).translations["en"].title == "Edited by an editor"
    assert versions_of(2) == [1, 2]

    forced = runner.invoke(args=["seed", "--force", str(SEEDS)])
    assert forced.exit_code == 0 and "conflict" not in forced.output
    db.session.expire_all()
    assert db.session.get(Practice, 2).translations["en"].title != "Edited by an editor"
    assert versions_of(2) == [1, 2, 3]
    again = runner.invoke(args=["seed", str(SEEDS)])
    assert "conflict" not in again.output, "after --force the seeds own it again"


def test_a_practice_archived_on_the_site_stays_archived(app, runner):
    runner.invoke(args=["seed", str(SEEDS)])
    make_user("ed@example.org", UserRole.editor, name="Ed")
    editor = as_user(app, "ed@example.org")
    assert act(editor, 3, "archive").status_code == 302
    runner.invoke(args=["seed", str(SEEDS)])
    db.session.expire_all()
    assert str(db.session.get(Practice, 3).status) == "archived"
    assert app.test_client().get("/en/practices/3").status_code == 410
    seeded = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seed")
    )
    assert seeded >= 30
