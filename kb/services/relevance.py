"""The judged query set: reading it, running it through search, and scoring the ranking."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kb.errors import KbError, PageOutOfRange
from kb.services import yamlfile
from kb.services.search import search_practices
from kb.values.filters import Filters

KINDS = ("name", "code", "topic", "corridor", "misspelling", "no-accent", "question")
LANGUAGES = ("en", "es")
CUTOFF = 10  # MRR and nDCG look at the first ten hits: the first page a researcher reads
FAILS_BELOW = 3  # a query fails when no relevant practice is in its first three hits


class QuerySetInvalid(KbError):
    """The query file has problems, each a `file:line: field: message` line."""

    def __init__(self, problems: list[yamlfile.Problem]):
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class JudgedQuery:
    id: str
    text: str
    lang: str
    kind: str
    relevant: tuple[int, ...]  # best first; empty when no practice is about the query
    note: str = ""


# --- metrics (pure) ---------------------------------------------------------------------------
def success_at(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """1 when a relevant practice is among the first ``k`` hits, else 0."""
    wanted = set(relevant)
    return 1.0 if any(pid in wanted for pid in ranked[:k]) else 0.0


def reciprocal_rank(ranked: Sequence[int], relevant: Iterable[int], k: int = CUTOFF) -> float:
    """1 / the rank of the first relevant hit within the first ``k``, else 0."""
    wanted = set(relevant)
    for rank, pid in enumerate(ranked[:k], start=1):
        if pid in wanted:
            return 1.0 / rank
    return 0.0


def ndcg(ranked: Sequence[int], relevant: Sequence[int], k: int = CUTOFF) -> float:
    """Normalised discounted cumulative gain at ``k`` with binary gains: every relevant hit
    counts 1, discounted by log2(rank + 1); the ideal ranks the whole relevant list first."""
    wanted = set(relevant)
    if not wanted:
        return 0.0
    gained = sum(1 / math.log2(rank + 1) for rank, pid in enumerate(ranked[:k], 1) if pid in wanted)
    ideal = sum(1 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return gained / ideal


@dataclass(frozen=True)
class Outcome:
    """One query and the ids its first page returned, in rank order."""

    query: JudgedQuery
    ranked: tuple[int, ...]

    @property
    def judged(self) -> bool:
        return bool(self.query.relevant)

    @property
    def empty(self) -> bool:
        return not self.ranked

    @property
    def failed(self) -> bool:
        return self.judged and not success_at(self.ranked, self.query.relevant, FAILS_BELOW)


@dataclass(frozen=True)
class Scores:
    """Means over the judged queries (those with relevant practices) of one group."""

    queries: int
    success_at_1: float
    success_at_3: float
    mrr: float
    ndcg: float
    empty: int  # judged queries whose first page was empty

    @property
    def zero_result_rate(self) -> float:
        return self.empty / self.queries if self.queries else 0.0


def score(outcomes: Iterable[Outcome]) -> Scores:
    judged = [o for o in outcomes if o.judged]
    n = len(judged)

    def mean(values) -> float:
        return sum(values) / n if n else 0.0

    return Scores(
        queries=n,
        success_at_1=mean(success_at(o.ranked, o.query.relevant, 1) for o in judged),
        success_at_3=mean(success_at(o.ranked, o.query.relevant, 3) for o in judged),
        mrr=mean(reciprocal_rank(o.ranked, o.query.relevant) for o in judged),
        ndcg=mean(ndcg(o.ranked, o.query.relevant) for o in judged),
        empty=sum(1 for o in judged if o.empty),
    )


@dataclass(frozen=True)
class Report:
    overall: Scores
    by_kind: dict[str, Scores]
    unjudged: int  # queries no practice is about: run, but not scored
    failures: tuple[Outcome, ...]


def report(outcomes: Sequence[Outcome]) -> Report:
    kinds = [k for k in KINDS if any(o.query.kind == k for o in outcomes)]
    return Report(
        overall=score(outcomes),
        by_kind={k: score(o for o in outcomes if o.query.kind == k) for k in kinds},
        unjudged=sum(1 for o in outcomes if not o.judged),
        failures=tuple(o for o in outcomes if o.failed),
    )


def table(result: Report, show_failures: bool = False) -> list[str]:
    """The report as lines of text: a row per kind of query, the overall row, the failing
    queries when asked for, and a one-line summary last."""
    header = (
        f"{'kind':<12} {'queries':>7} {'success@1':>9} {'success@3':>9} {'MRR@10':>7} "
        f"{'nDCG@10':>7} {'empty':>5}"
    )
    lines = [header, "-" * len(header)]

    def row(label: str, s: Scores) -> str:
        return (
            f"{label:<12} {s.queries:>7} {s.success_at_1:>9.2f} {s.success_at_3:>9.2f} "
            f"{s.mrr:>7.2f} {s.ndcg:>7.2f} {s.empty:>5}"
        )

    lines += [row(kind, scores) for kind, scores in result.by_kind.items()]
    lines += ["-" * len(header), row("all", result.overall)]
    if show_failures and result.failures:
        lines += ["", f"Failing queries (no relevant practice in the first {FAILS_BELOW}):"]
        for outcome in result.failures:
            q = outcome.query
            got = ", ".join(map(str, outcome.ranked[:FAILS_BELOW])) or "nothing"
            want = ", ".join(map(str, q.relevant[:FAILS_BELOW]))
            lines.append(f"  {q.id} [{q.kind}, {q.lang}] {q.text!r}: got {got}; want {want}")
    s = result.overall
    lines += [
        "",
        f"Judged {s.queries} queries ({result.unjudged} about no practice, not scored): "
        f"success@1 {s.success_at_1:.2f}, success@3 {s.success_at_3:.2f}, MRR@10 {s.mrr:.2f}, "
        f"nDCG@10 {s.ndcg:.2f}; {len(result.failures)} failing; "
        f"zero-result rate {s.zero_result_rate:.1%} ({s.empty} empty).",
    ]
    return lines


# --- the query file ---------------------------------------------------------------------------
def load(path: Path) -> list[JudgedQuery]:
    """The queries of ``path``. Raises QuerySetInvalid with every problem found."""
    display = str(path)
    try:
        data = yamlfile.read(path, display)
    except yamlfile.YamlSyntaxError as exc:
        raise QuerySetInvalid([exc.problem]) from None
    items = data.get("queries") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise QuerySetInvalid([yamlfile.Problem(display, 1, "queries", "a list of queries")])
    queries, problems, seen = [], [], set()
    for item in items:
        line = getattr(item, "line", 1)
        if not isinstance(item, dict):
            problems.append(yamlfile.Problem(display, line, "queries", "not a mapping"))
            continue

        def bad(field: str, message: str, item=item, line=line) -> None:
            where = item.key_lines.get(field, line) if hasattr(item, "key_lines") else line
            problems.append(yamlfile.Problem(display, where, field, message))

        qid, text, relevant = item.get("id"), item.get("q"), item.get("relevant")
        if not isinstance(qid, str) or not qid:
            bad("id", "a name is required")
        elif qid in seen:
            bad("id", f"{qid} is used twice")
        seen.add(qid)
        if not isinstance(text, str) or not text.strip():
            bad("q", "the query text is required")
        if item.get("lang") not in LANGUAGES:
            bad("lang", f"one of {', '.join(LANGUAGES)}")
        if item.get("kind") not in KINDS:
            bad("kind", f"one of {', '.join(KINDS)}")
        ids_ok = isinstance(relevant, list) and all(
            isinstance(i, int) and not isinstance(i, bool) for i in relevant
        )
        if not ids_ok or len(set(relevant)) != len(relevant):
            bad("relevant", "a list of distinct practice ids ([] when none is about it)")
        if not isinstance(item.get("note", ""), str):
            bad("note", "text")
        if not problems:
            queries.append(
                JudgedQuery(
                    qid, text, item["lang"], item["kind"], tuple(relevant), item.get("note", "")
                )
            )
    if problems:
        raise QuerySetInvalid(problems)
    return queries


# --- running ----------------------------------------------------------------------------------
def first_page(text: str, lang: str) -> list[int]:
    """The ids of the first page of search results, in rank order, as the search page shows
    them (re-read from the database); empty when there is no hit."""
    try:
        _result, practices = search_practices(text, lang, Filters(), page=1, size=CUTOFF)
    except PageOutOfRange:
        return []
    return [p.id for p in practices]


def run(
    queries: Iterable[JudgedQuery], search: Callable[[str, str], list[int]] = first_page
) -> list[Outcome]:
    """Each query through ``search`` (text, lang -> ranked ids); nothing is written."""
    return [Outcome(q, tuple(search(q.text, q.lang))) for q in queries]


def evaluate(path: Path, search: Callable[[str, str], list[int]] = first_page) -> Report:
    """Load the query file, run it and score it. Raises QuerySetInvalid."""
    return report(run(load(path), search))
