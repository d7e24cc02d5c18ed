"""Four people's journeys through the served site in a real Chromium, each step screenshotted:
a researcher on the Spanish site, a contributor, an editor reviewing with that contributor, and
a presenter citing and presenting a collection with the keyboard."""

from __future__ import annotations

import random
import re
import string
import time

from bench import cluster
from tests.browser import log_in

COLLECTION = "americas-launch-2021"
PASSWORD = "a browser passphrase that is long"


def count_in(text: str) -> int:
    """The first number in a heading such as "12 resultados" or "3 practices"."""
    found = re.search(r"\d+", text)
    assert found, f"no count in {text!r}"
    return int(found.group())


def unique_word() -> str:
    return "zq" + "".join(random.choices(string.ascii_lowercase, k=10))


def facet_link(page, title: str):
    """The first value of the sidebar facet ``title`` that has practices and is not chosen
    yet, opened first if it is folded; (link, count)."""
    group = page.locator("aside.facets details.facet").filter(
        has=page.locator("h3.facet__title", has_text=re.compile(rf"^\s*{title}\s*$"))
    )
    assert group.count() == 1, f"no facet {title!r} in the sidebar"
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    for link in group.locator("ul.facet__values a:not(.is-active)").all():
        count = int(link.locator(".facet__count").inner_text())
        if count:
            return link, count
    raise AssertionError(f"every value of {title!r} is empty")


def results_count(page) -> int:
    return count_in(page.locator("#results-title").inner_text())


# --- 1. the researcher ------------------------------------------------------------------------
def test_researcher_searches_without_accents_narrows_and_switches_language(page, shot):
    page.goto("/es/")
    assert page.locator("html").get_attribute("lang") == "es"
    shot(page, "researcher-home-es")

    box = page.locator("#site-search-q")
    box.click()
    box.press_sequentially("contratacion", delay=20)
    with page.expect_navigation():
        box.press("Enter")
    assert re.search(r"/es/search\?q=contratacion$", page.url), page.url
    total = results_count(page)
    assert total > 1
    # Typed without the accent, found with it: the highlights mark the accented words.
    marks = [m.lower() for m in page.locator(".hits mark").all_inner_texts()]
    assert any(m.startswith("contratación") or m.startswith("contrataciones") for m in marks), marks
    shot(page, "researcher-search")

    link, expected = facet_link(page, "Corredor")
    corridor = re.search(r"corridor=([A-Z]{2}-[A-Z]{2})", link.get_attribute("href")).group(1)
    link.click()
    page.wait_for_url(re.compile(rf"corridor={corridor}"))
    assert "q=contratacion" in page.url
    by_corridor = results_count(page)
    assert by_corridor == expected <= total
    assert page.locator(".active-filters .chip--active").count() == 1
    shot(page, "researcher-corridor")

    link, expected = facet_link(page, "Pilar")
    pillar = re.search(r"pillar=(\d)", link.get_attribute("href")).group(1)
    link.click()
    page.wait_for_url(re.compile(rf"pillar={pillar}"))
    assert f"corridor={corridor}" in page.url and "q=contratacion" in page.url
    assert results_count(page) == expected <= by_corridor
    assert page.locator(".active-filters .chip--active").count() == 2
    assert 0 < page.locator(".hits > li").count() <= expected
    shot(page, "researcher-pillar")

    first = page.locator(".hits .card__title a").first
    title = first.inner_text().strip()
    practice_id = re.search(r"/es/practices/(\d+)", first.get_attribute("href")).group(1)
    first.click()
    page.wait_for_url(re.compile(rf"/es/practices/{practice_id}\b"))
    assert page.locator("h1").first.inner_text().strip() == title
    shot(page, "researcher-practice-es")

    page.locator(".lang-switch").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(rf"/en/practices/{practice_id}(-[a-z0-9-]+)?$"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".lang-switch [aria-current]").inner_text() == "English"
    english_title = page.locator("h1").first.inner_text().strip()
    assert english_title
    shot(page, "researcher-practice-en")


# --- 2. the contributor -----------------------------------------------------------------------
def register(page, name: str, email: str) -> None:
    page.goto("/en/register")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Organisation", exact=True).fill("Labour Migration Observatory")
    page.get_by_label("Type of organisation").select_option("civil-society")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)


def create_account(page, name: str, email: str, shot=None) -> None:
    register(page, name, email)
    if shot:
        shot(page, "contributor-register")
    page.get_by_role("button", name="Create the account").click()
    page.wait_for_url(re.compile(r"/en/$"))
    assert f"Welcome, {name}" in page.locator(".flash").inner_text()
    assert page.locator(".account-nav").get_by_role("link", name=name).is_visible()


