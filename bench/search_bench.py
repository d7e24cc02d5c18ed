"""Search benchmark: Whoosh search (service and whole page) against SQLite FTS5 on the same texts.

Generates N synthetic practices with English and Spanish vocabulary drawn from the seed texts,
loads them through the app's models and the index service, then times a fixed mix of queries:

- service: kb.search.query.search (query, total, facet counts, highlights for one page of 10)
- page:    GET /<lang>/search through the test client (request to rendered HTML, database
           re-read included)
- fts5:    SQLite FTS5 over the same texts doing the same work (top 10 by bm25, total, the same
           facet counts, snippets for the 10 hits)

and prints p50/p95 per query type with the ratios to FTS5 measured in the same run, the index
build rate, and the time from an edit's commit to its visibility in search.

    python bench/search_bench.py                 # 10,000 practices
    python bench/search_bench.py --large         # 50,000 practices
    python bench/search_bench.py --practices 500 --rounds 3
    python bench/search_bench.py --hostile       # also: the costly queries of bench/load.py,
                                                 # under the app's limits, with their slowest time
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from kb import create_app, resource_dir  # noqa: E402
from kb.extensions import db  # noqa: E402
from kb.models import (  # noqa: E402
    Corridor,
    Country,
    Implementation,
    Organisation,
    Pillar,
    Practice,
    PracticeOrganisation,
    PracticeTranslation,
    Scope,
    Status,
    Theme,
)
from kb.search import get_index  # noqa: E402
from kb.search.query import search  # noqa: E402
from kb.search.schema import FACET_FIELDS  # noqa: E402
from kb.services import seeds  # noqa: E402
from kb.services.search import configured_limits  # noqa: E402
from kb.services.search import thesaurus as load_thesaurus  # noqa: E402
from kb.values.filters import Filters  # noqa: E402

WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
PAGE = 10

# The query mix: (type, language of the page, query text, filters).
QUERIES = [
    ("one-word", "en", "recruitment", Filters()),
    ("one-word", "es", "contratación", Filters()),
    ("one-word", "en", "fees", Filters()),
    ("one-word", "es", "migrantes", Filters()),
    ("two-word", "en", "recruitment fees", Filters()),
    ("two-word", "es", "trabajadores agrícolas", Filters()),
    ("two-word", "en", "employment agreement", Filters()),
    ("two-word", "es", "servicio empleo", Filters()),
    ("phrase", "en", '"public employment"', Filters()),
    ("phrase", "es", '"personas trabajadoras"', Filters()),
    ("phrase", "en", '"recruitment fees"', Filters()),
    ("fielded", "en", "title:agricultural", Filters()),
    ("fielded", "es", "title:trabajadores", Filters()),
    ("fielded", "en", "org:ILO", Filters()),
    ("filtered", "en", "workers", Filters(themes=("legal-frameworks",))),
    ("filtered", "es", "empleo", Filters(countries=("MX",))),
    ("filtered", "en", "recruitment", Filters(regions=("americas",), pillars=(2,))),
]
TYPES = ["one-word", "two-word", "phrase", "fielded", "filtered"]


# --- synthetic data -----------------------------------------------------------------------
class Vocabulary:
    """Words of the seed texts in each language, drawn with their own (Zipf-like) frequencies."""

    def __init__(self, practices: list[Practice], rng: random.Random):
        self.rng = rng
        self.words = {}
        for lang in ("en", "es"):
            counts = Counter()
            for p in practices:
                t = p.translations.get(lang)
                if t:
                    counts.update(
                        w.lower() for w in WORD.findall(f"{t.title} {t.summary} {t.body}")
                    )
            ranked = [w for w, _ in counts.most_common()]
            self.words[lang] = (ranked, [1.0 / (rank + 1) for rank in range(len(ranked))])

    def text(self, lang: str, n: int) -> str:
        words, weights = self.words[lang]
        return " ".join(self.rng.choices(words, weights, k=n))

    def sentences(self, lang: str, n: int) -> str:
        out, left = [], n
        while left > 0:
            k = min(left, self.rng.randint(8, 22))
            sentence = self.text(lang, k)
            out.append(sentence[0].upper() + sentence[1:] + ".")
            left -= k
        return " ".join(out)


def generate(count: int, start_id: int, rng: random.Random, batch: int = 500) -> float:
    """Insert ``count`` published practices; returns the seconds it took."""
    existing = db.session.scalars(select(Practice)).all()
    vocab = Vocabulary(existing, rng)
    themes = db.session.scalars(select(Theme)).all()
    pillars = db.session.scalars(select(Pillar)).all()
    corridors = db.session.scalars(select(Corridor)).all()
    countries = db.session.scalars(select(Country)).all()
    organisations = db.session.scalars(select(Organisation)).all()
    started = time.perf_counter()
    for first in range(0, count, batch):
        for pid in range(start_id + first, start_id + min(first + batch, count)):
            practice = Practice(
                id=pid,
                slug=f"synthetic-{pid}",
                status=Status.published,
                scope=Scope.corridor,
                start_year=rng.randint(1970, 2025),
                implementation_status=rng.choice(list(Implementation)),
                is_curated=False,
            )
            for lang in ("en", "es"):
                practice.translations[lang] = PracticeTranslation(
                    language=lang,
                    title=vocab.text(lang, rng.randint(5, 11)).capitalize(),
                    summary=vocab.sentences(lang, rng.randint(25, 45)),
                    body=vocab.sentences(lang, rng.randint(150, 400)),
                )
            practice.themes = rng.sample(themes, rng.randint(1, 3))
            practice.pillars = rng.sample(pillars, rng.randint(1, 2))
            practice.corridors = rng.sample(corridors, rng.randint(0, 3))
            practice.countries = rng.sample(countries, rng.randint(1, 2))
            practice.organisation_links = [
                PracticeOrganisation(organisation=org, role="implementer")
                for org in rng.sample(organisations, rng.randint(1, 3))
            ]
            db.session.add(practice)
        db.session.commit()
        db.session.expunge_all()
        progress(f"generated {min(first + batch, count):,}/{count:,} practices")
    return time.perf_counter() - started


def progress(message: str) -> None:
    print(f"\r  {message}", end="", file=sys.stderr, flush=True)


# --- the FTS5 reference -------------------------------------------------------------------
FTS_COLUMNS = ["title_en", "summary_en", "body_en", "title_es", "summary_es", "body_es", "org"]
FTS_WEIGHTS = "3.0, 2.0, 1.0, 3.0, 2.0, 1.0, 1.5"


def build_fts(path: Path) -> tuple[sqlite3.Connection, float]:
    """The same published texts and facet values in an FTS5 table; returns (connection, s)."""
    from kb.search import documents
    from kb.search.index import load_for_index

    conn = sqlite3.connect(path)
    conn.execute(
        f"CREATE VIRTUAL TABLE docs USING fts5({', '.join(FTS_COLUMNS)}, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute("CREATE TABLE facet (doc INTEGER, field TEXT, value TEXT)")
    started = time.perf_counter()
    ids = db.session.scalars(select(Practice.id).where(Practice.status == Status.published)).all()
    for first in range(0, len(ids), 1000):
        for pid, practice in load_for_index(db.session, ids[first : first + 1000]).items():
            doc = documents.build(practice)
            conn.execute(
                f"INSERT INTO docs(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?{', ?' * 7})",
                [pid] + [doc[c] for c in FTS_COLUMNS],
            )
            conn.executemany(
                "INSERT INTO facet VALUES (?, ?, ?)",
                [(pid, f, v) for f in FACET_FIELDS for v in doc[f].split()],
            )
        db.session.expunge_all()
        progress(f"FTS5: {min(first + 1000, len(ids)):,}/{len(ids):,}")
    conn.execute("CREATE INDEX facet_value ON facet(field, value, doc)")
    conn.execute("CREATE INDEX facet_doc ON facet(doc, field, value)")  # covering
    conn.execute("CREATE TEMP TABLE allowed (doc INTEGER PRIMARY KEY)")
    conn.commit()
    return conn, time.perf_counter() - started


def fts_query(text: str) -> str:
    text = text.replace("title:", "{title_en title_es}: ").replace("org:", "org: ")
    return text


def fts_search(conn: sqlite3.Connection, text: str, filters: Filters) -> tuple[int, list]:
    """Top 10, total, facet counts (each filtered dimension without its own filter), snippets.

    Written the way FTS5 does this well: the filter as a set of allowed documents, the ranked
    matches streamed until ten are allowed, the facet counts joined on a temporary table.
    """
    match = fts_query(text)
    ranked = f"SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {FTS_WEIGHTS})"
    selected = {
        param: [str(v) for v in getattr(filters, name)]
        for param, name in (
            ("theme", "themes"),
            ("pillar", "pillars"),
            ("region", "regions"),
            ("country", "countries"),
        )
        if getattr(filters, name)
    }
    allowed_by = {
        param: {
            row[0]
            for row in conn.execute(
                f"SELECT doc FROM facet WHERE field = ? AND value IN ({', '.join('?' * len(v))})",
                [param, *v],
            )
        }
        for param, v in selected.items()
    }

    def allowed(skip=None):
        sets = [docs for param, docs in allowed_by.items() if param != skip]
        return set.intersection(*sets) if sets else None

    def facet_counts(docs, only=None):
        field_sql = " AND f.field = ?" if only else ""
        # The match set is materialised once, then joined (a join on the FTS table itself
        # can make SQLite probe the MATCH once per allowed row).
        matched = "WITH m AS MATERIALIZED (SELECT rowid AS id FROM docs WHERE docs MATCH ?) "
        if docs is None:
            return conn.execute(
                f"{matched}SELECT f.field, f.value, count(*) FROM m JOIN facet f ON f.doc = m.id"
                f"{field_sql.replace('AND', 'WHERE')} GROUP BY f.field, f.value",
                [match, *([only] if only else [])],
            ).fetchall()
        conn.execute("DELETE FROM allowed")
        conn.executemany("INSERT INTO allowed VALUES (?)", [(d,) for d in docs])
        return conn.execute(
            f"{matched}SELECT f.field, f.value, count(*) FROM m JOIN allowed a ON a.doc = m.id "
            f"JOIN facet f ON f.doc = m.id{field_sql.replace('AND', 'WHERE')} "
            "GROUP BY f.field, f.value",
            [match, *([only] if only else [])],
        ).fetchall()

    everything = allowed()
    if everything is None:
        ids = [row[0] for row in conn.execute(f"{ranked} LIMIT {PAGE}", [match])]
        total = conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", [match]).fetchone()[0]
    else:
        ids = []
        for (rowid,) in conn.execute(ranked, [match]):
            if rowid in everything:
                ids.append(rowid)
                if len(ids) == PAGE:
                    break
        total = sum(
            1
            for (rowid,) in conn.execute("SELECT rowid FROM docs WHERE docs MATCH ?", [match])
            if rowid in everything
        )
    facets = facet_counts(everything)
    for param in selected:
        facets += facet_counts(allowed(skip=param), only=param)
    snippets = conn.execute(
        f"SELECT rowid, snippet(docs, -1, '<mark>', '</mark>', '…', 24) FROM docs "
        f"WHERE docs MATCH ? AND rowid IN ({', '.join('?' * len(ids)) or 'NULL'})",
        [match, *ids],
    ).fetchall()
    return total, snippets + facets


# --- timing -------------------------------------------------------------------------------
def timed(fn, rounds: int) -> list[float]:
    fn()  # warm: the first call builds caches that every later query shares
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def edit_visibility(app, client, rounds: int) -> list[float]:
    """Milliseconds from an edit's commit to the edit being found by the search page."""
    samples = []
    ids = db.session.scalars(select(Practice.id).limit(rounds)).all()
    for n, pid in enumerate(ids):
        token = f"zqxedit{n}"
        db.session.get(Practice, pid).translations["en"].summary += f" {token}"
        started = time.perf_counter()
        db.session.commit()  # the outbox row is applied after this commit
        while f"/practices/{pid}-" not in client.get(f"/en/search?q={token}").get_data(True):
            if time.perf_counter() - started > 10:
                break
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--large", action="store_true", help="50,000 practices")
    parser.add_argument("--rounds", type=int, default=20, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--hostile", action="store_true", help="time the hostile queries of bench/load.py too"
    )
    args = parser.parse_args()
    count = 50_000 if args.large else args.practices
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    os.environ["KB_INSTANCE"] = str(work / "instance")  # nothing of a real instance is touched
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'kb.sqlite'}",
            "INDEX_DIR": str(work / "index"),
            "SECRET_KEY": "bench",
            "SEARCH_SYNC_ON_START": False,
            "SEARCH_PAGE_SIZE": PAGE,
        }
    )
    with app.app_context():
        db.create_all()
        seeds.seed(resource_dir("seeds"))
        index = get_index()
        applied_after_commit = index.sync_now
        index.sync_now = lambda: 0  # bulk load: the rebuild below indexes everything at once
        print(f"Generating {count:,} synthetic practices in {work}", file=sys.stderr)
        gen_s = generate(count, 1000, rng)
        print(file=sys.stderr)
        started = time.perf_counter()
        indexed = index.rebuild(db.session)
        build_s = time.perf_counter() - started
        index.sync_now = applied_after_commit
        conn, fts_s = build_fts(work / "fts.sqlite")
        print(file=sys.stderr)

        client = app.test_client()
        words = load_thesaurus()  # the seeds' thesaurus, as the search page applies it
        rows = []
        for kind in TYPES:
            service, page, fts = [], [], []
            for qtype, lang, text, filters in QUERIES:
                if qtype != kind:
                    continue
                service += timed(
                    lambda t=text, lg=lang, f=filters: search(
                        index, t, lg, f, size=PAGE, thesaurus=words
                    ),
                    args.rounds,
                )
                url = f"/{lang}/search"
                query = {"q": text, **filters.to_args()}
                page += timed(
                    lambda u=url, q=query: client.get(u, query_string=q).data, args.rounds
                )
                fts += timed(lambda t=text, f=filters: fts_search(conn, t, f), args.rounds)
            rows.append((kind, service, page, fts))
            progress(f"timed {kind} queries")
        print(file=sys.stderr)
        edits = edit_visibility(app, client, 10)
        hostile = hostile_times(index, client, args.rounds) if args.hostile else []

    print(
        f"\nSearch benchmark: {indexed:,} practices indexed "
        f"({count:,} synthetic + seeds), {args.rounds} runs per query"
    )
    print(
        f"generation + database load: {gen_s:.1f} s; Whoosh index build: {build_s:.1f} s "
        f"({indexed / build_s:.0f} docs/s); FTS5 build: {fts_s:.1f} s "
        f"({indexed / fts_s:.0f} docs/s)"
    )
    header = (
        f"{'query type':<10} | {'service p50':>11} {'p95':>7} | {'page p50':>8} {'p95':>7} "
        f"| {'FTS5 p50':>8} {'p95':>7} | {'svc/FTS5 p50':>12} {'p95':>5} "
        f"| {'page/FTS5 p50':>13} {'p95':>5}"
    )
    print(header)
    print("-" * len(header))
    all_s, all_p, all_f = [], [], []
    for kind, service, page, fts in rows:
        all_s += service
        all_p += page
        all_f += fts
        print(line(kind, service, page, fts))
    print("-" * len(header))
    print(line("all", all_s, all_p, all_f))
    print(
        f"edit -> searchable: p50 {pct(edits, 0.5):.0f} ms, max {max(edits):.0f} ms "
        f"({len(edits)} edits, target < 1000 ms)"
    )
    print("targets: service within 2x of FTS5 at p50 and p95; page within 3x of FTS5")
    if hostile:
        print(f"\n{'hostile query (under the limits)':<60} | {'service max':>11} | {'page max':>8}")
        for text, service_s, page_s in hostile:
            shown = text if len(text) <= 58 else text[:55] + "..."
            print(f"{shown:<60} | {max(service_s):>8.1f} ms | {max(page_s):>8.1f}")
        slowest = max(max(page_s) for _t, _s, page_s in hostile)
        print(f"slowest hostile page: {slowest:.0f} ms (target < 1000 ms)")
    conn.close()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"Done: benchmarked {len(QUERIES)} queries x {args.rounds} runs on {indexed:,} practices."
    )


