"""Admins manage accounts: /<lang>/admin/users, roles and access."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from kb.errors import NotFound
from kb.models import UserRole
from kb.permissions import require_role
from kb.services import accounts
from kb.web.localised import localised_blueprint

bp = localised_blueprint("admin", __name__)


@bp.get("/admin/users")
@require_role(UserRole.admin)
def users():
    return render_template("admin/users.html", users=accounts.list_users(), roles=list(UserRole))


@bp.post("/admin/users/<int(max=2147483647):user_id>")
@require_role(UserRole.admin)
def update_user(user_id: int):
    role = request.form.get("role", "")
    if role not in UserRole.__members__:
        abort(400, description=_("There is no role “{value}”.").format(value=role))
    try:
        user = accounts.set_role(user_id, UserRole(role), request.form.get("active") == "y")
    except NotFound:
        abort(404)
    except accounts.LastAdmin:
        flash(_("The site needs at least one active admin: that change was not made."))
    else:
        flash(_("Saved: {email}.").format(email=user.email))
    return redirect(url_for(".users"))
