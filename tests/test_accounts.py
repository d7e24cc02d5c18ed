"""Accounts as their users meet them: register, log in and out, lockout, password change and
reset by mail, the first editor from the command line, and the headers every response wears."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select, update

from kb.db import utcnow
from kb.extensions import db
from kb.models import LoginFailure, User, UserRole
from kb.services import accounts
from tests.factories import actor_type
from tests.web import PASSWORD, csrf, log_in, make_user


def registration(client, lang="en", **changes) -> dict:
    data = {
        "csrf_token": csrf(client, f"/{lang}/register"),
        "name": "Ana Pérez",
        "email": "Ana@Example.org",
        "organisation": "Ministerio de Trabajo",
        "actor_type": "",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    return {**data, **changes}


def mails(app) -> list:
    folder = Path(app.config["MAIL_FOLDER"])
    return [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted(folder.glob("*.eml"))
    ]


# --- registration -------------------------------------------------------------------------
def test_registering_creates_a_contributor_and_logs_in(app, client):
    actor_type("government")
    db.session.commit()
    response = client.post("/en/register", data=registration(client, actor_type="government"))
    assert response.status_code == 302
    user = db.session.scalar(select(User))
    assert (user.email, user.role, user.actor_type.slug) == (
        "ana@example.org",
        UserRole.contributor,
        "government",
    )
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    home = client.get("/en/").get_data(as_text=True)
    assert "Ana Pérez" in home and "Log out" in home


def test_a_failed_registration_shows_everything_typed_with_the_errors(app, client):
    data = registration(client, email="not-an-address", confirm="something else")
    response = client.post("/en/register", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Ana Pérez"' in html and 'value="Ministerio de Trabajo"' in html
    assert 'value="not-an-address"' in html
    assert 'href="#email"' in html and 'href="#confirm"' in html
    assert 'aria-invalid="true"' in html and 'aria-describedby="email-error"' in html
    assert PASSWORD not in html, "a password is never sent back"
    assert db.session.scalar(select(User)) is None


def test_errors_come_in_the_pages_language(app, client):
    response = client.post("/es/register", data=registration(client, "es", name=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Indique su nombre." in html and "Corrija lo que está señalado" in html


def test_an_e_mail_registers_once(app, client):
    make_user()
    response = client.post("/en/register", data=registration(client))
    assert response.status_code == 422
    assert "exists already" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.name == "Ana Pérez")) is None


def test_a_post_without_its_csrf_token_is_refused(app, client):
    data = registration(client)
    del data["csrf_token"]
    response = client.post("/en/register", data=data)
    assert response.status_code in (400, 422)
    assert db.session.scalar(select(User)) is None


def test_an_xss_payload_in_the_name_shows_as_text(app, client):
    payload = '<script>alert("x")</script>'
    client.post("/en/register", data=registration(client, name=payload))
    html = client.get("/en/").get_data(as_text=True)
    assert payload not in html and "&lt;script&gt;alert(" in html


# --- login, logout, lockout ---------------------------------------------------------------
def test_logging_in_and_out(app, client):
    make_user()
    response = log_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/en/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert "Log out" in client.get("/en/").get_data(as_text=True)
    assert client.get("/en/logout").status_code == 405, "logging out is a POST"
    token = csrf(client, "/en/")
    assert client.post("/en/logout", data={"csrf_token": token}).status_code == 302
    assert "Log in" in client.get("/en/").get_data(as_text=True)


def test_a_wrong_password_is_refused_with_a_message(app, client):
    make_user()
    response = log_in(client, password="not the password")
    assert response.status_code == 401
    assert "The e-mail address or the password is wrong." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/es/practices/?theme=x", "/es/practices/?theme=x"), ("//evil.example/", "/en/")],
)
def test_after_login_only_a_path_on_this_site_is_followed(app, client, target, expected):
    make_user()
    response = client.post(
        "/en/login",
        query_string={"next": target},
        data={
            "csrf_token": csrf(client, "/en/login"),
            "email": "ana@example.org",
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"] == expected


def test_ten_failures_lock_the_account_even_for_the_right_password(app, client):
    make_user()
    for n in range(accounts.LOCKOUT_FAILURES):
        assert log_in(client, password="wrong", address=f"198.51.100.{n}").status_code == 401
    response = log_in(client, address="203.0.113.9")
    assert response.status_code == 429
    assert "Too many failed attempts. Try again in 15 minutes." in response.get_data(as_text=True)


def test_ten_failures_from_one_address_lock_that_address(app, client):
    make_user()
    for n in range(accounts.LOCKOUT_FAILURES):
        log_in(client, email=f"guess{n}@example.org", password="wrong", address="192.0.2.7")
    assert log_in(client, address="192.0.2.7").status_code == 429
    assert log_in(client, address="192.0.2.8").status_code == 302


def test_the_lock_lifts_when_the_failures_leave_the_window(app, client):
    make_user()
    for _ in range(accounts.LOCKOUT_FAILURES):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 429
    db.session.execute(
        update(LoginFailure).values(at=utcnow() - accounts.LOCKOUT_WINDOW - timedelta(seconds=1))
    )
    db.session.commit()
    response = log_in(client)
    assert response.status_code == 302
    assert (
        db.session.scalar(select(LoginFailure).where(LoginFailure.email == "ana@example.org"))
        is None
    )


def test_pages_for_accounts_send_visitors_to_log_in_first(app, client):
    response = client.get("/es/account/password")
    assert response.status_code == 302
    assert response.headers["Location"] == "/es/login?next=/es/account/password"


# --- passwords ----------------------------------------------------------------------------
def test_changing_the_password(app, client):
    make_user()
    log_in(client)
    token = csrf(client, "/en/account/password")
    wrong = client.post(
        "/en/account/password",
        data={
            "csrf_token": token,
            "current": "nope",
            "password": "new password 123",
            "confirm": "new password 123",
        },
    )
    assert wrong.status_code == 422
    assert "This is not your current password." in wrong.get_data(as_text=True)
    right = client.post(
        "/en/account/password",
        data={
            "csrf_token": token,
            "current": PASSWORD,
            "password": "new password 123",
            "confirm": "new password 123",
        },
    )
    assert right.status_code == 302
    client.post("/en/logout", data={"csrf_token": csrf(client, "/en/")})
    assert log_in(client).status_code == 401
    assert log_in(client, password="new password 123").status_code == 302


def ask_for_reset(client, email="ana@example.org", lang="en"):
    """Asked through a request whose Host header names another site."""
    url = f"http://evil.example/{lang}/password/reset"
    return client.post(url, data={"csrf_token": csrf(client, url), "email": email})


def test_a_reset_link_by_mail_works_once(app, client):
    make_user()
    assert ask_for_reset(client).status_code == 302
    (message,) = mails(app)
    assert message["To"] == "ana@example.org"
    link = re.search(r"http\S+", message.get_content()).group(0)
    assert link.startswith(app.config["BASE_URL"] + "/en/password/reset/"), "never the Host header"
    path = link[len(app.config["BASE_URL"]) :]
    assert client.get(path).status_code == 200
    data = {
        "csrf_token": csrf(client, path),
        "password": "brand new secret",
        "confirm": "brand new secret",
    }
    assert client.post(path, data=data).status_code == 302
    assert log_in(client, password="brand new secret").status_code == 302
    again = client.get(path)
    assert again.status_code == 400 and "This link does not work" in again.get_data(as_text=True)


def test_a_reset_for_an_unknown_address_says_the_same_and_sends_nothing(app, client):
    make_user()
    known = ask_for_reset(client).headers["Location"]
    unknown = ask_for_reset(client, "nobody@example.org")
    assert unknown.headers["Location"] == known
    assert len(mails(app)) == 1


def test_the_reset_mail_is_in_the_accounts_language(app, client):
    user = make_user()
    user.language = "es"
    db.session.commit()
    ask_for_reset(client)
    (message,) = mails(app)
    assert message["Subject"] == "Restablezca su contraseña"
    assert "abra este enlace en el plazo de una hora" in message.get_content()


def test_an_expired_or_forged_reset_link_does_not_work(app, client, monkeypatch):
    user = make_user()
    token = accounts.reset_token(user)
    assert client.get(f"/en/password/reset/{token}x").status_code == 400
    monkeypatch.setattr(accounts, "RESET_MAX_AGE", -1)
    assert client.get(f"/en/password/reset/{token}").status_code == 400


# --- the command line ---------------------------------------------------------------------
def test_kb_users_create_makes_the_first_editor(app, runner):
    result = runner.invoke(
        args=["users", "create", "Ed@Example.org", "--role", "editor"],
        input="editor password\neditor password\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip().splitlines()[-1]
        == "Created the editor account ed@example.org (id 1)."
    )
    user = db.session.scalar(select(User))
    assert user.role == UserRole.editor and user.has_role(UserRole.contributor)
    assert not user.has_role(UserRole.admin)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ana@example.org", "--role", "admin", "--password", PASSWORD], "exists already"),
        (["new@example.org", "--role", "admin", "--password", "short"], "at least 10"),
        (["not-an-address", "--role", "admin", "--password", PASSWORD], "not an e-mail"),
        (["x@example.org", "--role", "king", "--password", PASSWORD], "'king' is not one of"),
    ],
)
def test_kb_users_create_refuses_in_one_line(app, runner, args, message):
    make_user()
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_no_account_ships_with_the_seeds(seeded_app):
    with seeded_app.app_context():
        assert db.session.scalar(select(User)) is None


# --- what every response carries ----------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/en/", "/en/login", "/en/nope", "/en/practices", "/healthz", "/static/css/kb.css"]
)
def test_every_response_carries_the_security_headers(app, client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert "script-src" not in policy or "'self'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_over_tls_the_session_cookie_is_secure(app):
    make_user()
    client = app.test_client()
    response = client.post(
        "https://localhost/en/login",
        headers={"Referer": "https://localhost/en/login"},  # Flask-WTF checks it over TLS
        data={
            "csrf_token": csrf(client, "https://localhost/en/login"),
            "email": "ana@example.org",
            "password": PASSWORD,
        },
    )
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in response.headers


# --- admins manage accounts ---------------------------------------------------------------
def test_an_admin_changes_roles_and_access_but_never_removes_the_last_admin(app, client):
    admin = make_user("root@example.org", UserRole.admin, name="Root")
    ana = make_user()
    log_in(client, "root@example.org")
    token = csrf(client, "/en/admin/users")
    response = client.post(
        f"/en/admin/users/{ana.id}", data={"csrf_token": token, "role": "editor", "active": "y"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, ana.id).role == UserRole.editor
    client.post(
        f"/en/admin/users/{admin.id}", data={"csrf_token": token, "role": "editor", "active": "y"}
    )
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == UserRole.admin, "the last admin stays"
    assert "at least one active admin" in client.get("/en/admin/users").get_data(as_text=True)
    client.post(f"/en/admin/users/{ana.id}", data={"csrf_token": token, "role": "editor"})
    assert log_in(app.test_client()).status_code == 401, "an account turned off cannot log in"


@pytest.mark.parametrize("email", [None, "ana@example.org", "ed@example.org"])
def test_only_admins_manage_accounts(app, client, email):
    ana = make_user()
    make_user("ed@example.org", UserRole.editor, name="Ed")
    if email:
        log_in(client, email)
    assert client.get("/en/admin/users").status_code in (302, 403)
    token = csrf(client, "/en/login")
    response = client.post(
        f"/en/admin/users/{ana.id}", data={"csrf_token": token, "role": "admin", "active": "y"}
    )
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(User, ana.id).role == UserRole.contributor
