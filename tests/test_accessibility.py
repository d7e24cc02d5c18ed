"""Accessibility in a real Chromium: axe-core (WCAG 2.1 A and AA) on every page type in both
languages, logged out and as an editor; the skip link and the site search with the keyboard
only; form errors announced and linked to their fields; no sideways scroll on a phone."""

from __future__ import annotations

import re

import pytest

from tests.browser import PHONE

LANGUAGES = ("en", "es")
PRACTICE = 13  # a seeded practice of the Americas launch collection, with a version 1
COLLECTION = "americas-launch-2021"
QUERY = {"en": "recruitment fees", "es": "contratacion"}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    # Passed and inapplicable rules are still listed, with one element each: faster.
    "resultTypes": ["violations"],
}

# Page type -> path under /<lang>; "{q}" is the language's search.
PUBLIC_PAGES = {
    "home": "/",
    "about": "/about",
    "API for other systems": "/api",
    "practice list, filtered": "/practices/?theme=recruitment-fees&pillar=2",
    "search results": "/search?q={q}",
    "search, no hits": "/search?q=zzyzxqvw",
    "practice": f"/practices/{PRACTICE}",
    "practice version 1": f"/practices/{PRACTICE}/v/1",
    "practice history": f"/practices/{PRACTICE}/history",
    "corridors": "/corridors/",
    "corridor": "/corridors/MX-CA",
    "country": "/countries/MX",
    "themes": "/themes/",
    "theme": "/themes/recruitment-fees",
    "pillars": "/pillars/",
    "pillar": "/pillars/2",
    "collections": "/collections/",
    "collection": f"/collections/{COLLECTION}",
    "presentation": f"/collections/{COLLECTION}/present",
    "events": "/events/",
    "event": f"/events/{COLLECTION}",
    "login": "/login",
    "register": "/register",
    "password reset request": "/password/reset",
    "not found (404)": "/no-such-page",
}
EDITOR_PAGES = {
    "editor: home": "/",
    "editor: practice": f"/practices/{PRACTICE}",
    "editor: submit": "/submit",
    "editor: my submissions": "/my/submissions",
    "editor: review queue": "/review/",
    "editor: review entry": f"/review/{PRACTICE}",
    "editor: collection edit": f"/curation/collections/{COLLECTION}",
    "editor: new collection": "/curation/collections/new",
    "editor: event edit": f"/curation/events/{COLLECTION}",
    "editor: change password": "/account/password",
}


def url(lang: str, path: str) -> str:
    return f"/{lang}{path.format(q=QUERY[lang])}"


def open_page(page, lang: str, path: str, name: str):
    response = page.goto(url(lang, path))
    expected = 404 if "404" in name else 200
    assert response.status == expected, f"{url(lang, path)} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == lang


@pytest.fixture(scope="session")
def axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        from tests.conftest import missing_service

        missing_service("axe-playwright-python is not installed")
    return Axe()


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " >> ".join(
                t if isinstance(t, str) else " ".join(map(str, t)) for t in node["target"]
            )
            lines.append(f"      {target}")
    return "\n".join(lines)


def run_axe(axe, page, name: str, lang: str, table) -> str:
    """Run axe-core on the page and record the counts; a report of the violations, or ""."""
    found = axe.run(page, options=AXE_OPTIONS).response
    violations = found["violations"]
    table[(name, lang)] = (len(violations), len(found["passes"]))
    if not violations:
        return ""
    report = f"{len(violations)} axe violations on {page.url}:\n{describe(violations)}"
    print(report)
    return report


def check_axe(axe, page, name: str, lang: str, table) -> None:
    if report := run_axe(axe, page, name, lang, table):
        pytest.fail(report, pytrace=False)


def check_axe_in_both_languages(axe, page, name: str, path: str, table) -> None:
    reports = []
    for lang in LANGUAGES:
        open_page(page, lang, path, name)
        reports.append(run_axe(axe, page, name, lang, table))
    if any(reports):
        pytest.fail("\n".join(r for r in reports if r), pytrace=False)


# --- a. axe-core --------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES.items(), ids=list(PUBLIC_PAGES))
def test_axe_finds_no_violation_logged_out(page, axe, axe_table, name, path):
    check_axe_in_both_languages(axe, page, name, path, axe_table)
    if name != "presentation":  # a page of its own, without the site's header
        assert (
            page.get_by_role("navigation", name=re.compile("Account|Cuenta"))
            .get_by_role("link", name=re.compile("Log in|Iniciar sesión"))
            .is_visible()
        )


