"""Search benchmark: Whoosh search (service and whole page) against SQLite FTS5 on the same texts.

Generates N synthetic practices (bench/corpus.py: English and Spanish texts drawn from
wordfreq's 30,000 most frequent words of each language with their frequencies, plus domain
terms and phrases), loads them through the app's models, rebuilds the index, builds the FTS5
reference (bench/fts_reference.py: columns stemmed with Snowball in both languages), then
times about 200 queries drawn from the corpus (one-word, two-word, "phrase", title:word, word
with a country filter; words from rare, middling and frequent bands of document frequency):

- service: kb.search.query.search (query, total, facet counts, highlights for one page of 10)
- page:    GET /<lang>/search through the test client (request to rendered HTML, database
           re-read included)
- fts5:    the FTS5 reference doing the same work in SQL (top 10 by bm25, total, the same
           facet counts, snippets for the 10 hits)

and the browse page (/en/practices/, /es/practices/?country=XX) against the same counts and
first page in SQL. Prints p50/p95 per query type and band with the ratios to FTS5 measured in
the same run ("!" marks a ratio that misses its target), the page's own cost (page minus
service), the index build rate, the index size on disk against FTS5's, the time from an edit's
commit to its visibility in search, the core count, and the memory of a separate serving
process that has run the whole query mix.

    python bench/search_bench.py                 # 10,000 practices
    python bench/search_bench.py --large         # 50,000 practices
    python bench/search_bench.py --practices 500 --rounds 1
    python bench/search_bench.py --hostile       # also: the costly queries of bench/load.py,
                                                 # under the app's limits, with their slowest time
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402 - bench/ itself: its wordfreq is imported only when generating
import fts_reference  # noqa: E402
from sqlalchemy import select  # noqa: E402

import kb  # noqa: E402
from kb import create_app, resource_dir  # noqa: E402
from kb.extensions import db  # noqa: E402
from kb.models import Practice, Status  # noqa: E402
from kb.search import get_index  # noqa: E402
from kb.search.query import search  # noqa: E402
from kb.search.schema import FACET_FIELDS  # noqa: E402
from kb.services import seeds  # noqa: E402
from kb.services.search import configured_limits  # noqa: E402
from kb.services.search import thesaurus as load_thesaurus  # noqa: E402
from kb.values.filters import Filters  # noqa: E402

PAGE = 10
TARGETS = {"service": 2.0, "page": 3.0, "browse": 2.0}  # at most N times FTS5, p50 and p95
PAGE_OWN_MS = 10  # page minus service, p50
BUILD_S_PER_10K, SIZE_RATIO, EDIT_MS, MEMORY_MB = 60, 2.0, 1000, 300


def bench_app(work: Path):
    os.environ["KB_INSTANCE"] = str(work / "instance")  # nothing of a real instance is touched
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'kb.sqlite'}",
            "INDEX_DIR": str(work / "index"),
            "SECRET_KEY": "bench",
            "SEARCH_SYNC_ON_START": False,
            "SEARCH_PAGE_SIZE": PAGE,
        }
    )


def progress(message: str) -> None:
    print(f"\r  {message}", end="", file=sys.stderr, flush=True)


def index_documents():
    """The index document of every published practice, as the index builds it."""
    from kb.search import documents
    from kb.search.index import load_for_index

    ids = db.session.scalars(select(Practice.id).where(Practice.status == Status.published)).all()
    for first in range(0, len(ids), 500):
        for practice in load_for_index(db.session, ids[first : first + 500]).values():
            yield documents.build(practice)
        db.session.expunge_all()


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


# --- timing -------------------------------------------------------------------------------
def timed(fn, rounds: int) -> tuple[list[float], object]:
    """``rounds`` timings in ms after one warm-up call, and what the warm-up call returned."""
    result = fn()  # warm: the first call builds caches that every later query shares
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def page_url(lang: str, text: str | None, country: str | None) -> str:
    args = {"q": text} if text else {}
    if country:
        args["country"] = country
    path = f"/{lang}/search" if text else f"/{lang}/practices/"
    return f"{path}?{urlencode(args)}" if args else path


def fetch(client, url: str) -> bytes:
    """The page at ``url``, which must be served (a failing page would time its error page)."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url}: HTTP {response.status_code}")
    return response.data


