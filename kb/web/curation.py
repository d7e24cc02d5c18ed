"""Collections for everyone (/<lang>/collections/) and curation for editors: collections
built, ordered and annotated without JavaScript, practices marked as curated."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from kb.errors import NotFound
from kb.forms.curation import CollectionForm
from kb.models import UserRole
from kb.permissions import require_role
from kb.services import curation
from kb.web.localised import localised_blueprint

bp = localised_blueprint("curation", __name__)
PRACTICE = "<int(max=2147483647):practice_id>"
MOVES = {"first": -100000, "up": -1, "down": 1, "last": 100000}


@bp.get("/collections/")
def collections():
    return render_template("collections/index.html", collections=curation.listed(current_user))


@bp.route("/curation/collections/new", methods=["GET", "POST"])
@require_role(UserRole.editor)
def new():
    form = CollectionForm()
    if form.validate_on_submit():
        collection = curation.create(form.to_input(), current_user)
        flash(_("Collection created. Add its practices below."))
        return redirect(url_for(".edit", slug=collection.slug))
    return render_template("collections/edit.html", form=form, collection=None), (
        422 if form.errors else 200
    )


@bp.route("/curation/collections/<slug>", methods=["GET", "POST"])
@require_role(UserRole.editor)
def edit(slug: str):
    try:
        collection, items = curation.get(slug, current_user)
    except NotFound:
        abort(404)
    form = CollectionForm(obj=collection if request.method == "GET" else None)
    if request.method == "GET":
        form.visibility.data = str(collection.visibility)
    if form.validate_on_submit():
        curation.update(slug, form.to_input(), current_user)
        flash(_("Saved."))
        return redirect(url_for(".edit", slug=slug))
    return render_template(
        "collections/edit.html", form=form, collection=collection, items=items
    ), (422 if form.errors else 200)


def _practice_id() -> int:
    raw = request.form.get("practice_id", "").strip().lstrip("#")
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return 0
    return int(raw)


@bp.post("/curation/collections/<slug>/items")
@require_role(UserRole.editor)
def add_item(slug: str):
    form = request.form
    try:
        curation.add_item(
            slug, _practice_id(), form.get("note_en", ""), form.get("note_es", ""), current_user
        )
    except NotFound:
        flash(_("There is no published practice with that number."))
    return redirect(url_for(".edit", slug=slug) + "#items")


@bp.post(f"/curation/collections/<slug>/items/{PRACTICE}/<any(first, up, down, last):move>")
@require_role(UserRole.editor)
def move_item(slug: str, practice_id: int, move: str):
    try:
        curation.move_item(slug, practice_id, MOVES[move], current_user)
    except NotFound:
        abort(404)
    return redirect(url_for(".edit", slug=slug) + f"#item-{practice_id}")


@bp.post(f"/curation/collections/<slug>/items/{PRACTICE}/remove")
@require_role(UserRole.editor)
def remove_item(slug: str, practice_id: int):
    try:
        curation.remove_item(slug, practice_id, current_user)
    except NotFound:
        abort(404)
    flash(_("Removed from the collection."))
    return redirect(url_for(".edit", slug=slug) + "#items")


@bp.post(f"/curation/collections/<slug>/items/{PRACTICE}/note")
@require_role(UserRole.editor)
def item_note(slug: str, practice_id: int):
    form = request.form
    try:
        curation.set_item_note(
            slug, practice_id, form.get("note_en", ""), form.get("note_es", ""), current_user
        )
    except NotFound:
        abort(404)
    flash(_("Saved."))
    return redirect(url_for(".edit", slug=slug) + f"#item-{practice_id}")


@bp.post(f"/curation/practices/{PRACTICE}")
@require_role(UserRole.editor)
def curate(practice_id: int):
    form = request.form
    try:
        curation.curate(
            practice_id,
            form.get("curated") == "y",
            form.get("note_en", ""),
            form.get("note_es", ""),
            current_user,
        )
    except NotFound:
        abort(404)
    flash(_("Saved."))
    return redirect(url_for("review.entry", practice_id=practice_id) + "#curation")
