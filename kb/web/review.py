"""The editors' work: the queue at /<lang>/review/ and one entry's review page and actions."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import NotFound
from kb.i18n import pick_field
from kb.models import Status, UserRole
from kb.permissions import require_role
from kb.services import moderation, submissions
from kb.services.workflow import Action, TransitionRefused, actions_from
from kb.web.localised import localised_blueprint
from kb.web.submit import entry_link, seen_version

bp = localised_blueprint("review", __name__)


@bp.get("/review/")
@require_role(UserRole.editor)
def queue():
    raw = request.args.get("status", "submitted")
    status = Status(raw) if raw in Status.__members__ else None
    if status is None and raw != "all":
        abort(400, description=_("There is no status “{value}”.").format(value=raw))
    return render_template(
        "review/queue.html",
        status=raw,
        counts=moderation.queue_counts(),
        entries=moderation.queue_entries(status),
    )


@bp.get("/review/<int(max=2147483647):practice_id>")
@require_role(UserRole.editor)
def entry(practice_id: int):
    try:
        practice = moderation.load(practice_id)
    except NotFound:
        abort(404)
    return render_template(
        "review/entry.html",
        practice=practice,
        title=pick_field(practice.translations, "title", g.lang),
        thread=submissions.thread(practice.id),
        actions=[a for a in actions_from(practice.status) if a != Action.submit],
        related=[],
        preview_of=practice,
    )


DECISIONS = "any(publish, request_changes, reject, archive)"


@bp.post(f"/review/<int(max=2147483647):practice_id>/<{DECISIONS}:action>")
@require_role(UserRole.editor)
def act(practice_id: int, action: str):
    seen = seen_version(request.form.get("lock_version"))
    try:
        moderation.take(
            practice_id,
            Action(action),
            current_user,
            request.form.get("note", ""),
            seen,
            entry_link,
        )
    except NotFound:
        abort(404)
    except moderation.NoteRequired:
        flash(_("Say why: the submitter reads this message."))
    except moderation.Conflict:
        flash(
            _(
                "Another editor acted on this entry since you opened it. Here it is as it is "
                "now: nothing of yours was saved."
            )
        )
    except TransitionRefused:
        flash(_("This action is not possible in the entry's present state."))
    else:
        flash(_("Done."))
    return redirect(url_for(".entry", practice_id=practice_id))


@bp.post("/review/<int(max=2147483647):practice_id>/comment")
@require_role(UserRole.editor)
def comment(practice_id: int):
    try:
        moderation.comment(practice_id, current_user, request.form.get("body", ""), entry_link)
    except NotFound:
        abort(404)
    except moderation.NoteRequired:
        flash(_("The message was empty; nothing was sent."))
    return redirect(url_for(".entry", practice_id=practice_id) + "#thread")
