"""The `civic` command: serve the API, run the demo, manage accounts, rebuild projections."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID, uuid4

import click
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy.exc import SQLAlchemyError

from application.errors import ApplicationError, NotFound
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


@contextmanager
def running() -> Iterator[CivicLedger]:
    """The application for one command: refusals become a message and exit status 1."""
    civic = open_civic()
    try:
        yield civic
    except (DomainError, ApplicationError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        civic.close()


def account_id(text: str) -> UUID:
    """An account's id as typed."""
    try:
        return UUID(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an account id (a UUID)") from None


ROLE = click.Choice([r.value for r in Role])


@accounts.command("create")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=ROLE, help="repeat for several")
@click.option("--email", default=None, help="to sign in on the web pages")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="read a password (for the web pages) from the first line of standard input",
)
def create_account(
    name: str, roles: tuple[str, ...], email: str | None, *, password_stdin: bool
) -> None:
    """Open an account and print its bearer token (the last word; shown only once)."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and email is None:
        raise click.UsageError("a password needs --email: it is how the person signs in")
    with running() as civic:
        opened, token = open_account(civic, name, roles, email=email, password=password)
    click.echo(f"account {opened} ({', '.join(roles)}) token: {token}")


def open_account(
    civic: CivicLedger,
    name: str,
    roles: Sequence[str],
    *,
    email: str | None = None,
    password: str | None = None,
) -> tuple[UUID, str]:
    """What `civic accounts create` does: open the account as the operator; its id and token."""
    return civic.accounts.open(
        name=name,
        roles=[Role(r) for r in roles],
        email=email,
        password=password,
        cause=operator_cause(),
    )


@accounts.command("list")
def list_accounts() -> None:
    """List the accounts with their roles."""
    with running() as civic:
        for principal in civic.accounts.list():
            click.echo(f"{principal.id}  {principal.name}  {', '.join(sorted(principal.roles))}")


@accounts.command("grant")
@click.argument("account")
@click.argument("role", type=ROLE)
@click.option("--reason", default=None, help="why, for the audit trail")
def grant_role(account: str, role: str, reason: str | None) -> None:
    """Grant ROLE to ACCOUNT (its id)."""
    with running() as civic:
        civic.accounts.grant(account_id(account), Role(role), cause=operator_cause(reason))
    click.echo(f"account {account} now holds the role {role}")


@accounts.command("revoke")
@click.argument("account")
@click.argument("role", type=ROLE)
@click.option("--reason", default=None, help="why, for the audit trail")
def revoke_role(account: str, role: str, reason: str | None) -> None:
    """Revoke ROLE from ACCOUNT (an account keeps at least one role)."""
    with running() as civic:
        civic.accounts.revoke(account_id(account), Role(role), cause=operator_cause(reason))
    click.echo(f"account {account} no longer holds the role {role}")


@accounts.command("tokens")
@click.argument("account")
def list_tokens(account: str) -> None:
    """List ACCOUNT's standing tokens (ids, kinds, labels; never the tokens)."""
    with running() as civic:
        for t in civic.accounts.tokens(account_id(account)):
            expires = t["expires_at"].isoformat() if t["expires_at"] else "never"
            click.echo(f"{t['token_id']}  {t['kind']}  expires {expires}  {t['label']}")


@accounts.command("issue-token")
@click.argument("account")
@click.option("--label", default="issued at the console", show_default=True)
def issue_token(account: str, label: str) -> None:
    """Issue a new API token to ACCOUNT and print it (the last word; shown only once)."""
    with running() as civic:
        issued = civic.accounts.issue_token(
            account_id(account), label=label, cause=operator_cause()
        )
    click.echo(f"token {issued.token_id} for account {account}: {issued.token}")


@accounts.command("revoke-token")
@click.argument("account")
@click.argument("token_id")
@click.option("--reason", default=None, help="why, for the audit trail")
def revoke_token(account: str, token_id: str, reason: str | None) -> None:
    """Revoke one of ACCOUNT's tokens (or web sessions) by its id (see `civic accounts tokens`)."""
    with running() as civic:
        civic.accounts.revoke_token(
            account_id(account), account_id(token_id), cause=operator_cause(reason)
        )
    click.echo(f"token {token_id} revoked")


@main.group()
def gdpr() -> None:
    """A person's data: export it, or erase it (the log and every count stay intact)."""


@gdpr.command("export")
@click.argument("account")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="a file (default: stdout)"
)
def gdpr_export(account: str, output: Path | None) -> None:
    """Write everything held about ACCOUNT's holder as JSON."""
    with running() as civic:
        data = civic.accounts.export(account_id(account))
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}")


@gdpr.command("erase")
@click.argument("account")
@click.option("--reason", required=True, help="e.g. the request's reference")
def gdpr_erase(account: str, reason: str) -> None:
    """Erase ACCOUNT's personal data: its key is destroyed; the account can no longer act."""
    with running() as civic:
        civic.accounts.erase(account_id(account), cause=operator_cause(reason))
    click.echo(f"account {account}: personal data erased")


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


