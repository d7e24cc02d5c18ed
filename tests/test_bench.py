"""The search benchmark still runs end to end (on a handful of practices; figures not judged)."""

from __future__ import annotations

import subprocess
import sys

from kb import CHECKOUT_DIR


def test_the_search_benchmark_prints_its_table(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(CHECKOUT_DIR / "bench" / "search_bench.py"),
            "--practices",
            "40",
            "--rounds",
            "1",
            "--hostile",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    lines = out.splitlines()
    rows = ("one-word", "two-word", "phrase", "fielded", "filtered", "all", "browse")
    for name in (*rows, "browse+filter"):
        assert any(line.startswith(f"{name} ") for line in lines), name  # a row of the table
    for figure in (
        "query word bands (en",
        "Whoosh index build:",
        "FTS5 build:",
        "index on disk: Whoosh",
        "edit -> searchable",
        "serving process memory",
        "VmHWM",
        "cores",
    ):
        assert figure in out, figure
    assert '"migrant workers"~10000000' in out and "slowest hostile page:" in out
    assert lines[-1].startswith("Done: benchmarked")


def test_the_load_benchmark_serves_a_site_and_times_an_editor(tmp_path):
    """A small run of the issue's two load runs: seeds plus a few synthetic practices, served by
    gunicorn, mixed traffic, then the same with an editor publishing (figures not judged)."""
    result = subprocess.run(
        [
            sys.executable,
            str(CHECKOUT_DIR / "bench" / "load.py"),
            "--serve",
            "--practices",
            "30",
            "--work",
            str(tmp_path / "site"),
            "--clients",
            "4",
            "--duration",
            "6",
            "--publish-every",
            "1.5",
            "--both",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert out.startswith("Run 1: the clients\n")
    first, second = out.split("Run 2: the clients and an editor, on the same server\n")
    for run in (first, second):
        lines = run.splitlines()
        kinds = {line.split()[0] for line in lines if line and line.split()[0] in MIX_KINDS}
        assert kinds >= {"list", "search", "practice", "api", "feed"}
        assert lines[-1].startswith("Done: ") and " 0 error(s); target " in lines[-1]
    assert "publisher:" not in first  # the editor publishes in the second run only
    publisher = next(line for line in second.splitlines() if line.startswith("publisher:"))
    assert " 0 never found, 0 failed" in publisher


MIX_KINDS = ("list", "search", "practice", "page", "feed", "api")
