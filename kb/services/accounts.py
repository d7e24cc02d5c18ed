"""Accounts: registration, login with lockout, password change and reset by a signed link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from kb.db import utcnow
from kb.errors import KbError, NotFound
from kb.extensions import db
from kb.models import ActorType, LoginFailure, User, UserRole
from kb.services import mail

LOCKOUT_FAILURES = 10
LOCKOUT_WINDOW = timedelta(minutes=15)
RESET_MAX_AGE = 3600  # seconds a reset link stays valid
MIN_PASSWORD = 10
# Checked when no account has the e-mail, so that a wrong e-mail costs as long as a wrong
# password and the timing does not tell which accounts exist (one per hashing method).
_NO_ACCOUNT: dict[str, str] = {}


class EmailTaken(KbError):
    pass


class LoginRefused(KbError):
    pass


class LockedOut(KbError):
    def __init__(self, minutes: int):
        super().__init__(f"locked for {minutes} minute(s)")
        self.minutes = minutes


class WrongPassword(KbError):
    pass


class InvalidToken(KbError):
    pass


@dataclass(frozen=True)
class Registration:
    name: str
    email: str
    password: str
    organisation: str
    actor_type: str | None  # slug
    language: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def register(data: Registration) -> User:
    """A new contributor. Raises EmailTaken when an account has the e-mail already."""
    email = normalise_email(data.email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    actor = (
        db.session.scalar(select(ActorType).where(ActorType.slug == data.actor_type))
        if data.actor_type
        else None
    )
    user = User(
        email=email,
        name=data.name.strip(),
        organisation=data.organisation.strip(),
        actor_type=actor,
        role=UserRole.contributor,
        password_hash=hash_password(data.password),
        language=data.language,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same e-mail registered at the same moment
        db.session.rollback()
        raise EmailTaken(email) from exc
    return user


def create_user(email: str, role: UserRole, password: str, name: str | None = None) -> User:
    """An account made from the command line (the first editor and admin)."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str, address: str) -> User:
    """The account with this e-mail and password.

    After LOCKOUT_FAILURES failures for one e-mail or from one address within LOCKOUT_WINDOW,
    every attempt is refused (LockedOut), the right password included, until the oldest of
    those failures leaves the window. Raises LoginRefused for a wrong e-mail or password.
    """
    email = normalise_email(email)
    now = utcnow()
    since = now - LOCKOUT_WINDOW
    recent = select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.at > since)
    for condition in (LoginFailure.email == email, LoginFailure.address == address):
        count, oldest = db.session.execute(recent.where(condition)).one()
        if count >= LOCKOUT_FAILURES:
            raise LockedOut(_minutes_until(_aware(oldest) + LOCKOUT_WINDOW, now))
    user = db.session.scalar(select(User).where(User.email == email))
    hashed = user.password_hash if user is not None else _no_account_hash()
    if not check_password_hash(hashed, password) or user is None or not user.is_active:
        db.session.execute(delete(LoginFailure).where(LoginFailure.at <= since))
        db.session.add(LoginFailure(email=email, address=address[:64], at=now))
        db.session.commit()
        raise LoginRefused(email)
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    db.session.commit()
    return user


def _no_account_hash() -> str:
    method = current_app.config["PASSWORD_METHOD"]
    if method not in _NO_ACCOUNT:
        _NO_ACCOUNT[method] = hash_password("no account has this password")
    return _NO_ACCOUNT[method]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _minutes_until(moment: datetime, now: datetime) -> int:
    return max(1, -(-int((moment - now).total_seconds()) // 60))


def change_password(user: User, current: str, new: str) -> None:
    """Raises WrongPassword when ``current`` is not the account's password."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword()
    _set_password(user, new)
    db.session.commit()


def hash_password(password: str) -> str:
    """scrypt, with the work factor of PASSWORD_METHOD (tests make it cheaper)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_METHOD"])


def _set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "mark": user.password_mark})


def request_reset(email: str, link_for: Callable[[str], str]) -> None:
    """Mail a reset link to the account with this e-mail, if there is one (the caller says the
    same either way, so the form does not tell who has an account)."""
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    link = link_for(reset_token(user))
    with force_locale(user.language):
        body = _(
            "Someone asked to reset the password of your account on the Fair Recruitment "
            "Practices knowledge base. To choose a new password, open this link within one "
            "hour:\n\n{link}\n\nIf you did not ask for it, ignore this message: your password "
            "stays as it is."
        ).format(link=link)
        subject = _("Reset your password")
    mail.send(mail.Message(to=user.email, subject=subject, body=body))


def user_for_token(token: str) -> User:
    """The account a reset link is for. Raises InvalidToken when the link is forged, older
    than RESET_MAX_AGE, or already used."""
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired as exc:
        raise InvalidToken("expired") from exc
    except BadSignature as exc:
        raise InvalidToken("invalid") from exc
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.is_active or data.get("mark") != user.password_mark:
        raise InvalidToken("used")
    return user


def reset_password(token: str, password: str) -> User:
    """Set a new password from a reset link (see user_for_token for the InvalidToken cases)."""
    user = user_for_token(token)
    _set_password(user, password)
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    db.session.commit()
    return user


def load_user(session_id: str) -> User | None:
    """For Flask-Login: the active account of a session, as long as its password has not
    changed since the session began (``User.get_id``)."""
    number, _, mark = session_id.partition("-")
    if not (number.isascii() and number.isdigit()) or len(number) > 10:
        return None
    user = db.session.get(User, int(number))
    if user is None or not user.is_active or mark != user.password_mark:
        return None
    return user


class LastAdmin(KbError):
    """The change would leave the site without an active admin."""


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role.desc(), User.email)))


def set_role(user_id: int, role: UserRole, active: bool) -> User:
    """An admin changes an account's role or turns it off. Raises NotFound, or LastAdmin when
    no active admin would remain."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(user_id)
    if user.role == UserRole.admin and user.is_active and (role != UserRole.admin or not active):
        admins = db.session.scalar(
            select(func.count()).where(User.role == UserRole.admin, User.is_active.is_(True))
        )
        if admins <= 1:
            raise LastAdmin(user.email)
    user.role, user.is_active = role, active
    db.session.commit()
    return user
