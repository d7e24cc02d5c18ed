"""Accounts: /<lang>/register, login, logout, password change and reset."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from kb.forms.auth import (
    ChangePasswordForm,
    LoginForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from kb.i18n import preferred_language
from kb.services import accounts, catalogue
from kb.web.helpers import localised
from kb.web.localised import localised_blueprint

bp = localised_blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path on this site, else the home page."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()  # no line breaks, tabs or other control characters
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("public.home")


def ask_to_log_in():
    """Flask-Login's unauthorized handler: the login page, then back to this page."""
    lang = getattr(g, "lang", None) or preferred_language()
    return redirect(url_for("auth.login", lang=lang, next=request.full_path.rstrip("?")))


def _start_session(user) -> None:
    # The session keeps its CSRF secret: a form left open in another tab while its author
    # logs in again can still be sent. (The session is a signed cookie: a planted one cannot
    # be read by whoever planted it, so there is no fixation to undo.)
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
def register():
    actors = [(slug, localised(a, "name")) for slug, a in catalogue.vocabulary().actors.items()]
    form = RegisterForm(actors)
    if form.validate_on_submit():
        try:
            user = accounts.register(form.to_input(g.lang))
        except accounts.EmailTaken:
            form.email.errors.append(
                _("An account with this e-mail exists already: log in, or reset its password.")
            )
        else:
            _start_session(user)
            flash(_("Welcome, {name}. Your account is ready.").format(name=user.name))
            return redirect(url_for("public.home"))
    return render_template("auth/register.html", form=form), 422 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                form.email.data, form.password.data, request.remote_addr or ""
            )
        except accounts.LockedOut as exc:
            form.form_errors.append(
                ngettext(
                    "Too many failed attempts. Try again in %(num)d minute.",
                    "Too many failed attempts. Try again in %(num)d minutes.",
                    exc.minutes,
                )
            )
            status = 429
        except accounts.LoginRefused:
            form.form_errors.append(_("The e-mail address or the password is wrong."))
            status = 401
        else:
            _start_session(user)
            return redirect(safe_next(request.args.get("next")))
    elif form.errors:
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash(_("You have logged out."))
    return redirect(url_for("public.home"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.password.data)
        except accounts.WrongPassword:
            form.current.errors.append(_("This is not your current password."))
        else:
            login_user(current_user._get_current_object())  # this session goes on; others end
            flash(_("Your password has been changed."))
            return redirect(url_for("public.home"))
    return render_template("auth/password.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        base = current_app.config["BASE_URL"].rstrip("/")
        accounts.request_reset(
            form.email.data, lambda token: base + url_for("auth.reset", token=token)
        )
        flash(
            _(
                "If an account has this e-mail address, a message with a link to choose a new "
                "password is on its way. The link works for one hour."
            )
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        accounts.user_for_token(token)
    except accounts.InvalidToken:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(token, form.password.data)
        except accounts.InvalidToken:  # used in another tab meanwhile
            return render_template("auth/reset_invalid.html"), 400
        flash(_("Your password has been changed. You can log in with it now."))
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200
