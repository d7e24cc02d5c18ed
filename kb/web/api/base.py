"""What every endpoint of the JSON API shares: arguments refused with a 400, errors as JSON,
links between pages, and the headers of a cacheable read."""

from __future__ import annotations

from flask import Response, abort, jsonify, request, url_for
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from kb.web.helpers import absolute

PREFIX = "/api/"
CACHE_SECONDS = 60  # how long a client or proxy may reuse a read without asking again


class Parser(FlaskParser):
    """Arguments that do not validate are a 400 (a bad URL parameter), not webargs's 422."""

    DEFAULT_VALIDATION_STATUS = 400


class Blueprint(SmorestBlueprint):
    ARGUMENTS_PARSER = Parser()


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def error_response(code: int, message: str, errors: dict | None = None) -> Response:
    """The body of every error: flask-smorest's documented shape (code, status, message)."""
    body = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Error"), "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    return response


def api_abort(code: int, message: str):
    abort(error_response(code, message))


def http_error(error: HTTPException) -> Response:
    """An HTTPException raised under /api/ as JSON. Refused arguments carry webargs's
    messages, by location and field."""
    from flask_babel import gettext as _

    code = error.code or 500
    data = getattr(error, "data", None) or {}
    if "messages" in data:
        return error_response(code, _("Some arguments are not valid."), data["messages"])
    messages = {
        400: _("The request could not be understood."),
        404: _("Nothing is published at this address."),
        405: _("This address does not accept that kind of request."),
        500: _("Something went wrong on our side. The error has been logged."),
    }
    described = error.description if error.description != type(error).description else None
    return error_response(code, described or messages.get(code, error.name))


def page_links(endpoint: str, params: dict, page: int, pages: int) -> dict:
    def at(number: int) -> str:
        return absolute(url_for(endpoint, **params, page=number))

    return {
        "self": at(page),
        "first": at(1),
        "last": at(pages),
        "next": at(page + 1) if page < pages else None,
        "prev": at(min(page - 1, pages)) if page > 1 else None,
    }


def cacheable(response: Response) -> Response:
    """Reads carry an ETag (a 304 when the client has it) and may be cached for a minute."""
    if request.method in ("GET", "HEAD") and response.status_code == 200 and is_api_request():
        response.cache_control.public = True
        response.cache_control.max_age = CACHE_SECONDS
        response.add_etag()
        response.make_conditional(request)
    return response


__all__ = ["Blueprint", "api_abort", "cacheable", "page_links"]
