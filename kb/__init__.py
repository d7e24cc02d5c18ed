"""The Fair Recruitment Practices Knowledge Base: create_app() as a list of named setup steps."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent


def resource_dir(name: str) -> Path:
    """``kb/<name>`` in an installed wheel, else ``<checkout>/<name>``."""
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else CHECKOUT_DIR / name


def create_app(config: dict | None = None) -> Flask:
    from kb import config as settings

    app = Flask(
        __name__,
        instance_path=str(settings.instance_path()),
        instance_relative_config=True,
        template_folder=str(resource_dir("templates")),
        static_folder=str(resource_dir("static")),
    )
    settings.load(app, config)
    for step in (
        register_extensions,
        register_search,
        register_template_helpers,
        register_blueprints,
        register_errorhandlers,
        register_commands,
        register_page_cache,
    ):
        step(app)
    return app


def register_extensions(app: Flask) -> None:
    from kb import i18n, models  # noqa: F401 - the models must be mapped before migrations run
    from kb.db import enforce_sqlite_foreign_keys
    from kb.extensions import babel, csrf, db, login_manager, migrate
    from kb.services import accounts, mail
    from kb.web import security

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        enforce_sqlite_foreign_keys(db.engine)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(resource_dir("translations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.unauthorized_handler(_ask_to_log_in)
    login_manager.user_loader(accounts.load_user)
    mail.init_app(app)
    security.init_app(app)


def _ask_to_log_in():
    from kb.web.auth import ask_to_log_in

    return ask_to_log_in()


def register_search(app: Flask) -> None:
    from flask_sqlalchemy.session import Session as FlaskSession

    from kb import search
    from kb.services import catalogue

    search.init_app(app)
    catalogue.install(FlaskSession)  # the cached vocabulary follows this process's commits


def register_page_cache(app: Flask) -> None:
    from kb.web import pagecache

    pagecache.init_app(app)  # last: it wraps everything else


def register_template_helpers(app: Flask) -> None:
    from kb.web import helpers

    helpers.init_app(app)


def register_blueprints(app: Flask) -> None:
    from kb.web import (
        admin,
        api,
        auth,
        cite,
        curation,
        events,
        exports,
        feeds,
        present,
        public,
        review,
        root,
        search,
        submit,
        suggest,
    )
    from kb.web.api import docs as api_docs

    for blueprint in (
        root.bp,
        auth.bp,
        submit.bp,
        review.bp,
        admin.bp,
        cite.bp,
        feeds.bp,
        feeds.root,
        present.bp,
        curation.bp,
        events.bp,
        public.bp,
        search.bp,
        exports.bp,
        suggest.bp,
        api_docs.bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from kb.web import errors

    errors.init_app(app)


def register_commands(app: Flask) -> None:
    from kb import cli

    cli.init_app(app)
