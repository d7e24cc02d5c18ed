"""Highlighting without the analyzer on every search marks the words Whoosh's own highlighter
marks, keeps its fragments and escapes the text around the marks."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from whoosh.highlight import ContextFragmenter, HtmlFormatter
from whoosh.highlight import highlight as whoosh_highlight

from kb.extensions import db
from kb.models import PracticeTranslation
from kb.search.highlight import highlight
from kb.search.schema import SCHEMA_ANALYZERS

MARKED = re.compile(r'<mark class="match term\d">([^<]*)</mark>')
QUERIES = {
    "en": ["recruitment fees", "migrant workers", "employers", "labour agreement", "canada"],
    "es": ["contratación", "contratacion", "trabajadores migrantes", "agencias", "acuerdo"],
}


def terms_of(field: str, text: str) -> set[str]:
    return {t.text for t in SCHEMA_ANALYZERS[field](text)}


def whooshs(text: str, field: str, terms: set[str], top: int) -> str:
    return whoosh_highlight(
        text,
        terms,
        SCHEMA_ANALYZERS[field],
        ContextFragmenter(maxchars=240, surround=60),
        HtmlFormatter(tagname="mark", between=" … "),
        top=top,
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_same_words_are_marked_as_by_whoosh(seeded_app, lang):
    field = f"text_{lang}"
    with seeded_app.app_context():
        texts = db.session.scalars(
            select(PracticeTranslation.summary).where(PracticeTranslation.language == lang)
        ).all()
    compared = 0
    for query in QUERIES[lang]:
        terms = terms_of(field, query)
        for text in texts:
            ours = highlight(text, field, terms)
            theirs = whooshs(text, field, terms, top=2)
            assert bool(ours) == bool(theirs), (query, text[:80])
            if ours:
                # Every word Whoosh marks anywhere is marked by us where we show it, and
                # nothing else is.
                everywhere = {w.lower() for w in MARKED.findall(whooshs(text, field, terms, 99))}
                assert {w.lower() for w in MARKED.findall(ours)} <= everywhere
                assert set(MARKED.findall(ours)) & set(MARKED.findall(theirs))
                compared += 1
    assert compared >= 20


def test_the_text_around_the_marks_is_escaped_and_passages_are_short():
    text = "Intro <b>bold</b> & more. " + "filler words " * 60 + "Recruitment fees end here."
    html = highlight(text, "text_en", terms_of("text_en", "fees bold"))
    assert '&lt;b&gt;<mark class="match term0">bold</mark>&lt;/b&gt; &amp; more' in html
    assert '<mark class="match term1">fees</mark>' in html
    assert " … " in html  # two passages, far apart
    assert all(len(re.sub("<[^>]+>", "", part)) <= 400 for part in html.split(" … "))


def test_accents_stop_words_and_stems_follow_the_fields_analysis():
    text = "La contratación equitativa de los trabajadores y las agencias de empleo."
    terms = terms_of("text_es", "contratacion trabajador de")
    html = highlight(text, "text_es", terms)
    assert MARKED.findall(html) == ["contratación", "trabajadores"]  # "de" is a stop word
    assert highlight(text, "text_es", terms_of("text_es", "inexistente")) == ""


def test_reading_only_around_matching_words_gives_what_a_full_scan_gives(seeded_app):
    """Words are found by their first letters (accents and case aside, "using" under "use"),
    then only the stretches around them are read: the passages must be a full scan's."""
    import random
    from collections import Counter

    with seeded_app.app_context():
        rows = db.session.execute(
            select(PracticeTranslation.language, PracticeTranslation.body)
        ).all()
    rng = random.Random(7)
    compared = 0
    for lang, body in rows:
        field = f"text_{lang}"
        words = body.split()
        once = [w for w, n in Counter(words).items() if n == 1]
        for query in (rng.choice(once or words), " ".join(rng.sample(words, 2)), "using Éxito"):
            terms = terms_of(field, query)
            full = highlight(body, field, terms, scan_all=True)
            assert highlight(body, field, terms) == full, (query, body[:60])
            compared += bool(full)
    assert compared >= 100
