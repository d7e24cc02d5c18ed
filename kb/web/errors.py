"""Error pages in the visitor's language: 400, 403, 404, 405, 410 and 500."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_babel import refresh
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from kb.config import LANGUAGES
from kb.web.api.base import http_error, is_api_request


def _language_from_path() -> None:
    """Error pages outside the prefixed blueprint still speak the URL's language when it has one."""
    if getattr(g, "lang", None) is None:
        first = request.path.strip("/").split("/", 1)[0]
        if first in LANGUAGES:
            g.lang = first
            refresh()


def render_error(error: HTTPException):
    if is_api_request():
        return http_error(error)  # the API answers errors in JSON
    _language_from_path()
    titles = {
        400: _("This request could not be understood"),
        403: _("This page is not open to your account"),
        404: _("Page not found"),
        405: _("This action is not allowed here"),
        410: _("This practice has been withdrawn"),
        500: _("Something went wrong on our side"),
    }
    explanations = {
        400: _("Something in the address is not valid."),
        403: _("Your account does not have the role this page needs."),
        404: _("There is no page at this address. It may have moved, or the link may be wrong."),
        405: _("This address does not accept that kind of request."),
        410: _("The editors have archived it. Its last published version stays available."),
        500: _("The error has been logged. Please try again in a moment."),
    }
    code = error.code or 500
    # Our own 400s carry a translated explanation; Werkzeug's default one is not shown.
    detail = error.description if code == 400 else None
    if detail == BadRequest.description:
        detail = None
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=titles.get(code, error.name),
            explanation=explanations.get(code, ""),
            detail=detail,
        ),
        code,
    )


def csrf_error(error: CSRFError):
    """A form whose token expired: the submission form comes back with everything typed."""
    from kb.web import submit

    return submit.on_csrf_error(error) or render_error(error)


def init_app(app: Flask) -> None:
    for code in (400, 403, 404, 405, 410):
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, csrf_error)

    @app.errorhandler(500)
    def server_error(error):
        original = getattr(error, "original_exception", None)
        app.logger.error("Unhandled error on %s", request.path, exc_info=original)
        return render_error(InternalServerError())
