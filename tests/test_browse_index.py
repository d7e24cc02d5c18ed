"""The practice list is served from the index: its totals, facet counts and orders must be the
database's, page after page, and it still answers from the database when the index cannot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.extensions import db
from kb.models import Practice, Status
from kb.search import get_index
from kb.search.analysis import fold
from kb.services import practices
from kb.values.filters import Filters

FILTERS = [
    Filters(),
    Filters(themes=("legal-frameworks",)),
    Filters(regions=("americas",), pillars=(2, 4)),
    Filters(countries=("CA", "MX"), actors=("government",)),
    Filters(corridors=("MX-CA",), year_from=2000, year_to=2021),
    Filters(implementations=("completed",)),
    Filters(sectors=("agriculture",)),
    Filters(women=("1",)),
    Filters(year_from=2019),
]


def every_page(filters, lang, sort, size=7):
    """The ids of every page of the index-served list, and the facet counts of the first."""
    ids, number, facets = [], 1, None
    while True:
        page, counts = practices.browse_published(filters, lang, sort, number, size)
        facets = facets or counts
        ids += [p.id for p in page.items]
        if number >= page.pages:
            return ids, page.total, facets
        number += 1


@pytest.mark.parametrize("filters", FILTERS)
def test_totals_and_facet_counts_are_the_databases(seeded_app, filters):
    with seeded_app.test_request_context():
        page, facets = practices.browse_published(filters, "en", "title", 1, 20)
        expected = practices.list_published(filters, "en", "title", 1, 20)
        assert page.total == expected.total
        for param, counts in practices.facet_counts(filters).items():
            assert facets[param] == {k: v for k, v in counts.items() if v}, param


@pytest.mark.parametrize("sort", ["newest", "oldest", "reviewed"])
@pytest.mark.parametrize("filters", FILTERS[:5])
def test_dated_orders_are_the_databases_page_after_page(seeded_app, filters, sort):
    with seeded_app.test_request_context():
        ids, total, _ = every_page(filters, "es", sort)
        expected = practices.list_published(filters, "es", sort, 1, 500)
        assert ids == [p.id for p in expected.items]
        assert total == len(ids)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_titles_sort_without_case_or_accents_in_the_pages_language(seeded_app, lang):
    with seeded_app.test_request_context():
        ids, _, _ = every_page(Filters(), lang, "title")
        rows = db.session.scalars(select(Practice).where(Practice.status == Status.published))

        def key(p):
            own = p.translations.get(lang)
            title = own.title if own else next(iter(p.translations.values())).title
            return (fold(title.casefold()).strip(), p.id)

        assert ids == [p.id for p in sorted(rows, key=key)]
        assert len(ids) == len(set(ids)) >= 79


def test_an_edit_reorders_and_recounts_the_list(seeded_app):
    with seeded_app.test_request_context():
        first, facets = practices.browse_published(Filters(), "en", "title", 1, 5)
        theme_counts = facets["theme"]
        pid = first.items[-1].id
        practice = db.session.get(Practice, pid)
        original = practice.translations["en"].title
        theme = practice.themes[0].slug
        practice.translations["en"].title = "Aaaa first of all"
        db.session.commit()
        try:
            page, facets = practices.browse_published(Filters(), "en", "title", 1, 5)
            assert page.items[0].id == pid
            assert facets["theme"] == theme_counts
            db.session.get(Practice, pid).status = Status.archived
            db.session.commit()
            page, facets = practices.browse_published(Filters(), "en", "title", 1, 5)
            assert pid not in [p.id for p in page.items]
            assert page.total == first.total - 1
            assert facets["theme"].get(theme, 0) == theme_counts[theme] - 1
        finally:
            practice = db.session.get(Practice, pid)
            practice.status = Status.published
            practice.translations["en"].title = original
            db.session.commit()


def test_without_a_readable_index_the_database_answers(seeded_app, monkeypatch):
    with seeded_app.test_request_context():
        expected, expected_facets = practices.browse_published(Filters(regions=("africa",)), "en")
        monkeypatch.setattr(type(get_index()), "schema_is_current", lambda self: False)
        monkeypatch.setattr(
            "kb.services.practices.browse", lambda *a, **k: pytest.fail("index read")
        )
        page, facets = practices.browse_published(Filters(regions=("africa",)), "en")
        assert [p.id for p in page.items] == [p.id for p in expected.items]
        assert {k: v for k, v in facets["theme"].items() if v} == expected_facets["theme"]


@pytest.mark.parametrize(
    "url",
    [
        "/en/practices/",
        "/es/practices/?theme=legal-frameworks&country=MX&sort=newest",
        "/en/practices/?pillar=2&pillar=4&year_from=2010&region=americas",
        "/es/search?q=trabajadores+migrantes&corridor=MX-CA&sort=relevance",
    ],
)
def test_facet_links_are_the_filters_links(seeded_app, url):
    """The sidebar builds its links from pieces; each must be what filters_url gives."""
    from flask import request

    from kb.services.catalogue import vocabulary
    from kb.web.args import parse_listing
    from kb.web.facets import facet_groups
    from kb.web.helpers import filters_url

    with seeded_app.test_request_context(url):
        seeded_app.preprocess_request()
        vocab = vocabulary()
        if "/search" in url:
            listing = parse_listing(request.args, vocab, ("relevance", "newest"), "relevance")
        else:
            listing = parse_listing(request.args, vocab)
        _page, facets = practices.browse_published(listing.filters, "en")
        checked = 0
        for group in facet_groups(listing, facets, vocab):
            for item in group.values:
                change = listing.filters.without if item.active else listing.filters.with_value
                assert item.href == filters_url(change(group.param, item.value), sort=listing.sort)
                checked += 1
        assert checked >= 20


def count_queries(app, fn):
    from sqlalchemy import event

    seen = []

    def before(*_args):
        seen.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(seen)


def test_cards_are_read_once_and_again_when_their_practice_changes(app, client):
    from tests.factories import make_practice

    for pid in range(1, 6):
        make_practice(id=pid, title=f"Card practice {pid}")
    db.session.commit()
    assert "Card practice 3" in client.get("/en/practices/").get_data(True)
    # Read again: one query confirms the ids are published, none re-reads the cards.
    with app.test_request_context():
        page, _ = practices.browse_published(Filters(), "en")
        assert count_queries(app, lambda: practices.browse_published(Filters(), "en")) == 1
    practice = db.session.get(Practice, 3)
    practice.translations["en"].title = "Card practice three renamed"
    db.session.commit()
    html = client.get("/en/practices/").get_data(True)
    assert "Card practice three renamed" in html and "Card practice 3<" not in html
    assert "Card practice three renamed" in client.get("/en/search?q=renamed").get_data(True)


def test_a_card_no_longer_published_is_left_out_even_before_the_index_knows(app, client):
    from tests.factories import make_practice

    for pid in range(1, 4):
        make_practice(id=pid, title=f"Shown practice {pid}")
    db.session.commit()
    assert "Shown practice 2" in client.get("/en/practices/").get_data(True)
    get_index().sync_now = lambda: 0  # the index lags behind the database
    db.session.get(Practice, 2).status = Status.archived
    db.session.commit()
    html = client.get("/en/practices/").get_data(True)
    assert "Shown practice 1" in html and "Shown practice 2" not in html
    assert "Shown practice 2" not in client.get("/en/search?q=shown").get_data(True)
