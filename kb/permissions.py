"""Roles and the decorator that guards a view: log in first, then hold the role."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from kb.extensions import login_manager
from kb.models import UserRole


def require_role(role: UserRole):
    """Anonymous visitors go to the login page; a logged-in account without ``role`` gets 403."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
