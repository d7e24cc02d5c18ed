"""The judged query set: its metrics give known answers, the shipped set is well formed, and
the search on the seeded catalogue keeps success@3 above the floor."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
import yaml

from kb import CHECKOUT_DIR
from kb.services import relevance
from kb.services.relevance import JudgedQuery, Outcome
from tests.conftest import SEEDS

QUERIES = CHECKOUT_DIR / "bench" / "relevance" / "queries.yaml"
# success@3 of the shipped set on the seeds: 0.69 before issue 10 (111 judged queries), 0.97
# after it (codes, partial matches, thesaurus). The floor leaves room for new practices that
# compete fairly for the top three; raise it as search gets better.
FLOOR = 0.90


def judged(relevant, kind="topic", qid="q") -> JudgedQuery:
    return JudgedQuery(qid, "text", "en", kind, tuple(relevant))


# --- metrics ----------------------------------------------------------------------------------
def test_success_counts_a_relevant_practice_within_the_cutoff_only():
    assert relevance.success_at([5, 7, 9], [9], 3) == 1.0
    assert relevance.success_at([5, 7, 9], [9], 2) == 0.0
    assert relevance.success_at([9], [9, 4], 1) == 1.0
    assert relevance.success_at([], [9], 3) == 0.0


def test_reciprocal_rank_is_one_over_the_first_relevant_rank():
    assert relevance.reciprocal_rank([3, 1, 2], [2, 1]) == pytest.approx(1 / 2)
    assert relevance.reciprocal_rank([1], [1]) == 1.0
    assert relevance.reciprocal_rank([4, 5, 6], [1]) == 0.0
    assert relevance.reciprocal_rank(list(range(20, 31)) + [1], [1]) == 0.0  # rank 12 > 10


def test_ndcg_with_binary_gains_against_the_ideal_of_the_relevant_list():
    assert relevance.ndcg([1, 2], [1, 2]) == pytest.approx(1.0)
    assert relevance.ndcg([2, 1], [1, 2]) == pytest.approx(1.0)  # binary gains: order within
    # one relevant of two, at rank 2: (1/log2 3) / (1 + 1/log2 3)
    assert relevance.ndcg([9, 1], [1, 2]) == pytest.approx(0.6309 / 1.6309, abs=1e-4)
    # one relevant practice found at rank 3
    assert relevance.ndcg([7, 8, 1], [1]) == pytest.approx(0.5)
    assert relevance.ndcg([], [1]) == 0.0
    assert relevance.ndcg([1], []) == 0.0


def test_scores_average_over_the_queries_with_relevant_practices():
    outcomes = [
        Outcome(judged([1], "code", "a"), (1, 2, 3)),  # first
        Outcome(judged([3], "code", "b"), (1, 2, 3)),  # third
        Outcome(judged([9], "topic", "c"), ()),  # nothing found
        Outcome(judged([], "topic", "d"), ()),  # about no practice: not scored
    ]
    report = relevance.report(outcomes)
    s = report.overall
    assert s.queries == 3
    assert s.success_at_1 == pytest.approx(1 / 3)
    assert s.success_at_3 == pytest.approx(2 / 3)
    assert s.mrr == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert s.ndcg == pytest.approx((1 + 0.5 + 0) / 3)
    assert s.empty == 1 and s.zero_result_rate == pytest.approx(1 / 3)
    assert report.unjudged == 1
    assert list(report.by_kind) == ["code", "topic"]
    assert report.by_kind["code"].success_at_3 == 1.0
    assert report.by_kind["topic"].queries == 1
    assert [o.query.id for o in report.failures] == ["c"]


def test_the_table_ends_with_one_summary_line_and_lists_failures_on_request():
    outcomes = [Outcome(judged([1], "code", "hit"), (1,)), Outcome(judged([2], qid="miss"), ())]
    report = relevance.report(outcomes)
    lines = relevance.table(report)
    assert lines[0].split()[:3] == ["kind", "queries", "success@1"]
    assert any(line.startswith("all ") for line in lines)
    assert lines[-1].startswith("Judged 2 queries") and "success@3 0.50" in lines[-1]
    assert "zero-result rate 50.0%" in lines[-1]
    assert not any("miss" in line for line in lines)
    shown = relevance.table(report, show_failures=True)
    assert any("miss" in line and "got nothing; want 2" in line for line in shown)


def test_run_passes_each_query_in_its_language_and_keeps_the_rank_order():
    calls = []

    def search(text, lang):
        calls.append((text, lang))
        return [3, 2, 1]

    queries = [
        JudgedQuery("a", "H-2A", "en", "code", (1,)),
        JudgedQuery("b", "PTAT", "es", "code", (1,)),
    ]
    outcomes = relevance.run(queries, search)
    assert calls == [("H-2A", "en"), ("PTAT", "es")]
    assert outcomes[0].ranked == (3, 2, 1)


# --- the query file ---------------------------------------------------------------------------
def test_the_shipped_set_is_well_formed_and_as_the_issue_asks():
    queries = relevance.load(QUERIES)
    assert len(queries) >= 64
    assert sum(q.lang == "es" for q in queries) * 2 >= len(queries)
    assert set(Counter(q.kind for q in queries)) == set(relevance.KINDS)
    practice_ids = {yaml.safe_load(p.read_text())["id"] for p in (SEEDS / "practices").glob("*")}
    assert {pid for q in queries for pid in q.relevant} <= practice_ids
    assert sum(not q.relevant for q in queries) <= 5  # a few at most are about no practice
    by_text = {q.text: q for q in queries}
    assert by_text["H-2A"].relevant[0] == 19
    assert by_text["H-2A recruitment fees"].relevant[0] == 19
    assert by_text["tarjeta sanitaria binacional"].relevant == (10,)
    assert by_text["encuesta costos de reclutamiento"].relevant[0] == 22


def test_a_bad_query_file_reports_each_problem_at_its_line(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(
        "queries:\n"
        "  - {id: a, q: fine, lang: en, kind: code, relevant: [1]}\n"
        "  - id: a\n"
        "    q: twice\n"
        "    lang: fr\n"
        "    kind: guess\n"
        "    relevant: [1, 1]\n"
    )
    with pytest.raises(relevance.QuerySetInvalid) as caught:
        relevance.load(path)
    assert [str(p).split(": ", 1)[0] for p in caught.value.problems] == [
        f"{path}:3",
        f"{path}:5",
        f"{path}:6",
        f"{path}:7",
    ]
    assert "a is used twice" in str(caught.value)


# --- on the seeded catalogue ------------------------------------------------------------------
def test_the_judged_set_keeps_success_at_3_above_the_floor(seeded_app):
    with seeded_app.app_context():
        report = relevance.evaluate(QUERIES)
    assert report.overall.queries >= 60
    assert report.overall.success_at_3 >= FLOOR, "\n".join(relevance.table(report, True))
    # No query with practices about it answers an empty page.
    assert report.overall.empty == 0, "\n".join(relevance.table(report, True))


def test_kb_search_evaluate_prints_the_table_and_one_summary_line(seeded_app):
    result = seeded_app.test_cli_runner().invoke(args=["search", "evaluate", "--show-failures"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    for kind in relevance.KINDS:
        assert any(line.startswith(f"{kind} ") for line in lines), kind
    assert lines[-1].startswith("Judged ") and "success@3" in lines[-1]


def test_kb_search_evaluate_refuses_a_bad_query_file_in_one_line(seeded_app, tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("queries:\n  - {id: a, q: x, lang: de, kind: code, relevant: []}\n")
    result = seeded_app.test_cli_runner().invoke(args=["search", "evaluate", "--queries", path])
    assert result.exit_code != 0
    assert f"{path}:2: lang: one of en, es" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: Query file")


def test_the_relevance_bench_runs_on_a_fresh_instance(tmp_path):
    result = subprocess.run(
        [sys.executable, str(CHECKOUT_DIR / "bench" / "relevance.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("kind") and lines[-1].startswith("Judged ")
    assert list(tmp_path.iterdir()) == []
