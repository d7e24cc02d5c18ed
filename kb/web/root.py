"""Routes outside the language prefix: the redirect from /, short permalinks and liveness."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for

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
    """200 when the database answers and the search index opens; 503 otherwise."""
    try:
        return health.check()
    except Exception:  # noqa: BLE001 - any failure of either means "not live"
        abort(503)