def hostile_times(index, client, rounds: int) -> list[tuple[str, list[float], list[float]]]:
    """Each hostile query of the load generator, through the service with the app's limits
    and as a whole page: (query, service times, page times) in ms."""
    sys.path.insert(0, str(ROOT / "bench"))
    from load import HOSTILE

    limits = configured_limits()
    times = []
    for text in HOSTILE:
        service = timed(
            lambda t=text: search(index, t, "en", Filters(), size=PAGE, limits=limits), rounds
        )
        page = timed(lambda t=text: client.get("/en/search", query_string={"q": t}).data, rounds)
        times.append((text, service, page))
    progress("timed hostile queries")
    return times


def line(kind, service, page, fts) -> str:
    s50, s95 = pct(service, 0.5), pct(service, 0.95)
    p50, p95 = pct(page, 0.5), pct(page, 0.95)
    f50, f95 = pct(fts, 0.5), pct(fts, 0.95)
    return (
        f"{kind:<10} | {s50:>8.1f} ms {s95:>7.1f} | {p50:>8.1f} {p95:>7.1f} | "
        f"{f50:>8.1f} {f95:>7.1f} | {s50 / f50:>11.1f}x {s95 / f95:>4.1f}x | "
        f"{p50 / f50:>12.1f}x {p95 / f95:>4.1f}x"
    )


if __name__ == "__main__":
    main()
