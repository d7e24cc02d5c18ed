"""Account forms: register, log in, change and reset a password."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional

from kb.forms import choices, one_line
from kb.services.accounts import MIN_PASSWORD, Registration

MAX_PASSWORD = 200


def _new_password(label):
    return PasswordField(
        label,
        validators=[
            InputRequired(message=_l("Choose a password.")),
            Length(
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
                message=LazyString(
                    lambda: _("A password has {min} to {max} characters.").format(
                        min=MIN_PASSWORD, max=MAX_PASSWORD
                    )
                ),
            ),
        ],
        description=LazyString(lambda: _("At least {min} characters.").format(min=MIN_PASSWORD)),
    )


def _confirmation(field: str):
    return PasswordField(
        _l("Repeat the password"),
        validators=[EqualTo(field, message=_l("The two passwords differ."))],
    )


def _email():
    return EmailField(
        _l("E-mail"),
        validators=[
            InputRequired(message=_l("Enter your e-mail address.")),
            Length(max=254),
            Email(message=_l("Enter an e-mail address such as name@example.org.")),
        ],
    )


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(message=_l("Enter your name.")), Length(max=200)],
        filters=[one_line],
    )
    email = _email()
    organisation = StringField(
        _l("Organisation"),
        validators=[InputRequired(message=_l("Enter your organisation.")), Length(max=300)],
        filters=[one_line],
        description=_l("The ministry, organisation or institution you work for."),
    )
    actor_type = SelectField(_l("Type of organisation"), validators=[Optional()])
    password = _new_password(_l("Password"))
    confirm = _confirmation("password")

    def __init__(self, actor_choices: list[tuple[str, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor_type.choices = choices([("", _l("Choose one")), *actor_choices])

    def to_input(self, language: str) -> Registration:
        return Registration(
            name=self.name.data,
            email=self.email.data,
            password=self.password.data,
            organisation=self.organisation.data,
            actor_type=self.actor_type.data or None,
            language=language,
        )


class LoginForm(FlaskForm):
    email = _email()
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(message=_l("Enter your password.")), Length(max=MAX_PASSWORD)],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[InputRequired(message=_l("Enter your password.")), Length(max=MAX_PASSWORD)],
    )
    password = _new_password(_l("New password"))
    confirm = _confirmation("password")


class ResetRequestForm(FlaskForm):
    email = _email()


class ResetForm(FlaskForm):
    password = _new_password(_l("New password"))
    confirm = _confirmation("password")
