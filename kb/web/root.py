"""Routes outside the language prefix: the redirect from /, short permalinks and liveness."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from sqlalchemy import text

from kb.extensions import db
from kb.i18n import preferred_language

bp = Blueprint("root", __name__)


@bp.get("/")
def index():
    return redirect(url_for("public.home", lang=preferred_language()))


@bp.get("/p/<int:practice_id>")
def permalink(practice_id: int):
    return redirect(
        url_for("public.practice", lang=preferred_language(), practice_id=practice_id), code=301
    )


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not live"
        abort(503)
    return {"status": "ok", "database": "ok"}
