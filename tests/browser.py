"""Browser fixtures: the app served by gunicorn on a loopback port, a real Chromium driven by
Playwright, a fresh context and page per test, numbered full-page screenshots, and the
accessibility table printed at the end of the run.

Loaded by ``tests/conftest.py`` (``pytest_plugins``). Playwright is imported only when a browser
test asks for it, so the rest of the suite runs without it.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@dataclass
class Served:
    """The running app: its address and its instance folder."""

    url: str
    instance: Path
    database_url: str


@dataclass
class Report:
    """What the browser tests leave for the terminal summary."""

    screenshots: Path | None = None
    written: int = 0
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # (page type, language) -> (violations, rules passed)
    axe: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    # (page type, language) -> document width in CSS pixels on a phone
    widths: dict[tuple[str, str], int] = field(default_factory=dict)


REPORT = Report()


def _missing(reason: str):
    from tests.conftest import missing_service

    missing_service(reason)


@pytest.fixture(scope="session")
def served(tmp_path_factory):
    """The seeded app with an editor account, served by gunicorn (two workers) on loopback."""
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        _missing("gunicorn is not installed in this environment")
    from bench import cluster

    folder = tmp_path_factory.mktemp("browser-app")
    instance = folder / "instance"
    instance.mkdir()
    database_url = f"sqlite:///{folder / 'kb.sqlite'}"
    try:
        cluster.prepare_database(instance, database_url, "browser")
        node = cluster.Node("browser", instance, database_url, workers=2).start()
    except Exception as exc:  # noqa: BLE001 - any start failure is the reason to skip
        _missing(f"could not serve the app for the browser: {exc}")
    yield Served(node.url, instance, database_url)
    node.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, launched once for the session."""
    if not Path(CHROMIUM).exists():
        _missing(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    driver = sync_playwright().start()
    try:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 - any launch failure is the reason to skip
        driver.stop()
        _missing(f"could not launch Chromium: {exc}")
    yield browser
    browser.close()
    driver.stop()


@pytest.fixture
def new_context(chromium, served):
    """Make browser contexts (separate cookie jars) on the served app; all closed at the end.

    Whatever a visitor would suffer on the way fails the test: a server error (5xx), a
    JavaScript error, or something the Content-Security-Policy blocked."""
    made = []
    problems = []

    def on_response(response):
        if response.status >= 500:
            problems.append(f"{response.status} from {response.url}")

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            where = message.location.get("url") or (message.page.url if message.page else "")
            problems.append(f"blocked on {where}: {message.text}")

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        context = chromium.new_context(base_url=served.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("response", on_response)
        context.on("console", on_console)
        context.on("weberror", lambda error: problems.append(f"JavaScript error: {error.error}"))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def editor_state(chromium, served, tmp_path_factory):
    """The cookies of a logged-in editor (cluster.EDITOR), to open contexts already logged in."""
    from bench import cluster

    context = chromium.new_context(base_url=served.url, viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    log_in(page, *cluster.EDITOR)
    path = tmp_path_factory.mktemp("editor") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def editor_context(new_context, editor_state):
    """A browser context logged in as the editor."""
    return new_context(storage_state=editor_state)


def log_in(page, email: str, password: str, lang: str = "en") -> None:
    """Log in through the form, as a person does; fails the test when it does not work."""
    page.goto(f"/{lang}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    logout = page.locator(".account-nav button.link-button")
    assert logout.count() == 1, f"login as {email} failed: {page.url}"


def screenshot_folder(tmp_path_factory) -> Path:
    if REPORT.screenshots is None:
        if chosen := os.environ.get("KB_SCREENSHOTS"):
            REPORT.screenshots = Path(chosen)
        else:
            REPORT.screenshots = tmp_path_factory.getbasetemp() / "screenshots"
        REPORT.screenshots.mkdir(parents=True, exist_ok=True)
    return REPORT.screenshots


@pytest.fixture(scope="session")
def shot(tmp_path_factory):
    """``shot(page, "researcher-search")`` saves ``researcher-01-search.png``: a full-page
    screenshot (``full_page=False``: the window only) numbered in order within its journey
    (the name's first word)."""

    def take(page, name: str, full_page: bool = True) -> Path:
        journey, _, step = name.partition("-")
        REPORT.counters[journey] += 1
        number = REPORT.counters[journey]
        filename = f"{journey}-{number:02d}{'-' if step else ''}{_safe(step)}.png"
        path = screenshot_folder(tmp_path_factory) / filename
        page.screenshot(path=str(path), full_page=full_page)
        REPORT.written += 1
        return path

    return take


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")


@pytest.fixture(scope="session")
def axe_table():
    """Where the accessibility tests record, per page type, violations and rules passed."""
    return REPORT.axe


@pytest.fixture(scope="session")
def phone_widths():
    """Where the accessibility tests record, per page type, its width on a phone."""
    return REPORT.widths


def pytest_terminal_summary(terminalreporter):
    if REPORT.axe or REPORT.widths:
        write = terminalreporter.write_line
        terminalreporter.section(
            "accessibility: axe-core WCAG 2.1 A+AA violations/rules passed; width on a phone"
        )
        keys = [*REPORT.axe, *REPORT.widths]
        names = list(dict.fromkeys(name for name, _ in keys))
        languages = sorted({lang for _, lang in keys})
        width = max(len(name) for name in names)
        write(
            f"{'page type':<{width}}"
            + "".join(f"  {'axe ' + lang:>9}" for lang in languages)
            + "".join(f"  {'px ' + lang:>6}" for lang in languages)
        )
        for name in names:
            line = f"{name:<{width}}"
            for lang in languages:
                found = REPORT.axe.get((name, lang))
                line += f"  {f'{found[0]}/{found[1]}' if found else '-':>9}"
            for lang in languages:
                line += f"  {REPORT.widths.get((name, lang), '-'):>6}"
            write(line)
        if REPORT.axe:
            total = sum(v for v, _ in REPORT.axe.values())
            write(f"axe: {len(REPORT.axe)} pages checked, {total} violations")
    if REPORT.written:
        terminalreporter.write_line(f"Browser screenshots: {REPORT.screenshots}")
