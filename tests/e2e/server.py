"""The real `civic` console script as the tests drive it: `serve` in a subprocess, and one-shot
commands such as `accounts create`, each on a database named by `CIVIC_DATABASE_URL`. The accounts
a scene needs are opened in the test's process as that command opens them (`open_account`): a
`civic` start costs seconds; test_cli runs `civic accounts create` itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

import httpx
import pytest

from application.settings import Settings
from application.system import CivicLedger
from interfaces.cli import open_account as open_account_as_cli

CIVIC = Path(sys.executable).parent / "civic"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
COMMAND_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class Account:
    """An account opened with `civic accounts create`: its id is the actor of its events."""

    id: str
    name: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """The `Authorization` header that authenticates as this account."""
        return {"Authorization": f"Bearer {self.token}"}


def civic(database_url: str, workdir: Path, *args: str, input: str | None = None) -> str:  # noqa: A002  # subprocess.run's name
    """Run `civic ARGS` on the database to completion, with `input` on its standard input, and
    return its stdout (fail on exit != 0)."""
    completed = subprocess.run(
        [str(CIVIC), *args],
        env={**os.environ, "CIVIC_DATABASE_URL": database_url},
        cwd=workdir,
        input=input,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(
            f"`civic {' '.join(args)}` exited {completed.returncode}:\n{completed.stderr}",
            pytrace=False,
        )
    return completed.stdout


def settings_for(database_url: str, workdir: Path) -> Settings:
    """The settings a `civic` command run in `workdir` reads: the environment's, on the database,
    a relative signing key (PostgreSQL's default) found in `workdir` as the server finds it."""
    settings = Settings.from_env({**os.environ, "CIVIC_DATABASE_URL": database_url})
    key = settings.signing_key_path()
    return settings if key.is_absolute() else replace(settings, signing_key_file=workdir / key)


def open_account(
    database_url: str,
    workdir: Path,
    name: str,
    roles: Sequence[str],
    *,
    email: str | None = None,
    password: str | None = None,
) -> Account:
    """Open an account in this process as `civic accounts create` does (same settings, same
    service, the operator as its actor), which spares a `civic` start (seconds) per account.
    Another process than the server's all the same: the server must see what it did not open."""
    civic = CivicLedger(settings_for(database_url, workdir))
    try:
        opened, token = open_account_as_cli(civic, name, roles, email=email, password=password)
    finally:
        civic.close()
    return Account(id=str(opened), name=name, token=token)


def create_account(database_url: str, workdir: Path, name: str, *roles: str) -> Account:
    """Open an account for a scene (in this process: see `open_account`)."""
    return open_account(database_url, workdir, name, roles)


def create_account_with_password(
    database_url: str, workdir: Path, name: str, email: str, password: str, *roles: str
) -> Account:
    """Open an account that can sign in on the web pages with `email` and `password`."""
    return open_account(database_url, workdir, name, roles, email=email, password=password)


def create_account_by_cli(
    database_url: str,
    workdir: Path,
    name: str,
    *roles: str,
    email: str | None = None,
    password: str | None = None,
) -> Account:
    """Open an account with the `civic accounts create` console script, a process of its own
    (`--email` and `--password-stdin` when an e-mail is given); its output is
    `account <id> (<roles>) token: <token>`."""
    role_options = [option for role in roles for option in ("--role", role)]
    login = [] if email is None else ["--email", email, "--password-stdin"]
    stdin = None if email is None else f"{password}\n"
    words = civic(
        database_url, workdir, "accounts", "create", name, *role_options, *login, input=stdin
    ).split()
    assert words[0] == "account", words
    return Account(id=words[1], name=name, token=words[-1])


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """`civic serve` in a subprocess on its own port, its output kept in files under `workdir`."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._stderr_path = workdir / f"serve-{self.port}.stderr"
        self._process: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []
        self.runs = 0

    def start(self) -> None:
        """Start the server and wait until `GET /health` answers (fail with its stderr if not)."""
        self.runs += 1
        run = "" if self.runs == 1 else f"-{self.runs}"  # a restart keeps the earlier run's log
        self._stderr_path = self.workdir / f"serve-{self.port}{run}.stderr"
        stdout = (self.workdir / f"serve-{self.port}{run}.stdout").open("wb")
        stderr = self._stderr_path.open("wb")
        self._logs = [stdout, stderr]
        self._process = subprocess.Popen(
            [str(CIVIC), "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env={**os.environ, "CIVIC_DATABASE_URL": self.database_url},
            cwd=self.workdir,
            stdout=stdout,
            stderr=stderr,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._reap()
                pytest.fail(f"`civic serve` exited {self._process.returncode}:\n{self.stderr()}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"`civic serve` did not answer within {START_TIMEOUT} s:\n{self.stderr()}")

    def stop(self) -> None:
        """Ask the server to shut down (SIGTERM); kill it if it has not within the timeout."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._reap()

    def kill(self) -> None:
        """Kill the server outright (SIGKILL), as a crash or an out-of-memory killer would."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._reap()
        assert self._process.returncode == -signal.SIGKILL

    def restart(self) -> None:
        """Start the server again, on the same port and database, once the last run has ended."""
        assert self._process is not None
        assert self._process.poll() is not None, "the server still runs"
        self.start()

    def stderr(self) -> str:
        """What the server (its current or last run) wrote to stderr so far: its log."""
        return self._stderr_path.read_text(errors="replace")

    def _reap(self) -> None:
        """Wait for the process to end and close its log files."""
        if self._process is not None:
            self._process.wait()
        for log in self._logs:
            log.close()
        self._logs = []


@contextmanager
def serving(database_url: str, workdir: Path) -> Iterator[Server]:
    """A started server on the database, stopped when the block ends."""
    server = Server(database_url, workdir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
