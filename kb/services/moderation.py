"""Review: taking an entry through the state machine, the comment thread, versions, the audit
trail and the submitter's notices. Every change here is one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import contextmanager

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from kb.db import utcnow
from kb.errors import KbError, NotFound
from kb.extensions import db
from kb.models import (
    AuditEvent,
    Comment,
    Notification,
    Practice,
    PracticeOrganisation,
    PracticeVersion,
    Status,
    User,
    UserRole,
)
from kb.models.queries import display_options
from kb.services import mail, versions
from kb.services.workflow import (
    EDITABLE_BY_SUBMITTER,
    EDITOR_ACTIONS,
    NOTE_REQUIRED,
    Action,
    next_status,
)

MAX_NOTE = 5000
log = logging.getLogger(__name__)


class Conflict(KbError):
    """Someone changed the entry after the page acting on it was loaded."""


class NotAllowed(KbError):
    pass


class NoteRequired(KbError):
    pass


def load(practice_id: int) -> Practice:
    """Any entry, whatever its status, with everything its page and snapshot need."""
    practice = db.session.scalars(
        select(Practice)
        .where(Practice.id == practice_id)
        .options(
            *display_options(),
            selectinload(Practice.frameworks),
            selectinload(Practice.sources),
            selectinload(Practice.evaluations),
            selectinload(Practice.organisation_links).selectinload(
                PracticeOrganisation.organisation
            ),
        )
    ).one_or_none()
    if practice is None:
        raise NotFound(practice_id)
    return practice


def is_submitter(user: User, practice: Practice) -> bool:
    return practice.submitted_by_id is not None and practice.submitted_by_id == user.id


def may_take(user: User, practice: Practice, action: Action) -> bool:
    if user.has_role(UserRole.editor):
        return True
    return action not in EDITOR_ACTIONS and is_submitter(user, practice)


def may_see(user: User, practice: Practice) -> bool:
    return user.has_role(UserRole.editor) or is_submitter(user, practice)


def may_edit(user: User, practice: Practice) -> bool:
    if user.has_role(UserRole.editor):
        return True
    return is_submitter(user, practice) and practice.status in EDITABLE_BY_SUBMITTER


def check_fresh(practice: Practice, seen_version: int) -> None:
    if practice.lock_version != seen_version:
        raise Conflict(practice.id)


def take(
    practice_id: int,
    action: Action,
    actor: User,
    note: str,
    seen_version: int,
    link_for: Callable[[int], str],
) -> Practice:
    """Move an entry by ``action``: check who may, the transition and the note, record the
    audit event (and the note in the thread), snapshot a version on publication, notify the
    submitter. Raises NotAllowed, TransitionRefused, NoteRequired or Conflict; on any of them
    nothing is written."""
    with unit_of_work():
        practice = load(practice_id)
        if not may_take(actor, practice, action):
            raise NotAllowed(action)
        check_fresh(practice, seen_version)
        target = next_status(practice.status, action)
        note = note.strip()[:MAX_NOTE]
        if action in NOTE_REQUIRED and not note:
            raise NoteRequired(action)
        origin = practice.status
        practice.status = target
        practice.updated_at = utcnow()  # touches the row, so its lock_version moves on
        if target == Status.published:
            publish_version(practice, actor)
        db.session.add(
            AuditEvent(
                practice_id=practice.id,
                actor_id=actor.id,
                action=str(action),
                from_status=str(origin),
                to_status=str(target),
                note=note,
            )
        )
        if note:
            db.session.add(Comment(practice_id=practice.id, author_id=actor.id, body=note))
        submitter = _notify(practice, actor, str(action))
    if submitter is not None:
        _mail_status(submitter, practice, target, note, link_for(practice.id))
    return practice


def publish_version(practice: Practice, actor: User | None) -> PracticeVersion:
    """Stamp the publication and freeze it as the next numbered version; the organisations it
    names are listed in the catalogue from now on."""
    practice.published_at = utcnow()
    for link in practice.organisation_links:
        link.organisation.is_listed = True
    db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(PracticeVersion.number)).where(
                PracticeVersion.practice_id == practice.id
            )
        )
        or 0
    ) + 1
    version = PracticeVersion(
        practice_id=practice.id,
        number=number,
        published_by_id=actor.id if actor else None,
        published_at=practice.published_at,
        snapshot=versions.snapshot(practice),
    )
    db.session.add(version)
    return version


def comment(practice_id: int, author: User, body: str, link_for: Callable[[int], str]) -> Comment:
    """A message in an entry's thread, from its submitter or an editor."""
    with unit_of_work():
        practice = load(practice_id)
        if not may_see(author, practice):
            raise NotAllowed("comment")
        body = body.strip()[:MAX_NOTE]
        if not body:
            raise NoteRequired("comment")
        entry = Comment(practice_id=practice.id, author_id=author.id, body=body)
        db.session.add(entry)
        submitter = _notify(practice, author, "comment")
    if submitter is not None:
        _mail_status(submitter, practice, practice.status, body, link_for(practice.id))
    return entry


