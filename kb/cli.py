"""The `kb` command group: the Flask CLI of the app, with the catalogue's own commands."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
import traceback
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, routes_command, shell_command, with_appcontext
from flask_migrate.cli import db as migrate_group
from sqlalchemy.exc import DatabaseError, OperationalError

from kb.errors import IndexBusy, InstanceNotFound, SeedInvalid


def _progress(label: str):
    def wrap(items):
        items = list(items)
        with click.progressbar(items, label=label, file=sys.stderr) as bar:
            yield from bar

    return wrap


def require_database() -> None:
    """Stop with one line, before any file is made, when the database is not there yet."""
    from sqlalchemy import inspect

    from kb.extensions import db

    url = db.engine.url
    on_disk = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    on_disk = on_disk and not url.query.get("uri")  # a file: URI names its file its own way
    if on_disk and not Path(url.database).is_file():
        raise click.ClickException(f"No database at {url.database}: run `kb db upgrade`.")
    if not inspect(db.engine).has_table("search_change"):
        raise click.ClickException("The database has no tables yet: run `kb db upgrade`.")


@click.command("seed")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Overwrite practices changed on the site since the last seed."
)
@click.option("--check", is_flag=True, help="Only validate the seed folder; write nothing.")
@with_appcontext
def seed_command(directory: Path | None, force: bool, check: bool) -> None:
    """Validate the seed folder, then load it (insert or update by stable key). Practices
    changed on the site since they were last seeded are left alone and listed."""
    from kb import resource_dir
    from kb.services import seed_schema, seeds

    directory = directory or resource_dir("seeds")
    if check:
        counts, problems = seed_schema.check(directory)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            click.echo(f"Seed folder {directory}: {len(problems)} problem(s).", err=True)
            sys.exit(1)
        click.echo(f"Seed folder {directory} is valid: {counts}.")
        return
    require_database()
    try:
        report = seeds.seed(directory, progress=_progress("Loading practices"), force=force)
    except SeedInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(
            f"Seed not loaded: {len(exc.problems)} problem(s); nothing was written.", err=True
        )
        sys.exit(1)
    for practice_id in report.conflicts:
        click.echo(
            f"conflict: practice {practice_id} was changed on the site since it was last seeded; "
            "left as the site has it",
            err=True,
        )
    for slug in report.collection_conflicts:
        click.echo(
            f"conflict: collection {slug} was changed on the site since it was last seeded; "
            "left as the site has it",
            err=True,
        )
    click.echo(f"Seeded from {directory}: {report.summary()}.")


@click.group("users")
def users_group() -> None:
    """Manage accounts."""


@users_group.command("create")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(["contributor", "editor", "admin"]),
    required=True,
    help="What the account may do.",
)
@click.option("--name", help="The name shown to others (default: the e-mail's local part).")
@click.option("--password", help="The password (asked for, twice, when left out).")
@with_appcontext
def users_create(email: str, role: str, name: str | None, password: str | None) -> None:
    """Create an account (the first editor and admin are made this way)."""
    require_database()
    from kb.models import UserRole
    from kb.services import accounts

    if "@" not in email.strip("@"):
        raise click.ClickException(f"{email} is not an e-mail address.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < accounts.MIN_PASSWORD:
        raise click.ClickException(
            f"The password must have at least {accounts.MIN_PASSWORD} characters."
        )
    try:
        user = accounts.create_user(email, UserRole(role), password, name)
    except accounts.EmailTaken:
        raise click.ClickException(f"An account with the e-mail {email} exists already.") from None
    click.echo(f"Created the {user.role} account {user.email} (id {user.id}).")


@click.group("index")
def index_group() -> None:
    """Keep the search index in step with the database."""


@index_group.command("sync")
@with_appcontext
def index_sync() -> None:
    """Apply the changes in the log that this node has not applied yet."""
    require_database()
    from kb.search import get_index

    index = get_index()
    count = index.sync_now()
    click.echo(
        f"Index synced: {count} practice(s) updated from the change log; "
        f"node {index.node} at position {index.position}."
    )


@index_group.command("rebuild")
@with_appcontext
def index_rebuild() -> None:
    """Recreate the index from the database."""
    require_database()
    from kb.extensions import db
    from kb.search import get_index

    index = get_index()
    count = index.rebuild(db.session, progress=_progress("Indexing practices"))
    click.echo(f"Index rebuilt in {index.directory}: {count} published practice(s).")


@index_group.command("check")
@with_appcontext
def index_check() -> None:
    """Read the index back in full, and report damaged files and practices missing from,
    stale in, or extra in it; exit 1 on any of them."""
    require_database()
    from kb.extensions import db
    from kb.search import get_index

    report = get_index().check(db.session)
    for problem in report.damaged:
        click.echo(f"damaged: {problem}", err=True)
    if report.damaged:
        click.echo(
            f"Index damaged: {len(report.damaged)} problem(s); run `kb index rebuild`.", err=True
        )
        sys.exit(1)
    for label, ids in (
        ("missing", report.missing),
        ("stale", report.stale),
        ("extra", report.extra),
    ):
        if ids:
            click.echo(f"{label}: {', '.join(map(str, ids))}", err=True)
    summary = (
        f"{len(report.missing)} missing, {len(report.stale)} stale, {len(report.extra)} extra, "
        f"{report.pending} change(s) in the log not applied yet"
    )
    if report.drift:
        click.echo(f"Index out of step with the database: {summary}.", err=True)
        sys.exit(1)
    click.echo(f"Index in step with the database: {summary}.")


@index_group.command("nodes")
@click.option("--forget", metavar="NAME", help="Drop a node that is gone for good.")
@with_appcontext
def index_nodes(forget: str | None) -> None:
    """List the nodes that follow the change log, with how far each has applied it; the log is
    pruned up to the slowest. ``--forget`` drops a node that will not come back."""
    require_database()
    from kb.extensions import db
    from kb.search import follow, get_index

    if forget:
        if not follow.forget(db.session, forget):
            raise click.ClickException(f"No node named {forget}.")
        click.echo(f"Forgot node {forget}: the log is no longer kept for it.")
        return
    head = follow.head(db.session)
    known = follow.nodes(db.session)
    this = get_index().node
    for node in known:
        mark = " (this node)" if node.name == this else ""
        click.echo(
            f"{node.name}{mark}: position {node.position}, "
            f"{follow.pending(db.session, node.position)} change(s) behind, "
            f"last seen {node.seen_at:%Y-%m-%d %H:%M:%S}"
        )
    click.echo(f"{len(known)} node(s) follow the change log; its newest row is {head}.")


@click.group("search")
def search_group() -> None:
    """Measure the search."""


@search_group.command("evaluate")
@click.option(
    "--queries",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The judged query file (default: bench/relevance/queries.yaml of the checkout).",
)
@click.option("--show-failures", is_flag=True, help="List the queries that failed, and why.")
@with_appcontext
def search_evaluate(path: Path | None, show_failures: bool) -> None:
    """Run the judged query set through the search and print success@1, success@3, MRR@10,
    nDCG@10 and the zero-result rate, overall and by kind of query."""
    require_database()
    from kb import CHECKOUT_DIR
    from kb.services import relevance

    path = path or CHECKOUT_DIR / "bench" / "relevance" / "queries.yaml"
    if not path.is_file():
        raise click.ClickException(f"No query file at {path}: give one with --queries.")
    try:
        result = relevance.evaluate(path)
    except relevance.QuerySetInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"Query file {path}: {len(exc.problems)} problem(s).") from None
    for line in relevance.table(result, show_failures):
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(index_group)
    app.cli.add_command(search_group)
    app.cli.add_command(users_group)


@click.command("run")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--debug",
    is_flag=True,
    help="Reload on changes and show the interactive debugger (loopback addresses only).",
)
def run_command(host: str, port: int, debug: bool) -> None:
    """Serve the app with Werkzeug's development server (`make run` serves with gunicorn).

    The interactive debugger runs code typed in the browser, so it starts only when asked for
    here, on a loopback address; FLASK_DEBUG and the app's configuration cannot turn it on.
    """
    from werkzeug.serving import run_simple

    from kb import create_app

    if debug and not is_loopback(host):
        raise click.UsageError(f"--debug serves only on a loopback address, not on {host}.")
    app = create_app({"DEBUG": debug})
    run_simple(host, port, app, use_reloader=debug, use_debugger=debug, threaded=True)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_cli_app():
    """The app for the commands: it writes nothing at start-up (no index sync, no secret key
    file), so that `kb --help` or `kb db upgrade` leave no files behind."""
    from kb import create_app

    return create_app({"SEARCH_SYNC_ON_START": False, "SECRET_KEY": secrets.token_hex(32)})


class KbGroup(FlaskGroup):
    """Flask's command group, with our `run` and without app loading for the command list:
    every command is registered here, so `kb --help` needs no instance folder."""

    def __init__(self, **kwargs):
        super().__init__(add_default_commands=False, load_dotenv=False, **kwargs)
        # `--debug` on the group would set FLASK_DEBUG; the debugger is `kb run --debug` only.
        self.params = [param for param in self.params if param.name != "debug"]

    def get_command(self, ctx: click.Context, name: str):
        self._load_plugin_commands()
        return self.commands.get(name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return sorted(self.commands)


group = KbGroup(
    name="kb",
    help="The Fair Recruitment Practices Knowledge Base.",
    create_app=create_cli_app,
    set_debug_flag=False,
)
for command in (
    run_command,
    seed_command,
    index_group,
    search_group,
    users_group,
    shell_command,
    routes_command,
):
    group.add_command(command)
group.add_command(migrate_group, "db")


def one_line(exc: BaseException) -> str:
    """What went wrong, in one line, for the errors a command can meet outside its own checks."""
    if isinstance(exc, InstanceNotFound):
        return str(exc)
    if isinstance(exc, OperationalError | DatabaseError):
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        return f"The database cannot be used: {reason}."
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    if isinstance(exc, IndexBusy):
        return f"The search index is locked by another writer: {exc}."
    return f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> None:
    """The `kb` command: every failure ends in one line on stderr and a non-zero exit
    (KB_TRACEBACK=1 shows the traceback as well)."""
    try:
        group.main(args=argv, prog_name="kb")
    except Exception as exc:  # noqa: BLE001 - the last line of defence of a command
        if os.environ.get("KB_TRACEBACK") == "1":
            traceback.print_exc()
        click.echo(f"kb: {one_line(exc)}", err=True)
        sys.exit(1)
