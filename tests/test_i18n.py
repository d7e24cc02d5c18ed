"""Content in two languages: the fallback rule, its notice and its lang attribute."""

from __future__ import annotations

from types import SimpleNamespace

from kb.extensions import db
from kb.i18n import pick_field, pick_text
from kb.web.helpers import render_markdown
from tests.factories import make_practice


def test_pick_field_falls_back_field_by_field():
    rows = {"en": SimpleNamespace(body="English body"), "es": SimpleNamespace(body="")}
    picked = pick_field(rows, "body", "es")
    assert (picked.value, picked.lang, picked.is_fallback) == ("English body", "en", True)


def test_pick_text_reads_language_columns():
    org = SimpleNamespace(name_en="International Labour Organization", name_es=None)
    assert pick_text(org, "name", "es").value == "International Labour Organization"
    assert pick_text(org, "name", "es").is_fallback


def test_a_practice_without_spanish_shows_english_with_a_notice_and_lang(app, client):
    make_practice(id=5, title="Only in English")
    db.session.commit()
    html = client.get("/es/practices/5").get_data(as_text=True)
    assert '<h1 id="practice-title" lang="en">Only in English</h1>' in html
    assert "Este texto aún no está disponible en español" in html
    assert '<html lang="es">' in html


def test_a_missing_body_alone_gets_its_own_notice(app, client):
    make_practice(id=6, title="Title", title_es="Título", body="English body only")
    db.session.commit()
    html = client.get("/es/practices/6").get_data(as_text=True)
    assert '<h1 id="practice-title">Título</h1>' in html
    assert '<div class="prose" lang="en">' in html
    assert "Este texto aún no está disponible en español" in html


def test_markdown_from_content_is_sanitised():
    html = render_markdown("Hello <script>alert(1)</script> [x](javascript:alert(1)) **bold**")
    assert "<script>" not in html and "&lt;script&gt;" in html, "raw HTML shows as text"
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html


def test_markdown_keeps_links_tables_and_lists_and_drops_everything_else():
    html = render_markdown(
        'See https://www.ilo.org and [the report](https://example.org/r "Report").\n\n'
        "1. one\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '<img src="x" onerror="alert(1)"> ![pic](https://example.org/p.png)'
    )
    assert '<a href="https://www.ilo.org" rel="nofollow noopener">' in html
    assert '<a href="https://example.org/r" title="Report" rel="nofollow noopener">' in html
    assert "<ol>" in html and "<table>" in html and "<td>1</td>" in html
    assert "<img" not in html and "&lt;img" in html, "raw HTML is text; images are dropped"


def test_content_headings_are_demoted_below_the_page_title():
    assert "<h3>Results</h3>" in render_markdown("# Results")
