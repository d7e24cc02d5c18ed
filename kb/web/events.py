"""Events: /<lang>/events/ for everyone; editors create and edit them under /<lang>/curation/."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.errors import NotFound
from kb.forms.events import EventForm
from kb.models import UserRole
from kb.permissions import require_role
from kb.services import catalogue, events
from kb.web.localised import localised_blueprint

bp = localised_blueprint("events", __name__)


@bp.get("/events/")
def index():
    every = catalogue.list_events()
    today = date.today()
    return render_template(
        "events/index.html",
        upcoming=sorted((e for e in every if e.starts_on >= today), key=lambda e: e.starts_on),
        past=[e for e in every if e.starts_on < today],
    )


def _form(event=None) -> EventForm:
    form = EventForm(obj=event if request.method == "GET" else None)
    if request.method == "GET" and event is not None:
        form.format.data = str(event.format)
        form.languages.data = event.language_codes
        form.organisers.data = [o.key for o in event.organisers]
        form.collection.data = event.collection.slug if event.collection else ""
        for row, item in zip(form.agenda, event.agenda, strict=False):
            row.speakers.data = "\n".join(
                f"{s['name']}, {s['organisation']}".rstrip(", ") for s in item.speakers
            )
            row.practices.data = ", ".join(str(p.id) for p in item.practices)
    if request.form.get("add_row") == "agenda":
        form.agenda.append_entry()
    form.set_choices(events.form_choices(g.lang))
    return form


@bp.route("/curation/events/new", methods=["GET", "POST"])
@require_role(UserRole.editor)
def new():
    form = _form()
    if request.method == "POST" and not request.form.get("add_row") and form.validate():
        event = events.create(form.to_input())
        flash(_("Event created."))
        return redirect(url_for("public.event", slug=event.slug))
    return render_template("events/edit.html", form=form, event=None), (
        422 if request.method == "POST" and not request.form.get("add_row") else 200
    )


@bp.route("/curation/events/<slug>", methods=["GET", "POST"])
@require_role(UserRole.editor)
def edit(slug: str):
    try:
        event, _practices = catalogue.get_event(slug)
    except NotFound:
        abort(404)
    form = _form(event)
    if request.method == "POST" and not request.form.get("add_row") and form.validate():
        events.update(slug, form.to_input())
        flash(_("Saved."))
        return redirect(url_for("public.event", slug=slug))
    status = 422 if request.method == "POST" and not request.form.get("add_row") else 200
    return render_template("events/edit.html", form=form, event=event), status