def edit_visibility(app, client, rounds: int) -> list[float]:
    """Milliseconds from an edit's commit to the edit being found by the search page."""
    samples = []
    ids = db.session.scalars(select(Practice.id).limit(rounds)).all()
    for n, pid in enumerate(ids):
        token = f"zqxedit{n}"
        db.session.get(Practice, pid).translations["en"].summary += f" {token}"
        started = time.perf_counter()
        db.session.commit()  # the change-log row is applied after this commit
        while f"/practices/{pid}-" not in client.get(f"/en/search?q={token}").get_data(True):
            if time.perf_counter() - started > 10:
                break
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def hostile_times(index, client, rounds: int) -> list[tuple[str, list[float], list[float]]]:
    """Each hostile query of the load generator, through the service with the app's limits
    and as a whole page: (query, service times, page times) in ms."""
    sys.path.insert(0, str(ROOT / "bench"))
    from load import HOSTILE

    limits = configured_limits()
    times = []
    for text in HOSTILE:
        service, _ = timed(
            lambda t=text: search(index, t, "en", Filters(), size=PAGE, limits=limits), rounds
        )
        page, _ = timed(lambda t=text: client.get("/en/search", query_string={"q": t}).data, rounds)
        times.append((text, service, page))
    progress("timed hostile queries")
    return times


def time_query(q, index, client, conn, words, rounds: int):
    """Service, page and FTS5 times of one query, and its (Whoosh, FTS5) totals."""
    filters = Filters(countries=(q.country,)) if q.country else Filters()
    service, found = timed(
        lambda: search(index, q.text, q.lang, filters, size=PAGE, thesaurus=words), rounds
    )
    url = page_url(q.lang, q.text, q.country)
    page, _ = timed(lambda: fetch(client, url), rounds)
    fts, (total, _rows) = timed(
        lambda: fts_reference.search(conn, q.text, q.lang, q.country), rounds
    )
    return service, page, fts, (found.total, total)


def time_browse(url: str, lang: str, country: str | None, client, conn, rounds: int):
    """Times of the browse page at ``url`` and of the same work in SQL."""
    page, _ = timed(lambda: fetch(client, url), rounds)
    sql, _ = timed(lambda: fts_reference.browse(conn, lang, country), rounds)
    return page, sql


# --- the serving process's memory ------------------------------------------------------------
def serve(work: Path) -> None:
    """Run in a process of its own: the app on the bench's database and index fetches every
    page of the query mix and the browse pages, then prints its VmRSS and VmHWM."""
    client = bench_app(work).test_client()
    for url in json.loads((work / "urls.json").read_text()):
        client.get(url)
    status = Path("/proc/self/status").read_text().splitlines()
    print("\n".join(line for line in status if line.startswith(("VmRSS", "VmHWM"))))


def serving_memory(work: Path, urls: list[str]) -> dict[str, float]:
    """MB of {"VmRSS", "VmHWM"} of a fresh process serving ``urls``."""
    (work / "urls.json").write_text(json.dumps(urls))
    done = subprocess.run(
        [sys.executable, __file__, "--serve", str(work)], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"the serving process failed:\n{done.stderr[-2000:]}")
    fields = (line.split(":") for line in done.stdout.splitlines() if line.startswith("Vm"))
    return {name: int(value.split()[0]) / 1024 for name, value in fields}


