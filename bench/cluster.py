"""App nodes for the load benchmark and the two-node test: gunicorn on loopback ports, each
node with its own instance folder (and so its own index), all against one database.

Also a small cookie-keeping HTTP client that logs in and publishes like an editor does, and
the practices it publishes (submitted entries with a word of their own in the title).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent
EDITOR = ("editor@nodes.example", "a long editor passphrase")
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')
LOCK = re.compile(r'name="lock_version" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(instance: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("KB_") or key == "KB_REQUIRE_SERVICES"
    }
    env.update(
        KB_INSTANCE=str(instance),
        KB_DATABASE_URL=database_url,
        KB_SECRET_KEY="cluster-secret",
        **extra,
    )
    return env


def kb(env: dict[str, str], *args: str) -> str:
    """Run one ``kb`` command; its last line of output (what it did)."""
    done = subprocess.run(
        [str(BIN / "kb"), *args], env=env, capture_output=True, text=True, timeout=1800
    )
    if done.returncode:
        raise RuntimeError(f"kb {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return (done.stdout.strip().splitlines() or [""])[-1]


def prepare_database(instance: Path, database_url: str, node: str) -> None:
    """Schema, seeds, and an editor account, as a newcomer's `make run` would, from the
    instance folder of ``node`` (seeding builds that node's index)."""
    env = environment(instance, database_url, KB_NODE_NAME=node)
    kb(env, "db", "upgrade")
    kb(env, "seed")
    kb(env, "users", "create", EDITOR[0], "--role", "editor", "--password", EDITOR[1])


def add_submissions(database_url: str, count: int, first_id: int = 900_000) -> list[Submission]:
    """``count`` submitted practices, each with a word no other practice has, written without
    any index (this process is not a node)."""
    from kb import create_app
    from kb.extensions import db
    from kb.models import Implementation, Practice, PracticeTranslation, Scope, Status

    work = Path(os.environ.get("TMPDIR", "/tmp"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "cluster",
            "SEARCH_SYNC_ON_START": False,
            "INDEX_DIR": str(work / "kb-cluster-no-index"),
        }
    )
    app.extensions.pop("kb_search")  # writes only: nothing to index, no node to register
    made = []
    with app.app_context():
        for n in range(count):
            pid = first_id + n
            word = f"zq{pid:x}nodeword"
            practice = Practice(
                id=pid,
                slug=f"node-check-{pid}",
                status=Status.submitted,
                scope=Scope.national,
                implementation_status=Implementation.ongoing,
            )
            for lang, title in (("en", "Check"), ("es", "Control")):
                practice.translations[lang] = PracticeTranslation(
                    language=lang,
                    title=f"{title} {word}",
                    summary=f"{title} {word} summary",
                    body=f"{title} {word} body text.",
                )
            db.session.add(practice)
            made.append(Submission(pid, word))
        db.session.commit()
        db.engine.dispose()
    return made


@dataclass(frozen=True)
class Submission:
    id: int
    word: str


@dataclass
class Node:
    """One gunicorn server with its own instance folder."""

    name: str
    instance: Path
    database_url: str
    workers: int = 2
    threads: int = 4
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return environment(
            self.instance,
            self.database_url,
            KB_NODE_NAME=self.name,
            HOST="127.0.0.1",
            PORT=str(self.port),
            KB_WORKERS=str(self.workers),
            KB_THREADS=str(self.threads),
        )

    def rebuild(self) -> str:
        return kb(self.env, "index", "rebuild")

    def start(self, timeout: float = 60) -> Node:
        self.instance.mkdir(parents=True, exist_ok=True)
        log = open(self.instance / "server.log", "ab")  # noqa: SIM115 - kept by the process
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-c",
                "python:kb.serving",
                "--access-logfile",
                "/dev/null",
                "kb:create_app()",
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"node {self.name} exited; see {self.instance / 'server.log'}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"node {self.name} did not answer within {timeout} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


class Client:
    """A browser without a browser: cookies, CSRF tokens, forms."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, email: str = EDITOR[0], password: str = EDITOR[1]) -> None:
        _, page = self.get("/en/login")
        status, page = self.post(
            "/en/login",
            {"csrf_token": CSRF.search(page)[1], "email": email, "password": password},
        )
        if status != 200 or "/en/logout" not in page:
            raise RuntimeError(f"login as {email} failed ({status})")

    def publish(self, practice_id: int) -> None:
        status, page = self.get(f"/en/review/{practice_id}")
        if status != 200:
            raise RuntimeError(f"review page of {practice_id}: {status}")
        fields = {"csrf_token": CSRF.search(page)[1], "note": ""}
        if lock := LOCK.search(page):
            fields["lock_version"] = lock[1]
        status, _ = self.post(f"/en/review/{practice_id}/publish", fields)
        if status != 200:
            raise RuntimeError(f"publishing {practice_id}: {status}")

    def found(self, submission: Submission, lang: str = "en") -> bool:
        """Whether a search for the submission's word lists it."""
        status, page = self.get(f"/{lang}/search?q={submission.word}")
        return status == 200 and f'href="/{lang}/practices/{submission.id}-' in page


def wait_until_found(client: Client, submission: Submission, timeout: float = 10.0):
    """Seconds until a search finds ``submission`` (None: not within ``timeout``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if client.found(submission):
            return time.monotonic() - started
        time.sleep(0.02)
    return None
