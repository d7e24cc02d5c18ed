"""The `kb` command group: the Flask CLI of the app, with the catalogue's own commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from kb.errors import SeedInvalid


def _progress(label: str):
    def wrap(items):
        items = list(items)
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap


@click.command("seed")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def seed_command(directory: Path | None) -> None:
    """Validate the seed folder, then load it (insert or update by stable key)."""
    from kb import resource_dir
    from kb.services import seeds

    directory = directory or resource_dir("seeds")
    try:
        report = seeds.seed(directory, progress=_progress("Loading practices"))
    except SeedInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"Seed not loaded: {len(exc.problems)} problem(s); nothing was written.", err=True
        )
        sys.exit(1)
    click.echo(f"Seeded from {directory}: {report.summary()}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)


def create_cli_app():
    from kb import create_app

    return create_app()


main = FlaskGroup(
    name="kb",
    help="The Fair Recruitment Practices Knowledge Base.",
    create_app=create_cli_app,
    set_debug_flag=False,
)
