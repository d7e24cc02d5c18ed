"""Proposing practices: /<lang>/submit, and following one's entries at /<lang>/my/submissions."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import NotFound
from kb.forms.practice import MAX_ROWS, PracticeForm
from kb.i18n import pick_field
from kb.models import UserRole
from kb.permissions import require_role
from kb.services import moderation, submissions
from kb.services.workflow import Action, TransitionRefused, actions_from
from kb.web.localised import localised_blueprint

bp = localised_blueprint("submit", __name__)
ROW_LISTS = ("corridors", "organisations", "sources")


def entry_link(practice_id: int) -> str:
    """The submitter's page of an entry, on the configured site address (for mail)."""
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + url_for("submit.entry", practice_id=practice_id)


def practice_form() -> PracticeForm:
    """The form as posted, with its vocabularies; a press on "add a row" adds an empty row."""
    form = PracticeForm()
    grow = request.form.get("add_row")
    if grow in ROW_LISTS and len(form[grow].entries) < MAX_ROWS:
        form[grow].append_entry()
    form.set_choices(submissions.form_choices(g.lang))
    return form


def render_form(form: PracticeForm, practice=None, status: int = 200):
    return render_template("submit/form.html", form=form, practice=practice), status


def load_own(practice_id: int):
    """An entry the current account may see (its own, or any for an editor); else 404."""
    try:
        practice = moderation.load(practice_id)
    except NotFound:
        abort(404)
    if not moderation.may_see(current_user, practice):
        abort(404)  # not 403: others' drafts are not even said to exist
    return practice


def keep_what_was_typed(view):
    """For the form's POSTs: a visitor whose session ended (logged out elsewhere, cookie
    expired) gets the form back with everything typed, instead of a redirect that drops it."""

    @wraps(view)
    def guarded(*args, **kwargs):
        if request.method == "POST" and not current_user.is_authenticated:
            return expired_form(
                _(
                    "You are no longer logged in. Log in again in another tab, then come back "
                    "and save: everything you typed is below."
                ),
                401,
            )
        return view(*args, **kwargs)

    return guarded


def expired_form(message: str, status: int):
    form = practice_form()
    form.form_errors.append(message)
    practice_id = (request.view_args or {}).get("practice_id")
    return render_form(form, {"id": practice_id} if practice_id else None, status)


def on_csrf_error(error):
    """A form whose token expired comes back with everything typed (other forms: the 400 page)."""
    if request.endpoint in ("submit.new", "submit.edit"):
        return expired_form(
            _("The form had expired. Nothing you typed is lost: check it and send it again."), 400
        )
    return None


@bp.route("/submit", methods=["GET", "POST"])
@keep_what_was_typed
@require_role(UserRole.contributor)
def new():
    form = practice_form()
    if request.method == "POST" and not request.form.get("add_row"):
        if not form.validate():
            return render_form(form, status=422)
        return after_save(submissions.create_draft(form.to_input(), current_user))
    return render_form(form)


@bp.route("/my/submissions/<int(max=2147483647):practice_id>/edit", methods=["GET", "POST"])
@keep_what_was_typed
@require_role(UserRole.contributor)
def edit(practice_id: int):
    practice = load_own(practice_id)
    if not moderation.may_edit(current_user, practice):
        flash(_("This entry is with the editors: it can be edited again if they ask for changes."))
        return redirect(url_for(".entry", practice_id=practice.id))
    if request.method == "GET":
        form = PracticeForm(data=submissions.input_from(practice))
        form.set_choices(submissions.form_choices(g.lang))
        return render_form(form, practice)
    form = practice_form()
    if request.form.get("add_row"):
        return render_form(form, practice)
    if not form.validate():
        return render_form(form, practice, 422)
    try:
        practice = submissions.update(
            practice.id, form.to_input(), current_user, seen_version(form.lock_version.data)
        )
    except moderation.Conflict:
        form.form_errors.append(
            _(
                "Someone else changed this entry while you were editing it. Your text is "
                "below, unsaved: open the entry in another tab to see their version, then "
                "save again."
            )
        )
        form.lock_version.data = str(moderation.load(practice.id).lock_version)
        return render_form(form, practice, 409)
    return after_save(practice)


def after_save(practice):
    """Save as draft, preview, or submit: what the pressed button asked for."""
    if request.form.get("then") == "submit":
        try:
            moderation.take(
                practice.id, Action.submit, current_user, "", practice.lock_version, entry_link
            )
        except TransitionRefused:
            pass  # an editor's edit of a published entry: it is live already
        else:
            flash(_("Thank you: your entry has been sent to the editors."))
            return redirect(url_for(".entry", practice_id=practice.id))
    if request.form.get("then") == "preview":
        return redirect(url_for(".preview", practice_id=practice.id))
    flash(_("Saved."))
    return redirect(url_for(".entry", practice_id=practice.id))


@bp.get("/my/submissions")
@require_role(UserRole.contributor)
def mine():
    return render_template(
        "submit/mine.html",
        entries=submissions.entries_of(current_user),
        notices=submissions.unread_notices(current_user),
    )


@bp.get("/my/submissions/<int(max=2147483647):practice_id>")
@require_role(UserRole.contributor)
def entry(practice_id: int):
    practice = load_own(practice_id)
    submissions.mark_read(current_user, practice.id)
    return render_template(
        "submit/entry.html",
        practice=practice,
        title=pick_field(practice.translations, "title", g.lang),
        thread=submissions.thread(practice.id),
        may_edit=moderation.may_edit(current_user, practice),
        may_submit=moderation.may_take(current_user, practice, Action.submit)
        and Action.submit in actions_from(practice.status),
    )


@bp.get("/my/submissions/<int(max=2147483647):practice_id>/preview")
@require_role(UserRole.contributor)
def preview(practice_id: int):
    practice = load_own(practice_id)
    return render_template(
        "practices/detail.html",
        practice=practice,
        title=pick_field(practice.translations, "title", g.lang),
        related=[],
        preview_of=practice,
    )


@bp.post("/my/submissions/<int(max=2147483647):practice_id>/submit")
@require_role(UserRole.contributor)
def send(practice_id: int):
    practice = load_own(practice_id)
    try:
        moderation.take(
            practice.id,
            Action.submit,
            current_user,
            "",
            seen_version(request.form.get("lock_version")),
            entry_link,
        )
    except (TransitionRefused, moderation.NotAllowed):
        flash(_("This entry cannot be sent in its present state."))
    except moderation.Conflict:
        flash(_("The entry changed since you opened this page; look at it again before sending."))
    else:
        flash(_("Thank you: your entry has been sent to the editors."))
    return redirect(url_for(".entry", practice_id=practice.id))


@bp.post("/my/submissions/<int(max=2147483647):practice_id>/comment")
@require_role(UserRole.contributor)
def comment(practice_id: int):
    practice = load_own(practice_id)
    try:
        moderation.comment(practice.id, current_user, request.form.get("body", ""), entry_link)
    except moderation.NoteRequired:
        flash(_("The message was empty; nothing was sent."))
    return redirect(url_for(".entry", practice_id=practice.id) + "#thread")


def seen_version(raw: str | None) -> int:
    """The entry's lock_version the page was made with (a tampered value is a 400)."""
    raw = raw or ""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        abort(400)
    return int(raw)