def fill_practice(page, word: str) -> dict[str, str]:
    """Fill the submission form in both languages; the titles it was given."""
    titles = {
        "en": f"Fee-free hiring {word} pilot",
        "es": f"Piloto {word} de contratación sin comisiones",
    }
    english = page.get_by_role("group", name="In English")
    english.get_by_label("Title").fill(titles["en"])
    english.get_by_label("Summary").fill(
        "Employers pay every recruitment fee; workers pay nothing."
    )
    english.get_by_label("Description").fill("Workers recruited from Mexico pay **nothing**.")
    spanish = page.get_by_role("group", name="In Spanish")
    spanish.get_by_label("Title").fill(titles["es"])
    spanish.get_by_label("Summary").fill(
        "Los empleadores pagan todas las comisiones de contratación."
    )
    page.get_by_role("group", name="Themes").get_by_label("Recruitment fees").check()
    page.get_by_role("group", name="Pillars of the Fair Recruitment Initiative").get_by_label(
        re.compile(r"^3\.")
    ).check()
    page.get_by_label("Scope", exact=True).select_option("corridor")
    page.locator("#corridors-0-origin").select_option("MX")
    page.locator("#corridors-0-destination").select_option("CA")
    page.get_by_label("First year", exact=True).fill("2022")
    page.get_by_label("Implementation status", exact=True).select_option("ongoing")
    page.locator("#organisations-0-new_name").fill("Ministry of Labour")
    page.locator("#organisations-0-actor_type").select_option("government")
    page.locator("#sources-0-title").fill("Pilot report")
    page.locator("#sources-0-url").fill("https://example.org/report")
    return titles


def submit_practice(page, word: str, shot=None) -> tuple[int, dict[str, str]]:
    page.goto("/en/submit")
    titles = fill_practice(page, word)
    if shot:
        shot(page, "contributor-form")
    page.get_by_role("button", name="Send to the editors").click()
    page.wait_for_url(re.compile(r"/en/my/submissions/\d+$"))
    assert "sent to the editors" in page.locator(".flash").inner_text()
    assert page.locator(".status-line strong").inner_text() == "Submitted"
    return int(page.url.rsplit("/", 1)[1]), titles


def test_contributor_registers_submits_in_both_languages_and_follows_it(page, shot):
    word = unique_word()
    create_account(page, "Rosa Quispe", f"rosa-{word}@example.org", shot)
    shot(page, "contributor-welcome")

    practice_id, titles = submit_practice(page, word, shot)
    assert page.locator("h1").inner_text() == titles["en"]
    shot(page, "contributor-sent")

    page.locator(".account-nav").get_by_role("link", name="My submissions").click()
    page.wait_for_url(re.compile(r"/en/my/submissions$"))
    row = page.locator("table.data-table tbody tr").filter(has_text=titles["en"])
    assert row.count() == 1
    assert row.locator("td").first.inner_text() == "Submitted"
    assert row.get_by_role("link").get_attribute("href") == f"/en/my/submissions/{practice_id}"
    shot(page, "contributor-my-submissions")

    # The Spanish text was saved too: the Spanish list shows the Spanish title.
    page.goto("/es/my/submissions")
    assert (
        page.locator("table.data-table tbody")
        .get_by_role("link")
        .filter(has_text=titles["es"])
        .count()
        == 1
    )
    shot(page, "contributor-mis-envios")


# --- 3. the editor and the contributor ---------------------------------------------------------
def test_editor_asks_for_changes_contributor_resubmits_editor_publishes_search_finds_it(
    new_context, shot
):
    word = unique_word()
    contributor = new_context().new_page()
    create_account(contributor, "Tomás Ortega", f"tomas-{word}@example.org")
    practice_id, titles = submit_practice(contributor, word)

    editor = new_context().new_page()
    log_in(editor, *cluster.EDITOR)
    shot(editor, "review-editor-logged-in")
    editor.goto("/en/review/")
    row = editor.locator("table.data-table tbody tr").filter(has_text=titles["en"])
    assert row.count() == 1
    shot(editor, "review-queue")
    row.get_by_role("link").click()
    editor.wait_for_url(re.compile(rf"/en/review/{practice_id}$"))
    note = f"Please name the source's publisher ({word})."
    ask = editor.locator("form.review-action").filter(
        has=editor.get_by_role("button", name="Ask for changes")
    )
    ask.get_by_role("textbox").fill(note)
    ask.get_by_role("button", name="Ask for changes").click()
    editor.wait_for_load_state()
    assert editor.locator(".status-line strong").inner_text() == "Changes requested"
    assert editor.locator(".thread").get_by_text(note).is_visible()
    shot(editor, "review-changes-requested")

    contributor.goto("/en/my/submissions")
    row = contributor.locator("table.data-table tbody tr").filter(has_text=titles["en"])
    assert row.locator(".badge").inner_text() == "new"
    assert row.locator("td").first.inner_text() == "Changes requested"
    shot(contributor, "review-contributor-notice")
    row.get_by_role("link").click()
    contributor.wait_for_url(re.compile(rf"/en/my/submissions/{practice_id}$"))
    assert contributor.locator(".thread").get_by_text(note).is_visible()
    shot(contributor, "review-contributor-reads-note")
    contributor.get_by_role("link", name="Edit", exact=True).click()
    contributor.wait_for_url(re.compile(rf"/en/my/submissions/{practice_id}/edit$"))
    contributor.locator("#sources-0-publisher").fill("Ministry of Labour")
    shot(contributor, "review-contributor-edits")
    contributor.get_by_role("button", name="Send to the editors").click()
    contributor.wait_for_url(re.compile(rf"/en/my/submissions/{practice_id}$"))
    assert contributor.locator(".status-line strong").inner_text() == "Submitted"
    shot(contributor, "review-contributor-resubmitted")

    editor.reload()
    assert editor.locator(".status-line strong").inner_text() == "Submitted"
    assert editor.locator(".review-preview").get_by_text("Ministry of Labour").count() >= 1
    editor.locator("form.review-action").filter(
        has=editor.get_by_role("button", name="Publish")
    ).get_by_role("button", name="Publish").click()
    editor.wait_for_load_state()
    assert editor.locator(".status-line strong").inner_text() == "Published"
    shot(editor, "review-published")

    found = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        editor.goto(f"/en/search?q={word}")
        found = editor.locator(f'.hits a[href^="/en/practices/{practice_id}-"]')
        if found.count():
            break
        time.sleep(0.25)
    assert found.count() == 1, f"a search for {word} does not find practice {practice_id}"
    assert found.inner_text().strip() == titles["en"]
    shot(editor, "review-search-finds-it")
    found.click()
    editor.wait_for_url(re.compile(rf"/en/practices/{practice_id}-"))
    assert editor.locator("h1").first.inner_text().strip() == titles["en"]
    shot(editor, "review-in-the-catalogue")