@pytest.mark.parametrize(("name", "path"), EDITOR_PAGES.items(), ids=list(EDITOR_PAGES))
def test_axe_finds_no_violation_as_the_editor(editor_context, axe, axe_table, name, path):
    page = editor_context.new_page()
    check_axe_in_both_languages(axe, page, name, path, axe_table)
    assert page.locator(".account-nav form[action$='/logout']").is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_axe_finds_no_violation_with_the_suggestions_open(page, axe, axe_table, lang):
    page.goto(f"/{lang}/")
    box = page.locator("#site-search-q")
    box.press_sequentially("mexi", delay=30)
    page.locator("#site-search-q-suggestions [role=option]").first.wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == "site-search-q-suggestions-0"
    check_axe(axe, page, "header search, suggestions open", lang, axe_table)


# --- b. the keyboard only ------------------------------------------------------------------------
def active(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          const box = el.getBoundingClientRect();
          return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,
                  href: el.getAttribute('href'), text: el.textContent.trim(),
                  inMain: !!el.closest('main'), top: box.top, bottom: box.bottom,
                  width: box.width};
        }"""
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", ["/practices/", f"/practices/{PRACTICE}"])
def test_the_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, lang, path):
    page.goto(f"/{lang}{path}")
    page.keyboard.press("Tab")
    link = active(page)
    assert link["cls"] == "skip-link" and link["href"] == "#main", link
    # Visible once focused, inside the window.
    assert link["top"] >= 0 and link["bottom"] <= page.viewport_size["height"]
    assert link["width"] > 1
    page.keyboard.press("Enter")
    assert active(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert active(page)["inMain"], "the Tab after the skip link left the main content"


def test_the_presentation_skip_link_goes_to_the_first_slide(page):
    page.goto(f"/en/collections/{COLLECTION}/present")
    page.keyboard.press("Tab")
    assert active(page)["href"] == "#slide-1"
    page.keyboard.press("Enter")
    assert active(page)["id"] == "slide-1"


def tab_to(page, predicate, limit: int, why: str) -> int:
    """Press Tab until the focused element satisfies ``predicate``; the presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if predicate(active(page)):
            return presses
    raise AssertionError(f"{why}: not reached in {limit} presses of Tab")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_site_search_works_with_the_keyboard_only(page, lang):
    page.goto(f"/{lang}/")
    tab_to(page, lambda el: el["id"] == "site-search-q", 20, "the search box")
    page.keyboard.type(QUERY[lang])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"/{lang}/search?q=" in page.url
    total = int(re.search(r"\d+", page.locator("#results-title").inner_text()).group())
    assert total > 0
    first = page.locator(".hits .card__title a").first.get_attribute("href")
    tab_to(page, lambda el: el["href"] == first, 250, "the first result")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(first)


