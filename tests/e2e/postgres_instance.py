"""A throwaway PostgreSQL server of a test's own, which it may stop and start at will.

Stopping the server of `CIVIC_TEST_POSTGRES_URL` would cut off every other test and developer
using it; this one lives in a temporary directory, on its own port, and goes with the test.
It runs Debian's binaries (those `.ci/postgres.sh` installs) as the `postgres` user, so it needs
root (PostgreSQL refuses to run as root itself) or to be that user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from .server import free_port

BINARIES = Path("/usr/lib/postgresql")
ROLE = "civic"
COMMAND_TIMEOUT = 60.0


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin directory, if any."""
    found = sorted(
        (p for p in BINARIES.glob("*/bin") if (p / "initdb").exists() and (p / "pg_ctl").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def cannot_run() -> str | None:
    """Why this process cannot run a PostgreSQL server of its own, or None if it can."""
    if binaries() is None:
        return f"no PostgreSQL binaries under {BINARIES} (bash .ci/postgres.sh installs them)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no `postgres` user to run a PostgreSQL server as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "stopping and starting a PostgreSQL server needs root or the `postgres` user"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "no `runuser` to run PostgreSQL as the `postgres` user"
    return None


class PostgresInstance:
    """`initdb` in a temporary directory, then `pg_ctl start` and `stop` on a free port."""

    def __init__(self) -> None:
        bin_dir = binaries()
        assert bin_dir is not None, cannot_run()
        self._bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="civic-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "postgresql.log"
        self.root.chmod(0o755)
        postgres = pwd.getpwnam("postgres")
        os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
        self._run(
            "initdb", "-D", str(self.data), "-U", ROLE, "--auth=trust", "-E", "UTF8", "--no-sync"
        )

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of its `postgres` database, as its superuser `civic`."""
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "start", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; `immediate` aborts every session, as a crash would (it recovers from
        its write-ahead log at the next start)."""
        self._run("pg_ctl", "stop", "-D", str(self.data), "-m", mode, "-w")

    def remove(self) -> None:
        """Stop the server if it runs, and delete its files."""
        status = self._run("pg_ctl", "status", "-D", str(self.data), check=False)
        if status.returncode == 0:
            self.stop("fast")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(
        self, program: str, *args: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        command = [str(self._bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        completed = subprocess.run(
            command,
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if check and completed.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} exited {completed.returncode}:\n"
                f"{completed.stderr}\n{log[-2000:]}"
            )
        return completed
