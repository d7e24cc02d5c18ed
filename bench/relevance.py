"""Search relevance on the shipped seeds: the judged query set scored on a throwaway instance.

Creates a temporary instance (SQLite database and search index in a temporary folder), runs
`kb seed` on seeds/ and `kb index rebuild`, then `kb search evaluate`, and prints its table:
success@1, success@3, MRR@10, nDCG@10 and the zero-result rate, overall and by kind of query.

    python bench/relevance.py                       # bench/relevance/queries.yaml
    python bench/relevance.py --show-failures       # also list the failing queries
    python bench/relevance.py --queries other.yaml
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb import create_app  # noqa: E402
from kb.extensions import db  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, help="the judged query file")
    parser.add_argument("--show-failures", action="store_true", help="list the failing queries")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-relevance-"))
    os.environ["KB_INSTANCE"] = str(work / "instance")  # nothing of a real instance is touched
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'kb.sqlite'}",
            "INDEX_DIR": str(work / "index"),
            "SECRET_KEY": "relevance",
            "SEARCH_SYNC_ON_START": False,
        }
    )
    evaluate = ["search", "evaluate"]
    if args.queries:
        evaluate += ["--queries", str(args.queries.resolve())]
    if args.show_failures:
        evaluate.append("--show-failures")
    runner = app.test_cli_runner()
    try:
        with app.app_context():
            db.create_all()
        for command in (["seed"], ["index", "rebuild"], evaluate):
            result = runner.invoke(args=command)
            if result.exit_code != 0:
                print(result.output, end="", file=sys.stderr)
                print(f"`kb {' '.join(command)}` failed in {work}", file=sys.stderr)
                return result.exit_code or 1
            if command is evaluate:
                print(result.stdout, end="")
            else:
                print(result.stdout.strip().splitlines()[-1], file=sys.stderr)
    finally:
        with app.app_context():
            db.engine.dispose()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
