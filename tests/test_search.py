"""Full-text search: analyzers, the search page, facets against the database, and index sync."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kb.extensions import db
from kb.models import Organisation, Practice, PracticeOrganisation, Status
from kb.search import analysis, get_index
from kb.search.query import search
from kb.services.practices import facet_counts
from kb.values.filters import Filters
from tests.factories import make_practice


def terms(analyzer, text: str) -> set[str]:
    return {token.text for token in analyzer(text)}


# --- analyzers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "one, other",
    [
        ("contratación", "contratacion"),
        ("contratación", "contrataciones"),
        ("contratacion", "contrataciones"),
        ("migracion", "migración"),
        ("protección", "proteccion"),
    ],
)
def test_spanish_forms_with_and_without_accents_find_each_other(one, other):
    spanish = analysis.spanish()
    assert terms(spanish, one) & terms(spanish, other)


def test_spanish_analysis_drops_stop_words_and_keeps_positions():
    # Whoosh reuses one token object: read each as it comes.
    positions = {
        t.text: t.pos for t in analysis.spanish()("la contratación de las personas", positions=True)
    }
    assert "la" not in positions and "de" not in positions
    assert positions["contrat"] == positions["contratacion"]  # variants share a position


def test_english_analysis_stems_and_drops_stop_words():
    english = analysis.english()
    assert terms(english, "the recruiters") == {"recruit"}
    assert terms(english, "recruitment fees") == terms(english, "recruiting fee")
    assert terms(english, "México") == {"mexico"}


# --- the search page on the seed data -----------------------------------------------------
def result_ids(html: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'<h3 class="card__title"><a href="/\w\w/practices/(\d+)-', html)
    ]


def result_total(html: str) -> int:
    match = re.search(r'class="results__count"[^>]*>\s*(\d+) ', html)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("lang", ["en", "es"])
def test_search_page_answers_in_both_languages(seeded_client, lang):
    response = seeded_client.get(f"/{lang}/search?q=recruitment")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert result_total(html) > 0
    assert "<mark" in html


@pytest.mark.parametrize("query", ["contratación", "contratacion", "contrataciones"])
def test_spanish_queries_with_or_without_accents_find_the_same_practices(seeded_client, query):
    html = seeded_client.get(f"/es/search?q={query}").get_data(as_text=True)
    reference = seeded_client.get("/es/search?q=contratación").get_data(as_text=True)
    assert result_total(html) == result_total(reference) > 0


def test_queries_in_either_language_work_from_either_page(seeded_client):
    english_on_spanish = seeded_client.get("/es/search?q=seasonal").get_data(as_text=True)
    spanish_on_english = seeded_client.get("/en/search?q=temporeros").get_data(as_text=True)
    assert 1 in result_ids(english_on_spanish)
    assert result_total(spanish_on_english) > 0


def test_the_page_language_is_boosted(seeded_client):
    spanish = seeded_client.get("/es/search?q=trabajo").get_data(as_text=True)
    snippet_langs = re.findall(r'<p class="hit__snippet"( lang="en")?>', spanish)
    assert snippet_langs and snippet_langs[0] == ""  # the best hit's passage is in Spanish


def test_phrases_field_prefixes_exclusion_and_prefix_queries(seeded_client):
    def total(query):
        return result_total(seeded_client.get(f"/en/search?q={query}").get_data(as_text=True))

    assert total('"seasonal agricultural"') >= 1
    assert total('"agricultural seasonal"') < total("agricultural seasonal")
    titles = seeded_client.get("/en/search?q=title:canada").get_data(as_text=True)
    found = re.findall(r'<h3 class="card__title"><a [^>]*>([^<]+)</a>', titles)
    assert found and all("Canad" in title for title in found)
    assert total("org:SUCOMM") == 1
    assert total("fees -canada") < total("fees")
    # Quoted, a word keeps its strict meaning (no thesaurus equivalents).
    assert total("recruit*") >= total('"recruitment"')
    assert total("recruitment") > total('"recruitment"'), "contratación, hiring: equivalents"
    assert total("fees OR covid") > total("fees")


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "(broken",
        "fees)",
        "AND",
        "OR NOT",
        "title:",
        "*",
        "a:b:c",
        "-",
        '""',
        "((((",
        "NOT NOT",
        "fees AND",
        "^2",
        "~",
        "[1 TO",
        "{x",
        "ñ" * 300,
    ],
)
def test_malformed_queries_still_answer(seeded_client, query):
    response = seeded_client.get("/en/search", query_string={"q": query})
    assert response.status_code == 200


def test_a_misspelling_gets_a_did_you_mean(seeded_client):
    html = seeded_client.get("/en/search?q=recrutment").get_data(as_text=True)
    assert result_total(html) == 0
    assert re.search(r"Did you mean <a [^>]*><strong>recruitment</strong></a>", html)


def test_no_results_under_filters_offers_the_search_without_them(seeded_client):
    html = seeded_client.get("/en/search?q=bahrain&region=americas").get_data(as_text=True)
    assert result_total(html) == 0
    assert re.search(r'<a href="/en/search\?q=bahrain">\d+ results? without the filters</a>', html)


def test_an_empty_query_shows_the_browse_view_with_the_filters(seeded_client):
    response = seeded_client.get("/en/search?q=&theme=legal-frameworks")
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/practices/?theme=legal-frameworks"


def test_search_pages_and_sorts(seeded_client):
    first = seeded_client.get("/en/search?q=workers").get_data(as_text=True)
    assert result_total(first) > 20
    second = seeded_client.get("/en/search?q=workers&page=2").get_data(as_text=True)
    assert set(result_ids(first)).isdisjoint(result_ids(second))
    newest = result_ids(
        seeded_client.get("/en/search?q=workers&sort=newest").get_data(as_text=True)
    )
    years = [db.session.get(Practice, pid).start_year or 0 for pid in newest]
    assert years == sorted(years, reverse=True)
    assert seeded_client.get("/en/search?q=workers&page=99").status_code == 404
    assert seeded_client.get("/en/search?q=workers&page=x").status_code == 400


# --- facets against the database ----------------------------------------------------------
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(themes=("legal-frameworks",)),
        Filters(regions=("americas",), pillars=(2, 4)),
        Filters(countries=("CA", "MX"), actors=("government",)),
        Filters(corridors=("MX-CA",), year_from=2000, year_to=2021),
        Filters(implementations=("completed",)),
    ],
)
def test_facet_counts_equal_the_database_counts_for_the_same_filters(seeded_app, filters):
    with seeded_app.test_request_context():
        result = search(get_index(), "*", "en", filters, size=50)
        expected = facet_counts(filters)
        for param, counts in expected.items():
            assert result.facets[param] == {k: v for k, v in counts.items() if v}, param
        total = db.session.scalar(
            select(func.count()).select_from(
                select(Practice.id)
                .where(
                    Practice.id.in_(
                        __import__("kb.services.practices", fromlist=["matching"]).matching(filters)
                    )
                )
                .subquery()
            )
        )
        assert result.total == total


def test_facet_counts_of_a_text_query_match_its_hits(seeded_app):
    with seeded_app.test_request_context():
        result = search(get_index(), "recruitment", "en", Filters(), size=100)
        hits = db.session.scalars(select(Practice).where(Practice.id.in_(result.ids))).all()
        assert len(hits) == result.total
        for theme, count in result.facets["theme"].items():
            assert count == sum(theme in {t.slug for t in p.themes} for p in hits), theme


# --- highlighting and what may be shown ---------------------------------------------------
def test_highlights_escape_html_from_content(app, client):
    make_practice(id=1, title="Costs", body="<script>alert('x')</script> recruitment <b>fees</b>")
    db.session.commit()
    html = client.get("/en/search?q=fees").get_data(as_text=True)
    snippet = re.search(r'<p class="hit__snippet">(.*?)</p>', html, re.S).group(1)
    assert "<script>" not in snippet and "&lt;/script&gt;" in snippet
    assert re.search(r'&lt;b&gt;<mark class="match term\d+">fees</mark>', snippet)


def test_an_edit_is_searchable_as_soon_as_it_is_committed(app, client):
    practice = make_practice(id=1, title="Seasonal work")
    db.session.commit()
    assert result_total(client.get("/en/search?q=zanzibar").get_data(as_text=True)) == 0
    # The test shares the request's session, which a search closes (it holds no connection
    # while it reads the index): read the practice again.
    practice = db.session.get(Practice, 1)
    practice.translations["en"].summary = "Now also about Zanzibar."
    db.session.commit()
    assert result_ids(client.get("/en/search?q=zanzibar").get_data(as_text=True)) == [1]


def test_unpublished_and_deleted_practices_never_appear(app, client):
    practice = make_practice(id=1, title="Ephemeral practice")
    make_practice(id=2, title="Ephemeral draft", status=Status.draft)
    db.session.commit()
    assert result_ids(client.get("/en/search?q=ephemeral").get_data(as_text=True)) == [1]
    practice = db.session.get(Practice, 1)  # the search closed the session the test shares
    practice.status = Status.archived
    db.session.commit()
    assert result_total(client.get("/en/search?q=ephemeral").get_data(as_text=True)) == 0
    practice = db.session.get(Practice, 1)
    practice.status = Status.published
    db.session.commit()
    db.session.delete(practice)
    db.session.commit()
    assert result_total(client.get("/en/search?q=ephemeral").get_data(as_text=True)) == 0


def test_a_hit_the_index_still_holds_is_dropped_if_no_longer_published(app, client, monkeypatch):
    practice = make_practice(id=1, title="Lagging practice")
    db.session.commit()
    monkeypatch.setattr(get_index(), "sync_now", lambda: 0)  # the index falls behind
    practice.status = Status.draft
    db.session.commit()
    html = client.get("/en/search?q=lagging").get_data(as_text=True)
    assert "Lagging practice" not in html and result_ids(html) == []


def test_renaming_an_organisation_reindexes_its_practices(app, client):
    from tests.factories import get_or_create

    practice = make_practice(id=1, title="Union centre")
    from kb.models import ActorType

    union = get_or_create(
        ActorType,
        slug="workers-organisation",
        defaults={"name_en": "Union", "name_es": "Sindicato"},
    )
    org = Organisation(key="u", name_en="Old Union", actor_type=union)
    practice.organisation_links = [PracticeOrganisation(organisation=org, role="implementer")]
    db.session.commit()
    org.name_en = "Brightwater Federation"
    db.session.commit()
    assert result_ids(client.get("/en/search?q=org:brightwater").get_data(as_text=True)) == [1]


# --- keeping the index in step ------------------------------------------------------------
def test_a_crash_between_commit_and_indexing_is_repaired_by_kb_index_sync(
    app, client, runner, monkeypatch
):
    index = get_index()

    def crash():
        raise RuntimeError("process died before the index was written")

    monkeypatch.setattr(index, "sync_now", crash)
    make_practice(id=7, title="Resilient change log")
    db.session.commit()  # the commit succeeds; the index write "crashes"
    assert index.pending(db.session) >= 1
    assert result_total(client.get("/en/search?q=resilient").get_data(as_text=True)) == 0
    monkeypatch.undo()

    result = runner.invoke(args=["index", "sync"])
    assert result.exit_code == 0, result.output
    assert "Index synced" in result.output
    assert index.pending(db.session) == 0
    assert result_ids(client.get("/en/search?q=resilient").get_data(as_text=True)) == [7]


def test_two_writers_at_once_both_land(app):
    make_practice(id=1, title="Alpha writer")
    make_practice(id=2, title="Beta writer")
    db.session.commit()
    index = get_index()
    index.rebuild(db.session)  # start from an index holding both
    for pid in (1, 2):
        db.session.get(Practice, pid).translations["en"].summary = f"Edited {pid} by quokka"
    errors = []
    barrier = threading.Barrier(2)

    def write(pid):
        try:
            with app.app_context():
                barrier.wait()
                with index.session_factory() as session:
                    index.apply(session, [pid])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    index.sync_now = lambda: 0  # commit without applying, so both threads do the writing
    db.session.commit()
    threads = [threading.Thread(target=write, args=(pid,)) for pid in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = search(index, "quokka", "en", Filters())
    assert sorted(result.ids) == [1, 2]


def test_kb_index_check_reports_drift_and_rebuild_repairs_it(app, runner):
    make_practice(id=1, title="Checked practice")
    make_practice(id=2, title="Another practice")
    db.session.commit()
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    index = get_index()
    writer = index.writer()
    writer.delete_by_term("id", "1")
    writer.add_document(id="99", title_en="Ghost", stamp="x")
    writer.commit()
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1
    assert "missing: 1" in result.output and "extra: 99" in result.output
    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0 and "2 published practice(s)" in rebuilt.output
    assert runner.invoke(args=["index", "check"]).exit_code == 0


def test_a_stale_entry_is_reported(app, runner, monkeypatch):
    practice = make_practice(id=1, title="Fresh title")
    db.session.commit()
    monkeypatch.setattr(get_index(), "sync_now", lambda: 0)
    practice.translations["en"].title = "Changed title"
    db.session.commit()
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1 and "stale: 1" in result.output


# --- the index's own evaluation against Whoosh's ------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "recruitment",
        "fees -canada",
        "workers AND mexico",
        "fees OR covid",
        '"seasonal agricultural"',
        "recruit*",
        "title:canada",
        "org:ILO",
        "NOT fees",
        '"trabajadores agrícolas"',
        "contratación",
    ],
)
def test_match_sets_equal_whooshs_own_matching(seeded_app, text):
    from kb.search.bitsets import match_mask, to_mask
    from kb.search.parsing import parse

    with seeded_app.test_request_context():
        index = get_index()
        searcher = index.searcher()
        _sets, live = index.facets.for_searcher(searcher)
        query, _ = parse(text, index.schema, "en")
        ours = match_mask(searcher, query, live)
        if "agrícolas" in text:
            # Whoosh's own phrase reads a word's variants as consecutive words and finds
            # nothing; ours treats them as one position and finds the practice that has it.
            assert ours and bin(ours).count("1") >= 1
        else:
            assert ours == to_mask(searcher.docs_for_query(query))


def test_a_phrase_matches_whatever_the_accents(app, client):
    make_practice(
        id=1,
        title="Agro",
        title_es="Agro",
        body_es="Programa de contratación equitativa para el campo.",
    )
    db.session.commit()
    for phrase in ('"contratacion equitativa"', '"contratación equitativa"'):
        html = client.get("/es/search", query_string={"q": phrase}).get_data(as_text=True)
        assert result_ids(html) == [1], phrase
    html = client.get("/es/search", query_string={"q": '"equitativa contratación"'}).get_data(True)
    assert result_ids(html) == []


def test_a_title_match_ranks_above_a_body_match(app, client):
    make_practice(id=1, title="General measures", body="Something about quarantine rules.")
    make_practice(id=2, title="Quarantine support", body="Help for workers in isolation.")
    db.session.commit()
    html = client.get("/en/search?q=quarantine").get_data(as_text=True)
    assert result_ids(html) == [2, 1]


def test_deleted_documents_never_count(app, client):
    first = make_practice(id=1, title="Walrus one")
    make_practice(id=2, title="Walrus two")
    db.session.commit()
    db.session.delete(first)
    db.session.commit()
    html = client.get("/en/search?q=walrus").get_data(as_text=True)
    assert result_total(html) == 1 and result_ids(html) == [2]


def test_counts_and_matches_hold_across_several_segments_with_deletions(app, client):
    index = get_index()
    index.merge = False  # every commit leaves its own segment
    for pid in range(1, 9):
        make_practice(
            id=pid,
            title=f"Segment practice {pid} walrus",
            themes=("legal-frameworks",) if pid % 2 else ("recruitment-fees",),
            countries=("MX",) if pid < 5 else ("CA",),
        )
        db.session.commit()
    for pid in (2, 5):
        db.session.delete(db.session.get(Practice, pid))
        db.session.commit()
    searcher = index.searcher()
    assert len(searcher.subsearchers) > 1  # really several segments
    with app.test_request_context():
        result = search(index, "walrus", "en", Filters(countries=("MX",)), size=50)
        assert sorted(result.ids) == [1, 3, 4]
        assert result.facets["country"] == {"MX": 3, "CA": 3}
        assert result.facets["theme"] == facet_counts(Filters(countries=("MX",)))["theme"]
        from kb.search.bitsets import match_mask, to_mask
        from kb.search.parsing import parse

        _sets, live = index.facets.for_searcher(searcher)
        for text in ("walrus", "segment -walrus", '"segment practice"', "walru*"):
            query, _ = parse(text, index.schema, "en")
            assert match_mask(searcher, query, live) == to_mask(searcher.docs_for_query(query))


def test_rebuild_starts_anew_when_the_index_has_another_schema(app, runner):
    from whoosh import fields
    from whoosh import index as whoosh_index

    make_practice(id=1, title="Schema practice")
    db.session.commit()
    index = get_index()
    index.close()
    whoosh_index.create_in(str(index.directory), fields.Schema(id=fields.ID(stored=True)))
    result = runner.invoke(args=["index", "check"])
    assert result.exit_code == 1 and "missing: 1" in result.output
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["index", "check"]).exit_code == 0
    assert search(index, "schema", "en", Filters()).ids == [1]


def test_an_index_of_a_version_whose_classes_are_gone_is_rebuilt(app, runner, client):
    """An index written by an older version (its analysis pickled a class that no longer
    exists) cannot even be opened: check says so, rebuild starts anew, pages stay up."""
    import sys
    import types

    from whoosh import fields
    from whoosh import index as whoosh_index
    from whoosh.analysis import Filter, RegexTokenizer

    make_practice(id=1, title="Upgraded practice")
    db.session.commit()
    index = get_index()
    index.close()
    gone = types.ModuleType("kb_gone_analysis")

    class GoneFilter(Filter):
        def __call__(self, tokens):
            yield from tokens

    GoneFilter.__module__, GoneFilter.__qualname__ = gone.__name__, "GoneFilter"
    gone.GoneFilter = GoneFilter
    sys.modules[gone.__name__] = gone
    try:
        for path in Path(index.directory).iterdir():
            path.unlink()
        schema = fields.Schema(t=fields.TEXT(analyzer=RegexTokenizer() | GoneFilter()))
        whoosh_index.create_in(str(index.directory), schema)
    finally:
        del sys.modules[gone.__name__]
    assert client.get("/en/practices/").status_code == 200  # the database answers meanwhile
    assert runner.invoke(args=["index", "check"]).exit_code == 1
    result = runner.invoke(args=["index", "rebuild"])
    assert result.exit_code == 0 and "1 published practice(s)" in result.output
    assert search(index, "upgraded", "en", Filters()).ids == [1]


def test_search_forms_keep_the_query_and_filters_without_javascript(seeded_client):
    html = seeded_client.get("/en/search?q=workers&theme=legal-frameworks").get_data(True)
    search_form = html[html.index('<form class="search-form"') :]
    search_form = search_form[: search_form.index("</form>")]
    assert search_form.count('name="q"') == 1  # the visible box only
    assert '<input type="hidden" name="theme" value="legal-frameworks">' in search_form
    sort_form = html[html.index('<form class="sort-form"') :]
    sort_form = sort_form[: sort_form.index("</form>")]
    assert 'action="/en/search"' in sort_form
    assert '<input type="hidden" name="q" value="workers">' in sort_form
    assert '<input type="hidden" name="theme" value="legal-frameworks">' in sort_form


@pytest.mark.parametrize(
    "text",
    [
        "recruitment",
        "migrant recruitment",
        '"migrant workers"',
        "fees -canada",
        "recruit*",
        "bilateral zzyzx",  # no practice holds both words: partial hits
        "title:recruitment OR centre",
    ],
)
def test_which_practices_a_search_counts_is_told_from_their_documents_alone(seeded_app, text):
    """A kept search page asks which changed practices its search counts (kb.web.pagecache):
    the answer looks at those practices' documents only, and must be what the whole search
    counts."""
    from kb.search.query import matching

    with seeded_app.app_context():
        index = get_index()
        result = search(index, text, "en", Filters(), size=100)
        assert len(result.matched) and result.matched.tolist() == sorted(result.matched)
        every = {p for (p,) in db.session.execute(select(Practice.id))}
        others = every - set(result.matched.tolist())  # none of them counted, whatever they hold
        for some in (every, set(sorted(every)[::3]), set(sorted(every)[1::4]) | {987654}, others):
            expected = some & set(result.matched.tolist())
            assert matching(index, text, "en", Filters(), some, result.partial) == expected
