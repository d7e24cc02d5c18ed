"""ruff keeps the tree clean; it runs with the suite so CI catches what an editor missed."""

from __future__ import annotations

import shutil
import subprocess
import sys

from kb import CHECKOUT_DIR


def ruff(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff") or [sys.executable, "-m", "ruff"]
    command = [exe, *args] if isinstance(exe, str) else [*exe, *args]
    return subprocess.run(command, cwd=CHECKOUT_DIR, capture_output=True, text=True)


def test_ruff_finds_nothing_to_fix():
    result = ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr
