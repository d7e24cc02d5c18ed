"""Helpers for tests that go through the site as its users do: CSRF tokens, accounts, login."""

from __future__ import annotations

import re

from kb.models import UserRole
from kb.services import accounts

PASSWORD = "a long enough password"


def csrf(client, path: str) -> str:
    """The CSRF token of the first form on the page at ``path``."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)


def make_user(email="ana@example.org", role=UserRole.contributor, password=PASSWORD, name="Ana"):
    return accounts.create_user(email, role, password, name=name)


def log_in(client, email="ana@example.org", password=PASSWORD, address="192.0.2.1"):
    return client.post(
        "/en/login",
        data={"csrf_token": csrf(client, "/en/login"), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def lock_version(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="lock_version"[^>]*?value="(\d+)"', html).group(1)


def as_post(data: dict) -> dict:
    """A form's data (as ``submissions.input_from`` gives it) as a browser would post it."""
    posted = {}
    for name, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            for n, row in enumerate(value):
                posted |= {f"{name}-{n}-{key}": v for key, v in row.items() if v is not None}
        elif isinstance(value, bool):
            if value:
                posted[name] = "y"
        elif value is not None:
            posted[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return posted