# --- the run ----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--large", action="store_true", help="50,000 practices")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--hostile", action="store_true", help="time the hostile queries of bench/load.py too"
    )
    parser.add_argument("--serve", metavar="WORK", help=argparse.SUPPRESS)  # serving_memory()
    args = parser.parse_args()
    if args.serve:
        return serve(Path(args.serve))
    print(f"kb from {Path(kb.__file__).parent}", file=sys.stderr)
    count = 50_000 if args.large else args.practices
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    app = bench_app(work)
    run = {"count": count, "rounds": args.rounds}
    with app.app_context():
        db.create_all()
        seeds.seed(resource_dir("seeds"))
        index = get_index()
        applied_after_commit = index.sync_now
        index.sync_now = lambda: 0  # bulk load: the rebuild below indexes everything at once
        print(f"Generating {count:,} synthetic practices in {work}", file=sys.stderr)
        generated, run["gen_s"] = corpus.generate(count, 1000, rng, progress)
        print(file=sys.stderr)
        started = time.perf_counter()
        run["indexed"] = index.rebuild(db.session)
        run["build_s"] = time.perf_counter() - started
        index.sync_now = applied_after_commit
        conn, run["fts_s"] = fts_reference.build(
            work / "fts.sqlite", index_documents(), FACET_FIELDS, progress
        )
        print(file=sys.stderr)
        run["sizes"] = folder_size(work / "index"), (work / "fts.sqlite").stat().st_size
        run["bands"] = {lang: corpus.band_ranges(generated, lang) for lang in corpus.LANGS}
        queries = corpus.make_queries(generated, rng)
        country = Counter(c for s in generated.samples for c in s.countries).most_common(1)[0][0]
        browses = [("browse", "en", None), ("browse+filter", "es", country)]

        client = app.test_client()
        words = load_thesaurus()  # the seeds' thesaurus, as the search page applies it
        timings, agree = [], 0
        for n, q in enumerate(queries, 1):
            service, page, fts, totals = time_query(q, index, client, conn, words, args.rounds)
            agree += abs(totals[0] - totals[1]) <= 0.1 * max(totals)
            timings.append((q, service, page, fts))
            progress(f"timed {n}/{len(queries)} queries")
        browsed = []
        for name, lang, code in browses:
            url = page_url(lang, None, code)
            page, sql = time_browse(url, lang, code, client, conn, 10 * args.rounds)
            browsed.append((name, page, sql, url))
        run["agree"] = agree
        run["edits"] = edit_visibility(app, client, 10)
        hostile = hostile_times(index, client, args.rounds) if args.hostile else []
        print(file=sys.stderr)
    conn.close()
    urls = [page_url(q.lang, q.text, q.country) for q in queries] + [b[3] for b in browsed]
    run["memory"] = serving_memory(work, urls)
    report(run, timings, browsed, hostile)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"Done: benchmarked {len(queries)} queries x {args.rounds} runs on "
        f"{run['indexed']:,} practices."
    )


# --- the report -------------------------------------------------------------------------------
def ratio(a: float, b: float, target: float) -> str:
    value = a / b if b else float("inf")
    return f"{value:.1f}x{'!' if value > target else ' '}".rjust(8)


def row(name: str, n: int, service, page, fts, own) -> str:
    """One line of the table; ``service`` and ``own`` may be None (the browse rows)."""
    p50, p95, f50, f95 = pct(page, 0.5), pct(page, 0.95), pct(fts, 0.5), pct(fts, 0.95)
    if service is None:
        svc = f"{'-':>8} {'-':>7} | {'-':>8} {'-':>8}"
        page_target = TARGETS["browse"]
    else:
        s50, s95 = pct(service, 0.5), pct(service, 0.95)
        target = TARGETS["service"]
        svc = f"{s50:>8.1f} {s95:>7.1f} | {ratio(s50, f50, target)} {ratio(s95, f95, target)}"
        page_target = TARGETS["page"]
    mark = "-" if own is None else f"{own:.1f}{'!' if own >= PAGE_OWN_MS else ' '}"
    return (
        f"{name:<13} {n:>4} | {svc} | {p50:>8.1f} {p95:>7.1f} | "
        f"{ratio(p50, f50, page_target)} {ratio(p95, f95, page_target)} | "
        f"{f50:>7.2f} {f95:>7.2f} | {mark:>8}"
    )


def group_row(name: str, timings) -> str:
    service = [t for _q, s, _p, _f in timings for t in s]
    page = [t for _q, _s, p, _f in timings for t in p]
    fts = [t for _q, _s, _p, f in timings for t in f]
    own = [pct(p, 0.5) - pct(s, 0.5) for _q, s, p, _f in timings]  # per query, then median
    return row(name, len(timings), service, page, fts, pct(own, 0.5))


