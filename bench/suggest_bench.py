"""Suggestion benchmark: what typing into the search box costs the server, at 10,000 practices.

Generates N synthetic practices the way bench/search_bench.py does (its generator, imported),
builds the index, then times every prefix of a mix of things people type, letter by letter,
in English and Spanish:

- service:  kb.search.suggest.suggest (the index's structures, built once per generation)
- endpoint: GET /<lang>/search/suggest?q=... through the test client (JSON, links included)

and prints p50/p95/max of each, the time to build the structures on a fresh process (the first
keystroke pays it) and after an edit (only the new segment is read).

    python bench/suggest_bench.py                       # 10,000 practices
    python bench/suggest_bench.py --practices 500 --rounds 3
    python bench/suggest_bench.py --work DIR --keep     # keep the data; reuse it next time
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import generate  # noqa: E402
from search_bench import pct, progress, timed  # noqa: E402
from sqlalchemy import select  # noqa: E402

from kb import create_app, resource_dir  # noqa: E402
from kb.extensions import db  # noqa: E402
from kb.models import Practice, Status  # noqa: E402
from kb.search import get_index  # noqa: E402
from kb.search import suggest as suggest_index  # noqa: E402
from kb.services import seeds  # noqa: E402
from kb.services.suggestions import labels  # noqa: E402

TARGET_MS = 50.0
# What people type, one letter at a time: every prefix of two letters or more is timed.
TYPED = [
    ("en", "mexico canada"),
    ("en", "recruitment fees"),
    ("en", "H-2A visa"),
    ("en", "ILO"),
    ("en", "public employment services"),
    ("en", "seasonal agricultural workers"),
    ("en", "zqxw"),
    ("es", "contratación"),
    ("es", "carne sanitario"),
    ("es", "OIT"),
    ("es", "trabajadores agrícolas"),
    ("es", "comisiones de contratacion"),
    ("es", "reclutamiento"),
    ("es", "guatemala mexico"),
]


def prefixes() -> list[tuple[str, str]]:
    out = []
    for lang, text in TYPED:
        for end in range(2, len(text) + 1):
            if not text[end - 1].isspace():
                out.append((lang, text[:end]))
    return out


def summary(name: str, samples: list[float]) -> str:
    return (
        f"{name:<9} p50 {pct(samples, 0.5):6.2f} ms   p95 {pct(samples, 0.95):6.2f} ms   "
        f"max {max(samples):6.2f} ms   ({len(samples)} samples)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--practices", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5, help="timed runs of each prefix")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, help="work folder; reused when it holds data")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kb-suggest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    reuse = (work / "kb.sqlite").exists()
    os.environ["KB_INSTANCE"] = str(work / "instance")  # nothing of a real instance is touched
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'kb.sqlite'}",
            "INDEX_DIR": str(work / "index"),
            "SECRET_KEY": "bench",
            "SEARCH_SYNC_ON_START": False,
        }
    )
    with app.app_context():
        index = get_index()
        if not reuse:
            db.create_all()
            seeds.seed(resource_dir("seeds"))
            applied_after_commit = index.sync_now
            index.sync_now = lambda: 0  # bulk load: the rebuild below indexes everything
            print(f"Generating {args.practices:,} synthetic practices in {work}", file=sys.stderr)
            generate(args.practices, 1000, random.Random(args.seed), progress)
            print(file=sys.stderr)
            index.rebuild(db.session)
            index.sync_now = applied_after_commit
        indexed = index.searcher().doc_count()

        started = time.perf_counter()
        suggest_index.suggest(index, "mex", "en", labels)
        cold_ms = (time.perf_counter() - started) * 1000

        client = app.test_client()
        service, endpoint, slowest = [], [], (0.0, "")
        typed = prefixes()
        for n, (lang, text) in enumerate(typed, 1):
            samples, _ = timed(
                lambda t=text, lg=lang: suggest_index.suggest(index, t, lg, labels), args.rounds
            )
            service += samples
            slowest = max(slowest, (max(samples), f"{lang} {text!r}"))
            endpoint += timed(
                lambda t=text, lg=lang: (
                    client.get(f"/{lg}/search/suggest", query_string={"q": t}).data
                ),
                args.rounds,
            )[0]
            progress(f"timed {n}/{len(typed)} prefixes")
        print(file=sys.stderr)

        # An edit: one practice rewritten makes a new generation with one small segment.
        pid = db.session.scalar(
            select(Practice.id).where(Practice.status == Status.published).limit(1)
        )
        index.apply(db.session, [pid])
        started = time.perf_counter()
        suggest_index.suggest(index, "mex", "en", labels)
        edit_ms = (time.perf_counter() - started) * 1000
        found = suggest_index.suggest(index, "mexi", "en", labels)

    print(
        f"\nSuggestion benchmark: {indexed:,} practices indexed, {len(typed)} prefixes of "
        f"{len(TYPED)} typed phrases, {args.rounds} runs each"
    )
    print(summary("service", service))
    print(summary("endpoint", endpoint))
    print(f"slowest prefix (service): {slowest[1]} {slowest[0]:.2f} ms")
    print(
        f"structures built: {cold_ms:.0f} ms on the first keystroke of a fresh process, "
        f"{edit_ms:.0f} ms after an edit"
    )
    print(f"'mexi' (en) suggests: {', '.join(s.label for s in found[:4])} ...")
    print(f"target: service under {TARGET_MS:.0f} ms per keystroke (p95 and max)")
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    verdict = "met" if max(service) < TARGET_MS else "NOT met"
    print(f"Done: target {verdict}.")


if __name__ == "__main__":
    main()
