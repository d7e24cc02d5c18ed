"""Outgoing mail through a pluggable sender. The default writes each message to
``MAIL_FOLDER`` (default ``<instance>/mail/``) and to the log: no mail server is assumed.

``MAIL_SENDER`` names another sender as ``module:attribute``, a callable taking the app and
returning an object with ``send(message)``.
"""

from __future__ import annotations

import importlib
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str


class FolderSender:
    """Writes every message as an ``.eml`` file (readable by any mail client) and logs it."""

    def __init__(self, folder: Path, sender: str):
        self.folder = folder
        self.sender = sender

    def send(self, message: Message) -> Path:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.to
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        mail.set_content(message.body)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_bytes(bytes(mail))
        temporary.replace(path)
        log.info("mail to %s: %s (%s)", message.to, message.subject, path.name)
        return path


def folder_sender(app: Flask) -> FolderSender:
    folder = app.config.get("MAIL_FOLDER") or Path(app.instance_path) / "mail"
    return FolderSender(Path(folder), app.config["MAIL_FROM"])


def init_app(app: Flask) -> None:
    module, _, name = app.config["MAIL_SENDER"].partition(":")
    factory = getattr(importlib.import_module(module), name)
    app.extensions["kb_mail"] = factory(app)


def send(message: Message) -> None:
    current_app.extensions["kb_mail"].send(message)
