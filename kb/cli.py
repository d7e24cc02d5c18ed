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


@click.group("index")
def index_group() -> None:
    """Keep the search index in step with the database."""


@index_group.command("sync")
@with_appcontext
def index_sync() -> None:
    """Apply the changes waiting in the outbox."""
    from kb.search import get_index

    count = get_index().sync_now()
    click.echo(f"Index synced: {count} practice(s) updated from the outbox.")


@index_group.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Recreate the index from the database."""
    from kb.extensions import db
    from kb.search import get_index

    index = get_index()
    count = index.rebuild(db.session, progress=_progress("Indexing practices"))
    click.echo(f"Index rebuilt in {index.directory}: {count} published practice(s).")


@index_group.command("check")
@with_appcontext
def index_check() -> None:
    """Report practices missing from, stale in, or extra in the index; exit 1 on drift."""
    from kb.extensions import db
    from kb.search import get_index

    report = get_index().check(db.session)
    for label, ids in (
        ("missing", report.missing),
        ("stale", report.stale),
        ("extra", report.extra),
    ):
        if ids:
            click.echo(f"{label}: {', '.join(map(str, ids))}", err=True)
    summary = (
        f"{len(report.missing)} missing, {len(report.stale)} stale, {len(report.extra)} extra, "
        f"{report.pending} waiting in the outbox"
    )
    if report.drift:
        click.echo(f"Index out of step with the database: {summary}.", err=True)
        sys.exit(1)
    click.echo(f"Index in step with the database: {summary}.")


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(index_group)


def create_cli_app():
    from kb import create_app

    return create_app()


main = FlaskGroup(
    name="kb",
    help="The Fair Recruitment Practices Knowledge Base.",
    create_app=create_cli_app,
    set_debug_flag=False,
)
