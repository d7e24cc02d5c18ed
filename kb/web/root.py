"""Routes outside the language prefix: the redirect from /, short permalinks and liveness."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, redirect, url_for

from kb.i18n import preferred_language
from kb.services import health

bp = Blueprint("root", __name__)


@bp.get("/")
def index():
    return redirect(url_for("public.home", lang=preferred_language()))


@bp.get("/p/<int(max=2147483647):practice_id>")
def permalink(practice_id: int):
    response = redirect(
        url_for("public.practice", lang=preferred_language(), practice_id=practice_id), code=301
    )
    # The target depends on the language cookie and Accept-Language: caches must key on both.
    response.vary.update(("Cookie", "Accept-Language"))
    return response


@bp.after_app_request
def relative_redirects(response):
    """Redirects name only a path: Werkzeug's trailing-slash redirect builds an absolute URL
    from the client's Host header, which would send visitors wherever that header says."""
    location = response.headers.get("Location")
    if location and response.status_code in (301, 302, 303, 307, 308):
        parts = urlsplit(location)
        if parts.scheme or parts.netloc:
            response.headers["Location"] = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return response


@bp.get("/healthz")
def healthz():
    """200 when the database and the search index are usable; 503 with the reasons otherwise."""
    report = health.check()
    return report, 200 if report["status"] == "ok" else 503
