"""How the index is written for speed: a rebuild in worker processes and rare terms kept with
their entry must give the same answers as before."""

from __future__ import annotations

import os

import pytest

from kb.extensions import db
from kb.models import Practice
from kb.search import get_index
from kb.search import index as index_module
from kb.search.bitsets import match_mask, to_mask
from kb.search.query import search
from kb.values.filters import Filters
from tests.factories import make_practice

QUERIES = [
    "recruitment",
    '"recruitment fees"',
    "contratación",
    "title:canada",
    "h2a",
    "fees -canada",
]


def answers(index):
    out = {}
    for text in QUERIES:
        for lang in ("en", "es"):
            result = search(index, text, lang, Filters(), size=100, snippets=False)
            out[text, lang] = (result.ids, result.total, result.facets)
    return out


def test_a_rebuild_in_worker_processes_gives_the_same_answers(seeded_app, monkeypatch):
    with seeded_app.test_request_context():
        index = get_index()
        monkeypatch.setattr(index_module, "PARALLEL_FROM", 10**9)
        index.rebuild(db.session)  # one process, from the database as it is now
        before = answers(index)
        monkeypatch.setattr(index_module, "PARALLEL_FROM", 1)
        monkeypatch.setattr(index_module, "PARALLEL_BATCH", 10)
        try:
            assert index.rebuild(db.session) >= 79
            searcher = index.searcher()
            if (os.cpu_count() or 1) > 1:
                assert len(searcher.subsearchers) >= 2  # one segment per worker
            assert answers(index) == before
            assert not index.check(db.session).drift
        finally:
            monkeypatch.setattr(index_module, "PARALLEL_FROM", 10**9)
            index.rebuild(db.session)


def test_rare_terms_are_stored_with_their_entry_and_still_match(seeded_app):
    with seeded_app.test_request_context():
        index = get_index()
        searcher = index.searcher()
        reader = searcher.reader()
        inlined = []
        for fieldname, text in reader.all_terms():
            if fieldname in ("text_en", "text_es") and reader.doc_frequency(fieldname, text) == 1:
                info = reader.term_info(fieldname, text)
                if getattr(info, "is_inlined", lambda: False)():
                    inlined.append((fieldname, text.decode()))
            if len(inlined) >= 20:
                break
        assert len(inlined) >= 20
        _sets, live = index.facets.for_searcher(searcher)
        from whoosh.query import Term

        for fieldname, text in inlined:
            query = Term(fieldname, text)
            mask = match_mask(searcher, query, live)
            assert mask.bit_count() == 1
            assert mask == to_mask(searcher.docs_for_query(query))


def test_segments_holding_short_posting_lists_merge_and_edits_keep_applying(app):
    """Merging reads the postings kept with their terms back (facet values have no stored
    value: they must come back as bytes); an edit after many merges is still applied."""
    index = get_index()
    for pid in range(1, 25):
        make_practice(id=pid, title=f"Merged practice {pid}", countries=("MX",) if pid % 2 else ())
        db.session.commit()
    assert index.pending(db.session) == 0
    assert len(index.searcher().subsearchers or [None]) < 24  # merges happened
    practice = db.session.get(Practice, 7)
    practice.translations["en"].title = "Merged practice seven walrus"
    db.session.commit()
    assert index.pending(db.session) == 0
    assert search(index, "walrus", "en", Filters()).ids == [7]
    assert not index.check(db.session).drift


@pytest.mark.parametrize("text", ["recruitment", "migrant workers", "fees OR agreement", "mexico"])
def test_the_ranking_is_whooshs_own_scoring(seeded_app, text):
    """The numpy ranking computes Whoosh's BM25F: the hits come in the order of Whoosh's own
    scores (equal scores by practice id)."""
    from kb.search.parsing import parse
    from kb.search.ranking import rank

    with seeded_app.test_request_context():
        index = get_index()
        searcher = index.searcher()
        _sets, live = index.facets.for_searcher(searcher)
        query, _ = parse(text, index.schema, "en")
        mask = match_mask(searcher, query, live)
        pids = index.orders.pids(searcher)
        ours = rank(searcher, query, mask, 15, index.ranking, ties=pids)
        theirs = searcher.search(query, limit=None)
        expected = sorted(theirs.items(), key=lambda hit: (-round(hit[1], 3), pids[hit[0]]))
        assert len(theirs) == mask.bit_count() > 15
        assert [int(pids[d]) for d in ours] == [int(pids[d]) for d, _score in expected[:15]]


def test_postings_kept_per_segment_follow_edits_and_are_not_decoded_again(app, monkeypatch):
    """A commit adds a segment: the old segments' decoded postings stay in use, and a practice
    rewritten into the new segment is no longer found by its old words."""
    from kb.search import postings

    index = get_index()
    index.merge = False  # one segment per commit
    make_practice(id=1, title="Walrus hotline")
    make_practice(id=2, title="Walrus registry")
    db.session.commit()
    assert sorted(search(index, "walrus", "en", Filters()).ids) == [1, 2]

    decoded = []
    leaf = postings.leaf_postings
    monkeypatch.setattr(postings, "leaf_postings", lambda m: decoded.append(1) or leaf(m))
    text = db.session.get(Practice, 2).translations["en"]
    text.title, text.summary = "Narwhal registry", "A registry of narwhals."
    db.session.commit()
    assert len(index.searcher().subsearchers) >= 2
    # The old segment's postings of "walrus" (with practice 2's old entry, now deleted) are
    # used as they were decoded; the new segment has no "walrus".
    assert search(index, "walrus", "en", Filters()).ids == [1]
    assert decoded == []
    assert search(index, "narwhal", "en", Filters()).ids == [2]


def test_a_searcher_still_reads_its_segments_after_another_process_merged_them_away(
    app, monkeypatch
):
    """Whoosh opens a segment's columns on first use; a commit elsewhere that merges segments
    stops using their files. They stay a while (kb.search.cleaning): a searcher opened before
    still sorts and finds. A later commit deletes them."""
    from whoosh import index as whoosh_index

    from kb.search import cleaning
    from kb.search.orders import Orders

    index = get_index()
    index.merge = False  # one segment per commit
    for pid in (1, 2, 3):
        make_practice(id=pid, title=f"Walrus hotline {pid}")
        db.session.commit()
    searcher = index.searcher()
    old_files = set(os.listdir(index.directory))
    assert len(searcher.subsearchers) == 3

    whoosh_index.open_dir(str(index.directory)).writer().commit(optimize=True)  # elsewhere
    assert old_files <= set(os.listdir(index.directory))
    assert sorted(Orders().pids(searcher).tolist()) == [1, 2, 3]
    assert sorted(search(index, "walrus", "en", Filters()).ids) == [1, 2, 3]

    monkeypatch.setattr(cleaning, "KEEP_SECONDS", 0)
    make_practice(id=4, title="Walrus hotline 4")
    db.session.commit()
    left = set(os.listdir(index.directory))
    assert any(name.endswith(".col") for name in old_files - left)
    assert sorted(search(index, "walrus", "en", Filters()).ids) == [1, 2, 3, 4]


def test_an_index_of_another_schema_written_meanwhile_is_noticed(app):
    """schema_is_current remembers a yes per generation: a new generation is read again."""
    from whoosh import fields
    from whoosh import index as whoosh_index

    index = get_index()
    make_practice(id=1, title="Walrus hotline")
    db.session.commit()
    assert index.schema_is_current()
    assert index.schema_is_current()  # remembered
    whoosh_index.create_in(str(index.directory), fields.Schema(other=fields.TEXT))
    assert not index.schema_is_current()
