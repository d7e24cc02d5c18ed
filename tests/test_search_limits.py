"""Bounded work per search: slop, wildcards, expansions and words are capped, with a notice."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from whoosh import query as wq

from kb.extensions import db
from kb.search import get_index
from kb.search import query as search_query
from kb.search.parsing import Limits, bound, parse
from kb.values.filters import Filters

HOSTILE = [
    '"migrant workers"~10000000',
    "*a* OR *e* OR *i* OR *o* OR *u*",
    "*ion*",
    "a* b* c* d* e* f* g* h*",
    " ".join(f"word{n}" for n in range(300)),
    "title:[a TO z]",
    "start_year:[0 TO 99999999]",
    "(" * 150 + "migrant" + ")" * 150,
    '"' + " ".join(["migrant workers"] * 40) + '"~50',
]


def leaves(query):
    """Every query node, depth first."""
    yield query
    for child in query.children():
        yield from leaves(child)


DEFAULT_LIMITS = Limits()


def bounded(seeded_app, text: str, limits: Limits = DEFAULT_LIMITS):
    with seeded_app.app_context():
        index = get_index()
        notices: set[str] = set()
        query, _reading = parse(text, index.schema, "en")
        return bound(query, index.searcher().reader(), limits, notices), notices


def test_a_phrase_slop_is_capped(seeded_app):
    query, notices = bounded(seeded_app, '"migrant workers"~10000000', Limits(max_slop=10))
    slops = [q.slop for q in leaves(query) if isinstance(q, wq.Phrase)]
    assert slops and max(slops) == 10
    assert notices == {"slop"}


def test_a_setting_lifts_the_slop_cap(seeded_app):
    query, notices = bounded(seeded_app, '"migrant workers"~5000', Limits(max_slop=10**6))
    assert {q.slop for q in leaves(query) if isinstance(q, wq.Phrase)} == {5000}
    assert notices == set()


def test_wildcards_become_a_bounded_list_of_terms(seeded_app):
    query, notices = bounded(seeded_app, "a*", Limits(max_expansion=5))
    assert not any(isinstance(q, wq.MultiTerm) for q in leaves(query))
    for node in leaves(query):
        if isinstance(node, wq.Or):
            assert len(node.subqueries) <= 5
    assert "expansion" in notices


def test_a_leading_wildcard_is_read_from_its_first_letters(seeded_app):
    query, notices = bounded(seeded_app, "*recruit*")
    assert not any(isinstance(q, wq.Wildcard) for q in leaves(query))
    terms = {q.text for q in leaves(query) if isinstance(q, wq.Term)}
    assert terms and all(t.startswith("recruit") for t in terms)
    assert "wildcard" in notices


def test_patterns_past_the_limit_are_dropped(seeded_app):
    query, notices = bounded(seeded_app, "mi* wo* re* fe* ag* co*", Limits(max_patterns=4))
    prefixes = {q.text[:2] for q in leaves(query) if isinstance(q, wq.Term)}
    assert len(prefixes) <= 4
    assert "patterns" in notices


def test_only_the_first_words_are_read(seeded_app):
    with seeded_app.app_context():
        result = search_query.search(
            get_index(),
            " ".join(f"word{n}" for n in range(100)),
            "en",
            Filters(),
            limits=Limits(max_words=10),
        )
    assert result.limited == ("words",)
    assert len(result.reading.split()) == 10


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("lang", ["en", "es"])
def test_hostile_searches_answer_with_a_notice_never_an_error(seeded_client, text, lang):
    response = seeded_client.get(f"/{lang}/search?q={quote(text)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if text.startswith('"migrant workers"~'):
        expected = {"en": "at most 10 words apart", "es": "distancia máxima de 10 palabras"}
        assert expected[lang] in html


def test_no_search_holds_a_database_connection_while_it_reads_the_index(
    seeded_client, seeded_app, monkeypatch
):
    checked_out = []
    search = search_query.search

    def watching(*args, **kwargs):
        checked_out.append(db.engine.pool.checkedout())
        return search(*args, **kwargs)

    monkeypatch.setattr(search_query, "search", watching)
    response = seeded_client.get("/en/search?q=recruitment&theme=legal-frameworks")
    assert response.status_code == 200
    assert "recruitment" in response.get_data(as_text=True)
    assert checked_out == [0]