def _notify(practice: Practice, actor: User, action: str) -> User | None:
    """A notice for the submitter when someone else acts on their entry."""
    if practice.submitted_by_id is None or practice.submitted_by_id == actor.id:
        return None
    db.session.add(
        Notification(user_id=practice.submitted_by_id, practice_id=practice.id, action=action)
    )
    return db.session.get(User, practice.submitted_by_id)


@contextmanager
def unit_of_work():
    """One change, committed at the end. A concurrent change to the same entry, found at any
    flush on the way or at the commit, is a Conflict, and nothing is written."""
    try:
        yield
        db.session.commit()
    except StaleDataError as exc:  # another request changed the entry in between
        db.session.rollback()
        raise Conflict() from exc
    except BaseException:
        db.session.rollback()
        raise


def status_label(status: Status) -> str:
    return {
        Status.draft: _("Draft"),
        Status.submitted: _("Submitted"),
        Status.changes_requested: _("Changes requested"),
        Status.published: _("Published"),
        Status.rejected: _("Rejected"),
        Status.archived: _("Archived"),
    }[Status(status)]


def _mail_status(user: User, practice: Practice, status: Status, note: str, link: str) -> None:
    """Tell the submitter. The change is committed already: a mail that cannot go out is
    logged (the notice in the app remains), never turned into an error for the editor."""
    try:
        _send_status(user, practice, status, note, link)
    except Exception:  # noqa: BLE001 - any sender failure
        log.exception("status mail to %s for practice %s not sent", user.email, practice.id)


def _send_status(user: User, practice: Practice, status: Status, note: str, link: str) -> None:
    with force_locale(user.language):
        text = practice.translations.get(user.language) or next(
            iter(practice.translations.values())
        )
        title = " ".join(text.title.split())  # one line: a header cannot hold a line break
        subject = _("Your entry “{title}”: {status}").format(
            title=title, status=status_label(status)
        )
        body = _("Your entry “{title}” is now: {status}.").format(
            title=title, status=status_label(status)
        )
        if note:
            body += "\n\n" + _("Message from the editors:") + "\n" + note
        body += "\n\n" + _("Follow it here: {link}").format(link=link)
    mail.send(mail.Message(to=user.email, subject=subject, body=body))


def queue_counts() -> dict[str, int]:
    """How many entries are in each status, for the queue's filters."""
    rows = db.session.execute(select(Practice.status, func.count()).group_by(Practice.status))
    counts = {str(status): 0 for status in Status}
    counts.update({str(status): n for status, n in rows})
    return counts


def queue_entries(status: Status | None) -> list[Practice]:
    """Entries in ``status`` (all when None), the longest-waiting first."""
    query = select(Practice).options(selectinload(Practice.translations))
    if status is not None:
        query = query.where(Practice.status == status)
    return list(db.session.scalars(query.order_by(Practice.updated_at, Practice.id)))