# --- 4. the presenter -------------------------------------------------------------------------
def visible_slide(page) -> str:
    """The id of the slide at the top of the window."""
    return page.evaluate(
        """() => {
          const slides = [...document.querySelectorAll('.slide')];
          const onScreen = slides.filter(s => Math.abs(s.getBoundingClientRect().top) < 2);
          return onScreen.length === 1 ? onScreen[0].id : null;
        }"""
    )


def slide_title(page, slide_id: str) -> str:
    return page.locator(f"#{slide_id} :is(h1, h2)").first.inner_text().strip()


def test_presenter_cites_a_practice_and_presents_a_collection_with_the_keyboard(new_context, shot):
    from playwright.sync_api import expect

    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(f"/en/collections/{COLLECTION}")
    titles = [t.strip() for t in page.locator(".collection-items .card__title a").all_inner_texts()]
    assert len(titles) >= 3
    shot(page, "presenter-collection")

    page.locator(".collection-items .card__title a").first.click()
    page.wait_for_url(re.compile(r"/en/practices/\d+-"))
    cite = page.locator("section.cite")
    assert cite.get_by_role("heading", name="Cite this").is_visible()
    apa = cite.locator(".cite__text").first
    reference = apa.inner_text().strip()
    assert re.search(r"\(\d{4}\)", reference) and "/p/" in reference, reference
    copy = cite.locator(".cite__copy").first
    expect(copy).to_have_accessible_name("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").strip() == reference
    bib = cite.get_by_role("link", name="BibTeX")
    response = page.request.get(bib.get_attribute("href"))
    assert response.status == 200
    bibtex = response.text()
    assert bibtex.lstrip().startswith("@")
    practice_id = re.search(r"/en/practices/(\d+)-", page.url).group(1)
    assert f"kb-practice-{practice_id}-" in bibtex
    assert page.locator("h1").first.inner_text().strip() in bibtex
    shot(page, "presenter-cite")

    page.go_back()
    page.get_by_role("link", name="Present it").click()
    page.wait_for_url(re.compile(rf"/en/collections/{COLLECTION}/present$"))
    slides = page.locator(".slide").count()
    assert slides == len(titles) + 1
    assert visible_slide(page) == "slide-1"
    shot(page, "presenter-slide-1", full_page=False)

    seen = []
    for key, expected in [
        ("ArrowRight", 2),
        ("ArrowRight", 3),
        ("ArrowLeft", 2),
        ("PageDown", 3),
        ("End", slides),
        ("Home", 1),
    ]:
        page.keyboard.press(key)
        page.wait_for_url(re.compile(rf"#slide-{expected}$"))
        page.wait_for_function(
            "id => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 2",
            arg=f"slide-{expected}",
        )
        assert visible_slide(page) == f"slide-{expected}", key
        seen.append(slide_title(page, f"slide-{expected}"))
        shot(page, f"presenter-{key}-slide-{expected}", full_page=False)
    # The slides in order are the collection's practices in order.
    assert seen[:2] == titles[:2]
    assert seen[4] == titles[-1]

    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(rf"/en/collections/{COLLECTION}$"))
    shot(page, "presenter-back")
