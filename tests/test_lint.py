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


def test_modules_stay_under_400_lines():
    """The house keeps modules small enough to read in one sitting (migrations excepted)."""
    package = CHECKOUT_DIR / "kb"
    long = {
        str(path.relative_to(CHECKOUT_DIR)): lines
        for path in package.rglob("*.py")
        if "versions" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) >= 400
    }
    assert long == {}