def report(run: dict, timings, browsed, hostile) -> None:
    count, indexed = run["count"], run["indexed"]
    print(
        f"\nSearch benchmark: {indexed:,} practices indexed ({count:,} synthetic + seeds), "
        f"{len(timings)} queries x {run['rounds']} runs, {os.cpu_count()} cores"
    )
    for lang, spans in run["bands"].items():
        shown = ", ".join(f"{b} {lo:,}-{hi:,}" for b, (lo, hi) in spans.items())
        print(f"query word bands ({lang}, practices holding the word): {shown}")
    per_10k = run["build_s"] * 10_000 / indexed
    print(
        f"generation + database load: {run['gen_s']:.1f} s; Whoosh index build: "
        f"{run['build_s']:.1f} s ({indexed / run['build_s']:.0f} docs/s, {per_10k:.0f} s per "
        f"10,000{'!' if per_10k >= BUILD_S_PER_10K else ''}; target < {BUILD_S_PER_10K} s); "
        f"FTS5 build: {run['fts_s']:.1f} s ({indexed / run['fts_s']:.0f} docs/s)"
    )
    whoosh, fts = run["sizes"]
    print(
        f"index on disk: Whoosh {whoosh / 2**20:.1f} MB, FTS5 {fts / 2**20:.1f} MB, "
        f"{ratio(whoosh, fts, SIZE_RATIO).strip()} (target <= {SIZE_RATIO:.0f}x)"
    )
    header = (
        f"{'query type':<13} {'n':>4} | {'svc p50':>8} {'p95':>7} | {'svc/FTS5':>8} {'p95':>8} "
        f"| {'page p50':>8} {'p95':>7} | {'page/FTS5':>8} {'p95':>8} | {'FTS5 p50':>7} "
        f"{'p95':>7} | {'page-svc':>8}"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    for kind in ("one-word", "two-word", "phrase", "fielded", "filtered"):
        print(group_row(kind, [t for t in timings if t[0].kind == kind]))
    print("-" * len(header))
    print(group_row("all", timings))
    for band in ("rare", "middling", "frequent"):
        print(group_row(f"  {band}", [t for t in timings if t[0].band == band]))
    print("-" * len(header))
    for name, page, sql, _url in browsed:
        print(row(name, 1, None, page, sql, None))
    print("(ms; page-svc: median over the queries of page p50 minus service p50)")
    edits = run["edits"]
    slow = "!" if max(edits) >= EDIT_MS else ""
    print(
        f"\nedit -> searchable: p50 {pct(edits, 0.5):.0f} ms, max {max(edits):.0f} ms{slow} "
        f"({len(edits)} edits, target < {EDIT_MS} ms)"
    )
    memory = run["memory"]
    high = "!" if memory["VmHWM"] >= MEMORY_MB else ""
    print(
        f"serving process memory after the query mix and browse pages: VmRSS "
        f"{memory['VmRSS']:.0f} MB, VmHWM {memory['VmHWM']:.0f} MB{high} "
        f"(target < {MEMORY_MB} MB at 50,000 practices)"
    )
    print(f"totals: Whoosh and FTS5 agree within 10% on {run['agree']} of {len(timings)} queries")
    print(
        f"targets: service within {TARGETS['service']:.0f}x of FTS5 at p50 and p95; page within "
        f"{TARGETS['page']:.0f}x and page-svc < {PAGE_OWN_MS} ms at p50; browse page within "
        f"{TARGETS['browse']:.0f}x of SQL; '!' marks a miss"
    )
    if hostile:
        print(f"\n{'hostile query (under the limits)':<60} | {'service max':>11} | {'page max':>8}")
        for text, service_s, page_s in hostile:
            shown = text if len(text) <= 58 else text[:55] + "..."
            print(f"{shown:<60} | {max(service_s):>8.1f} ms | {max(page_s):>8.1f}")
        slowest = max(max(page_s) for _t, _s, page_s in hostile)
        print(f"slowest hostile page: {slowest:.0f} ms (target < 1000 ms)")


if __name__ == "__main__":
    main()