@pytest.mark.parametrize("width", [PHONE["width"], 1280])
def test_the_results_come_before_the_filters_when_tabbing(new_context, width):
    """The filters follow the results in the page, wherever the stylesheet shows them; a
    "jump to the filters" link, first after the sort form, leads past the results."""
    context = new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto("/es/practices/")
    first = page.locator(".card__title a").first.get_attribute("href")
    reached = []

    def note(el):
        if el["href"] == first:
            reached.append("result")
        elif el["href"] == "#facets-title":
            reached.append("jump")
        elif el["href"] and "/es/practices/?" in el["href"]:
            reached.append("filter")
        return "result" in reached or "filter" in reached

    tab_to(page, note, 80, "a result or a filter")
    assert reached == ["jump", "result"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the jump link
    tab_to(page, lambda el: "/es/practices/?" in (el["href"] or ""), 10, "the first filter")


def test_a_suggestion_is_chosen_with_the_arrow_keys(page):
    page.goto("/en/")
    tab_to(page, lambda el: el["id"] == "site-search-q", 20, "the search box")
    page.keyboard.type("mexi")
    page.locator("#site-search-q-suggestions [role=option]").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#site-search-q-suggestions [aria-selected=true]")
    assert chosen.count() == 1
    assert page.locator("#site-search-q").get_attribute("aria-activedescendant") == (
        chosen.get_attribute("id")
    )
    label = chosen.locator(".suggest__label").inner_text()  # "Mexico → Canada"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search" not in page.url
    heading = page.locator("h1").inner_text()
    assert all(word in heading for word in re.findall(r"\w+", label)), (label, heading)
    # Escape closes the list; Enter then searches for what was typed.
    page.goto("/en/")
    box = page.locator("#site-search-q")
    box.press_sequentially("mexi", delay=30)
    page.locator("#site-search-q-suggestions [role=option]").first.wait_for()
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/en/search?q=mexi")


# --- c. form errors ------------------------------------------------------------------------------
def check_error_summary(page) -> list[str]:
    """Every link of the error summary points at a field that says it is wrong and why; the
    ids of those fields."""
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_attribute("role") == "alert"
    links = summary.locator("a")
    assert links.count() > 0
    ids = []
    for link in links.all():
        href = link.get_attribute("href")
        assert href.startswith("#"), href
        target_id = href[1:]
        target = page.locator(f"[id='{target_id}']")
        assert target.count() == 1, f"{href}: no such element"
        tag = target.evaluate("el => el.tagName.toLowerCase()")
        described = (target.get_attribute("aria-describedby") or "").split()
        assert f"{target_id}-error" in described, f"{href} is not described by its error"
        error = page.locator(f"[id='{target_id}-error']")
        assert error.is_visible()
        message = error.inner_text().strip()
        assert message and message in link.inner_text(), (message, link.inner_text())
        if tag == "fieldset":
            # A group of checkboxes: the group carries the description, its boxes are inside.
            assert target.locator("input[type=checkbox]").count() > 0
        else:
            assert tag in ("input", "select", "textarea"), f"{href} points at a {tag}"
            assert target.get_attribute("aria-invalid") == "true", f"{href} is not invalid"
        ids.append(target_id)
    return ids


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_empty_login_form_lists_its_errors_linked_to_the_fields(
    page, axe, axe_table, shot, lang
):
    page.goto(f"/{lang}/login")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert check_error_summary(page) == ["email", "password"]
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # Following a link of the summary brings its field into view.
    page.locator(".error-summary a").last.click()
    assert page.url.endswith("#password")
    assert page.locator("#password").is_visible()
    shot(page, f"forms-login-errors-{lang}")
    check_axe(axe, page, "login, with errors", lang, axe_table)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_empty_submit_form_lists_its_errors_linked_to_the_fields(
    editor_context, axe, axe_table, shot, lang
):
    page = editor_context.new_page()
    page.goto(f"/{lang}/submit")
    send = page.locator(".form-actions button[value=submit]")
    with page.expect_navigation():
        send.click()
    ids = check_error_summary(page)
    # No language written: said at the English title, the first field to fill in.
    assert {"title_en", "themes", "pillars"} <= set(ids)
    assert page.locator(".error-summary li").count() == len(ids)  # every error is linked
    # The summary has the focus, so that it is read first.
    assert page.evaluate("document.activeElement.id") == "error-summary"
    shot(page, f"forms-submit-errors-{lang}")
    check_axe(axe, page, "submit, with errors", lang, axe_table)

    # A title alone: its summary is wanted, and said so at the summary field.
    page.locator("#title_en").fill("A title without its summary")
    with page.expect_navigation():
        page.locator(".form-actions button[value=submit]").click()
    assert "summary_en" in check_error_summary(page)
    assert page.locator("#title_en").input_value() == "A title without its summary"


# --- d. no sideways scroll on a phone ------------------------------------------------------------
# The elements that stick out past the window while their parent does not.
WIDER_THAN_WINDOW = """width => [...document.querySelectorAll('body *')]
  .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > width + 0.5)
  .filter(el => el.parentElement.getBoundingClientRect().right <= width + 0.5)
  .slice(0, 8)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
       + (el.className && typeof el.className === 'string'
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
       + ' (' + Math.round(el.getBoundingClientRect().right) + 'px)')"""


def phone_overflow(page, lang: str, path: str, name: str, widths) -> str:
    """Where the page at ``path`` is wider than the phone ("" when it is not)."""
    open_page(page, lang, path, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    widths[(name, lang)] = width
    if width <= PHONE["width"]:
        return ""
    culprits = page.evaluate(WIDER_THAN_WINDOW, PHONE["width"])
    return f"{page.url} is {width}px wide: {', '.join(culprits)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_scrolls_sideways_on_a_phone(new_context, phone_widths, lang):
    page = new_context(viewport=PHONE).new_page()
    problems = [
        phone_overflow(page, lang, path, name, phone_widths) for name, path in PUBLIC_PAGES.items()
    ]
    problems = [p for p in problems if p]
    assert not problems, f"wider than a {PHONE['width']}px phone:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_page_scrolls_sideways_on_a_phone_as_the_editor(
    new_context, editor_state, phone_widths, lang
):
    page = new_context(viewport=PHONE, storage_state=editor_state).new_page()
    problems = [
        phone_overflow(page, lang, path, name, phone_widths) for name, path in EDITOR_PAGES.items()
    ]
    problems = [p for p in problems if p]
    assert not problems, f"wider than a {PHONE['width']}px phone:\n" + "\n".join(problems)
