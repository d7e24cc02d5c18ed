"""Routes outside the language prefix: the redirect from /, short permalinks and liveness."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from kb.i18n import preferred_language
from kb.services import health

bp = Blueprint("root", __name__)


@bp.get("/")
def index():
    return redirect(url_for("public.home", lang=preferred_language()))


@bp.get("/p/<int(max=2147483647):practice_id>")
def permalink(practice_id: int):
    return redirect(
        url_for("public.practice", lang=preferred_language(), practice_id=practice_id), code=301
    )


@bp.get("/healthz")
def healthz():
    """200 when the database and the search index are usable; 503 with the reasons otherwise."""
    report, problems = health.check()
    return report, 503 if problems else 200
