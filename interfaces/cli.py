"""The `civic` command: serve the API, run the demo, manage accounts, rebuild projections."""

from __future__ import annotations

import getpass
import sys
from uuid import uuid4

import click
from eventsourcing.persistence import PersistenceError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import SQLAlchemyError

from application.settings import Settings, SettingsError
from application.system import CivicLedger
from domain.account import Role
from domain.errors import DomainError
from domain.events import SYSTEM_ACTOR_PREFIX, Cause


def open_civic() -> CivicLedger:
    """The application on the configured database, or a clear error and exit status 1."""
    try:
        return CivicLedger(Settings.from_env())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    except (PersistenceError, SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"cannot open the database: {reason}") from None


def operator_cause(reason: str | None = None) -> Cause:
    """The envelope of a command typed at the console: the operator's login is the actor."""
    return Cause(
        actor=f"{SYSTEM_ACTOR_PREFIX}cli:{getpass.getuser()}",
        correlation_id=f"cli-{uuid4()}",
        reason=reason,
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """civic-ledger: every petition, signature and decision as an immutable event.

    The database is chosen by CIVIC_DATABASE_URL (default: the SQLite file var/civic.sqlite).
    """


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="log every request (about a quarter of the cost of a trivial request)",
)
def serve(host: str, port: int, *, access_log: bool) -> None:
    """Serve the HTTP API (OpenAPI at /schema) on the configured database."""
    import uvicorn  # noqa: PLC0415  # only this command needs the server

    from interfaces.http.app import create_app  # noqa: PLC0415  # idem, keeps `civic -h` fast

    uvicorn.run(
        create_app(civic=open_civic()),
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
    )


@main.command()
@click.option(
    "--database",
    default="var/demo.sqlite",
    show_default=True,
    help="the SQLite file to create afresh",
)
def demo(database: str) -> None:
    """Play the Grenoble citizen-interpellation scenario on a fresh SQLite file."""
    from interfaces.demo import run_demo  # noqa: PLC0415  # only this command needs it

    run_demo(database)


@main.group()
def accounts() -> None:
    """Accounts and their API tokens."""


@accounts.command("create")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="repeat for several roles",
)
def create_account(name: str, roles: tuple[str, ...]) -> None:
    """Open an account and print its bearer token (the last word; shown only once)."""
    civic = open_civic()
    try:
        account_id, token = civic.accounts.open(
            name=name, roles=[Role(r) for r in roles], cause=operator_cause()
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        civic.close()
    click.echo(f"account {account_id} ({', '.join(roles)}) token: {token}")


@accounts.command("list")
def list_accounts() -> None:
    """List the accounts with their roles."""
    civic = open_civic()
    try:
        for principal in civic.accounts.list():
            click.echo(f"{principal.id}  {principal.name}  {', '.join(sorted(principal.roles))}")
    finally:
        civic.close()


@main.group()
def projections() -> None:
    """The read models derived from the log."""


@projections.command("rebuild")
def rebuild() -> None:
    """Empty every read model and apply the whole log again, with a progress bar."""
    civic = open_civic()
    try:
        with Progress(
            TextColumn("rebuilding read models"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            disable=not sys.stderr.isatty(),
            console=None,
        ) as bar:
            task = bar.add_task("rebuild", total=None)

            def progress(position: int, last: int) -> None:
                bar.update(task, completed=position, total=last)

            applied = civic.read_models.rebuild(progress)
    finally:
        civic.close()
    click.echo(f"rebuilt the read models from {applied} events")
