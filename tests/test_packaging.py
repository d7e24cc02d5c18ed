"""A plain (non-editable) install finds its templates, static files, translations and seeds."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from kb import CHECKOUT_DIR


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(CHECKOUT_DIR),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("*.whl"))


def test_the_wheel_carries_every_resource(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "kb/templates/base.html",
        "kb/templates/practices/detail.html",
        "kb/static/css/kb.css",
        "kb/translations/es/LC_MESSAGES/messages.po",
        "kb/translations/es/LC_MESSAGES/messages.mo",
        "kb/seeds/taxonomy.yaml",
        "kb/seeds/practices/001-mexico-canada-seasonal-agricultural-workers.yaml",
        "kb/migrations/env.py",
        "kb/migrations/versions/0001_catalogue.py",
    ):
        assert expected in names, expected
    for package in (CHECKOUT_DIR / "kb").rglob("__init__.py"):
        module = package.relative_to(CHECKOUT_DIR).as_posix()
        assert module in names, f"{module}: add its package to setup.cfg"


def test_the_installed_app_serves_a_seeded_spanish_page_outside_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    script = (
        "import kb\n"
        "from kb import create_app\n"
        "app = create_app({'SECRET_KEY': 'x'})\n"
        "runner = app.test_cli_runner()\n"
        "upgrade = runner.invoke(args=['db', 'upgrade'])\n"
        "assert upgrade.exit_code == 0, upgrade.output\n"
        "print(runner.invoke(args=['seed']).output)\n"
        "html = app.test_client().get('/es/themes/').get_data(as_text=True)\n"
        "import sys\n"
        "loaded = [m.__file__ for n, m in sys.modules.items() if n.split('.')[0] == 'kb']\n"
        "outside = [f for f in loaded if f and not f.startswith(kb.__path__[0])]\n"
        "assert not outside, outside\n"
        "print(kb.__file__)\n"
        "print('Temas' in html and 'Centros de empleo' in html)\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(target),
        "KB_INSTANCE": str(tmp_path / "instance"),
        "KB_DATABASE_URL": f"sqlite:///{tmp_path / 'kb.sqlite'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-2].startswith(str(target))  # the installed copy, not the checkout
    assert "Seeded from" in result.stdout
    assert lines[-1] == "True"
