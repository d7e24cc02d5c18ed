"""The `kb` command as an operator meets it: it runs only where it knows its instance folder,
leaves no stray files, and every failure is one clear line with a non-zero exit."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kb import CHECKOUT_DIR, create_app
from kb.config import find_checkout

KB = Path(sys.executable).with_name("kb")
COMMAND = [str(KB)] if KB.exists() else [sys.executable, "-c", "from kb.cli import main; main()"]


def kb(*args: str, cwd: Path, instance: Path | None, timeout: float = 120, **env):
    """Run the installed `kb` command (this checkout's code) and return the finished process."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "FLASK_"))}
    environ["PYTHONPATH"] = str(CHECKOUT_DIR)
    if instance is not None:
        environ["KB_INSTANCE"] = str(instance)
    environ.update(env)
    return subprocess.run(
        [*COMMAND, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=timeout
    )


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def assert_one_line_failure(result, *expected: str) -> None:
    """A non-zero exit whose reason is the last line of stderr and stands alone (progress
    labels and Alembic's steps may come before it; a traceback may not)."""
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    reasons = [line for line in lines if line.startswith(("kb:", "Error:"))]
    assert reasons == lines[-1:], result.stderr
    for text in expected:
        assert text in lines[-1], lines[-1]
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def ready_instance(tmp_path_factory) -> Path:
    """An instance folder with its database, seed data and index, made by `kb` itself."""
    instance = tmp_path_factory.mktemp("kb-cli") / "instance"
    for step in (["db", "upgrade"], ["seed"], ["index", "rebuild"]):
        result = kb(*step, cwd=CHECKOUT_DIR, instance=instance)
        assert result.returncode == 0, result.stderr
    return instance


def test_help_makes_no_instance_folder(tmp_path):
    instance = tmp_path / "instance"
    result = kb("--help", cwd=tmp_path, instance=instance)
    assert result.returncode == 0 and "seed" in result.stdout and "index" in result.stdout
    assert not instance.exists()


def test_outside_a_checkout_without_an_instance_it_refuses_in_one_line(tmp_path):
    assert find_checkout(tmp_path) is None
    result = kb("seed", cwd=tmp_path, instance=None)
    assert_one_line_failure(result, "KB_INSTANCE")
    assert list(tmp_path.iterdir()) == [], "no ./instance may appear where kb was run"


def test_inside_a_checkout_the_instance_is_the_checkouts(tmp_path, monkeypatch):
    checkout = tmp_path / "checkout"
    (checkout / "kb").mkdir(parents=True)
    (checkout / "kb" / "__init__.py").write_text("")
    (checkout / "setup.cfg").write_text("")
    (checkout / "seeds" / "practices").mkdir(parents=True)
    monkeypatch.chdir(checkout / "seeds" / "practices")
    monkeypatch.delenv("KB_INSTANCE")
    assert find_checkout(Path.cwd()) == checkout
    from kb.config import instance_path

    assert instance_path() == checkout / "instance"


def test_commands_leave_no_stray_files(ready_instance):
    before = files_under(ready_instance)
    for args in (["--help"], ["index", "check"], ["index", "sync"], ["seed"], ["routes"]):
        result = kb(*args, cwd=CHECKOUT_DIR, instance=ready_instance)
        assert result.returncode == 0, (args, result.stderr)
        assert files_under(ready_instance) == before, args
    assert result.stdout.strip()


def test_a_command_before_the_database_exists_says_what_to_run(tmp_path):
    instance = tmp_path / "instance"
    for args in (["seed"], ["index", "rebuild"], ["index", "check"]):
        result = kb(*args, cwd=tmp_path, instance=instance)
        assert_one_line_failure(result, "kb db upgrade")
    assert files_under(tmp_path) in ([], ["instance"])


def test_a_corrupt_database_is_one_line(ready_instance, tmp_path):
    instance = tmp_path / "instance"
    shutil.copytree(ready_instance, instance)
    (instance / "kb.sqlite").write_bytes(b"this is not a database" * 1000)
    for args in (["seed"], ["index", "check"], ["db", "upgrade"]):
        result = kb(*args, cwd=tmp_path, instance=instance)
        assert_one_line_failure(result, "file is not a database")


def test_a_read_only_database_is_one_line(ready_instance, tmp_path):
    instance = tmp_path / "instance"
    shutil.copytree(ready_instance, instance)
    database = instance / "kb.sqlite"
    with sqlite3.connect(database) as connection:  # one change for `kb seed` to undo
        connection.execute("UPDATE practice_translation SET title = 'Changed' WHERE id = 1")
    read_only = f"sqlite:///file:{database}?mode=ro&uri=true"
    result = kb("seed", cwd=tmp_path, instance=instance, KB_DATABASE_URL=read_only)
    assert_one_line_failure(result, "readonly database")


def test_a_seed_file_nested_400_levels_deep_is_refused_at_its_line(ready_instance, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(CHECKOUT_DIR / "seeds", seeds)
    deep = seeds / "practices" / "999-deep.yaml"
    deep.write_text("id: 999\nbody: " + "[" * 400 + "]" * 400 + "\n")
    result = kb("seed", str(seeds), cwd=tmp_path, instance=ready_instance)
    assert result.returncode == 1
    assert "999-deep.yaml:2: (yaml): nested more than" in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr


def test_flask_debug_cannot_turn_the_app_into_debug_mode(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("KB_DEBUG", "1")
    assert create_app({"SEARCH_SYNC_ON_START": False}).debug is False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def debugger_answers(port: int, process) -> bool:
    """Whether Werkzeug's debugger serves its script on the server at ``port``."""
    url = f"http://127.0.0.1:{port}/en/?__debugger__=yes&cmd=resource&f=debugger.js"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return "javascript" in response.headers.get("Content-Type", "")
        except urllib.error.HTTPError:
            return False
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the development server did not start")


@pytest.mark.parametrize(("args", "debugger"), [([], False), (["--debug"], True)])
def test_only_kb_run_debug_starts_the_debugger(ready_instance, args, debugger):
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    environ |= {"PYTHONPATH": str(CHECKOUT_DIR), "KB_INSTANCE": str(ready_instance)}
    environ["FLASK_DEBUG"] = "1"
    process = subprocess.Popen(
        [*COMMAND, "run", "--port", str(port), *args],
        cwd=CHECKOUT_DIR,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert debugger_answers(port, process) is debugger
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def test_the_debugger_is_refused_off_loopback(ready_instance):
    result = kb("run", "--debug", "--host", "0.0.0.0", cwd=CHECKOUT_DIR, instance=ready_instance)
    assert result.returncode == 2
    assert "loopback" in result.stderr and "Traceback" not in result.stderr