def progress_bar(label: str) -> Progress:
    """A progress bar on stderr when it is a terminal (quiet in scripts and CI)."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not sys.stderr.isatty(),
        console=Console(stderr=True),
    )


@main.group()
def votes() -> None:
    """Votes: load standard ballot files into the log."""


@votes.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--method", "method", required=True, help="as for `civic tally`")
@click.option("--question", help="the vote's question (default: the file's title)")
@click.option("--seats", default=1, show_default=True, type=click.IntRange(1), help="for stv")
def import_votes(file: Path, method: str, question: str | None, seats: int) -> None:
    """Load FILE (PrefLib .soc .soi .toc .toi .cat, Pabulib .pb) into a new vote: its voters
    become the electorate, each ballot an event, and the vote is tallied and closed at once.
    `civic tally` on the same file gives the same result."""
    civic = open_civic()
    try:
        vote_id = civic.votes.import_file(
            file, method=method, question=question, seats=seats, cause=operator_cause()
        )
        vote = civic.votes.get(vote_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        civic.close()
    result = vote["result"]
    labels = {o["id"]: o["label"] for o in vote["rules"]["options"]}
    click.echo(f"vote {vote_id}: {vote['ballot_count']:,} ballots from {file.name}, {method}")
    click.echo("  winners: " + "; ".join(labels[w] for w in result["winners"]))
    click.echo(f"  certify it with POST /votes/{vote_id}/certify")


@main.group()
def audit() -> None:
    """Export the log and verify it: checkpoints, Merkle roots, replay, tallies."""


@audit.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_log(file: Path) -> None:
    """Write the whole log, its signed checkpoints and its views to FILE (JSON lines)."""
    from application.verification import export  # noqa: PLC0415  # only this command needs it

    civic = open_civic()
    try:
        with progress_bar("exporting") as bar, file.open("wb") as out:
            task = bar.add_task("export", total=None)
            events = export(
                civic.ledger,
                civic.transparency,
                out,
                lambda done, total: bar.update(task, completed=done, total=total),
            )
        key = civic.transparency.verifier.text
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror}") from None
    finally:
        civic.close()
    click.echo(f"exported {events} events to {file}")
    click.echo(f"verify with: civic audit verify {file} --key {key}")


@audit.command("verify")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--live", is_flag=True, help="verify the configured database instead of a file")
@click.option(
    "--chain-only",
    is_flag=True,
    help="check leaves, roots and checkpoint signatures only, without the replay (much faster)",
)
@click.option(
    "--key",
    "key",
    metavar="VERIFIER_KEY",
    help="the log's key as published at GET /audit/key (verifier_key); "
    "without it the key named in the file is trusted",
)
def verify(file: Path | None, *, live: bool, chain_only: bool, key: str | None) -> None:
    """Check every checkpoint's signature and root, replay every event into a fresh database,
    rebuild every view, recount every tally; exit 1 naming the first position that differs.

    FILE needs no database. With --live, the configured database is checked instead, including
    rows changed, removed or reordered directly in SQL.
    """
    from application.checkpoints import CheckpointError, Verifier  # noqa: PLC0415
    from application.verification import verify_file, verify_live  # noqa: PLC0415

    if live == (file is not None):
        raise click.UsageError("give either FILE or --live")
    if live and chain_only:
        raise click.UsageError("--chain-only checks a FILE; --live always replays")
    try:
        trusted = Verifier.parse(key) if key else None
    except CheckpointError as exc:
        raise click.BadParameter(str(exc), param_hint="--key") from None
    with progress_bar("verifying") as bar:
        task = bar.add_task("verify", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if file is not None:
            report = verify_file(file, trusted, replay=not chain_only, progress=progress)
        else:
            civic = open_civic()
            try:
                report = verify_live(civic.ledger, civic.transparency, progress)
            finally:
                civic.close()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    timings = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.seconds.items())
    click.echo(
        f"{report.events} events, {report.checkpoints} signed checkpoints, "
        f"root {report.root_hash.hex()} ({timings})"
    )
    if report.problem is not None:
        raise click.ClickException(f"verification FAILED at {report.problem}")
    if chain_only:
        click.echo("verified: every leaf, root and checkpoint signature matches (no replay)")
    else:
        click.echo("verified: every checkpoint, root, view and tally matches")


@audit.command("checkpoint")
def checkpoint() -> None:
    """Sign a checkpoint of the log now (the server does so every second)."""
    civic = open_civic()
    try:
        signed = civic.transparency.issue_checkpoint() or civic.transparency.latest_checkpoint()
    except NotFound as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        civic.close()
    click.echo(signed.note, nl=False)


@main.command()
@click.option(
    "--method",
    "method",
    required=True,
    help="plurality, approval, schulze, irv, borda, copeland, stv, greedy or equal_shares",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--seats", default=1, show_default=True, type=click.IntRange(1), help="for stv")
@click.option("--budget", type=click.IntRange(1), help="for .pb files: instead of the file's own")
@click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
def tally(method: str, file: Path, seats: int, budget: int | None, *, as_json: bool) -> None:
    """Count a ballot file in a standard format (PrefLib .soc .soi .toc .toi .cat, Pabulib .pb)
    by METHOD, needing no database: the same tallies the votes use."""
    import json  # noqa: PLC0415  # only this command needs them

    from application.tally_files import tally_file  # noqa: PLC0415
    from application.votes import result_data  # noqa: PLC0415

    try:
        counted = tally_file(file, method, seats=seats, budget=budget)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    result, names = counted.result, counted.names
    if as_json:
        data = {"source": counted.source, "options": names, **result_data(result)}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"{counted.source}: {result.ballots:,} ballots, counted by {result.method}")
    label = "elected" if len(result.winners) > 1 else "winner"
    click.echo(f"  {label}: " + "; ".join(names.get(w, w) for w in result.winners))
    if result.tied:
        tied = ", ".join(names.get(t, t) for t in result.tied)
        click.echo(f"  tie between {tied}: broken by the tie-break order (first option first)")
    for place, group in enumerate(result.ranking, start=1):
        click.echo(f"  {place:>3}. " + " = ".join(names.get(o, o) for o in group))
