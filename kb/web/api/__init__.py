"""The JSON API under /api/v1: read-only, open to other sites (CORS), described by an OpenAPI 3
document generated from its code (flask-smorest) at /api/v1/openapi.json, with a browsable
page in both languages at /<lang>/api."""

from __future__ import annotations

from flask import Flask
from flask_cors import CORS
from flask_smorest import Api as SmorestApi

from kb.web.api.base import cacheable, http_error, is_api_request

VERSION = "1"


class Api(SmorestApi):
    """flask-smorest answers every HTTP error of the app; only the API's answer in JSON. The
    site's own error pages (registered per status code) take precedence anyway."""

    def handle_http_exception(self, error):
        return http_error(error) if is_api_request() else error


def init_app(app: Flask) -> None:
    from kb.web.api import collections, practices

    app.config.update(
        API_TITLE="Fair Recruitment Practices Knowledge Base API",
        API_VERSION=VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=f"/api/v{VERSION}",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = Api(
        app,
        spec_kwargs={
            "info": {
                "description": "Read-only access to the published practices of the knowledge "
                "base, its taxonomy, collections and events, in English and Spanish. Errors "
                "are JSON objects with code, status and message.",
            },
        },
    )
    api.register_blueprint(practices.bp)
    api.register_blueprint(collections.bp)
    # flask-smorest's pagination schema: this API puts its page data in the body instead.
    api.spec.components.schemas.pop("PaginationMetadata", None)
    app.extensions["kb_api"] = api
    CORS(
        app,
        resources={r"/api/*": {"origins": "*", "methods": ["GET", "HEAD", "OPTIONS"]}},
        send_wildcard=True,
        expose_headers=["ETag"],
        max_age=86400,
    )
    app.after_request(cacheable)
