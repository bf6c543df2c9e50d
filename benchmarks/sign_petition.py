"""How fast can citizens sign one petition over HTTP, and how far is that from the hardware?

The target: the UK Parliament petitions site peaked at nearly 2,000 signatures a minute (about
33/s) in March 2019 and went down under it. civic-ledger aims at 100 times that, 3,300
signatures/s sustained over HTTP, with live counts, on a 2-core machine, on SQLite and on
PostgreSQL. This script says where the current code stands and what bounds it.

For each backend it works on a fresh database (a temporary SQLite file, or a PostgreSQL database
`bench_<hex>` created for the run and dropped after it) and measures:

1. HTTP signing, the headline figure. N citizen accounts and one open petition with two
   thresholds (N/2 -> citizen_vote, N -> official_response) are prepared through the
   application layer in transactions of 500 commands, then the real server (`civic serve`, a
   subprocess) is driven by C concurrent keep-alive connections (an `httpx.AsyncClient` each;
   `--client raw` for a minimal asyncio client that costs ~10x less CPU per request): every
   account signs once with `POST /petitions/{id}/signatures` and its bearer token. The first
   `--warmup` completions are excluded from the sustained rate and the latency percentiles.
   Every response must be 201, and afterwards the petition must read `signature_count == N`
   with both thresholds reached; otherwise the run fails (exit status 1). Then `GET /health`
   with the same concurrency gives the ceiling of the HTTP stack alone on this machine
   (uvicorn, Litestar, the middleware and the load generator, no database work).
2. The physical limit: single-row INSERT + COMMIT transactions into a scratch table shaped like
   the event store's (bigint id, uuid, int, text topic, ~300-byte blob, unique (uuid, int)
   index) with SQLAlchemy Core on the same URL, from one connection and from C threads each
   with its own connection (on SQLite under an in-process lock, as the event store does: SQLite
   has one writer at a time, so there the threaded figure cannot exceed the single one).
3. The application write path without HTTP, single-threaded and in-process: `accounts.open`
   (one `Ledger.record` of a new aggregate: events plus read-model projection in one
   transaction) and `petitions.sign` (the very command the HTTP route calls).

The ratios printed at the end place the HTTP figure against those rates and the target. The CPU
use of the server, the load generator and PostgreSQL during the measured phase shows whether the
2 cores are saturated (the load generator runs on the same machine, so it takes its share).
A machine that is busy before the run is reported, since any other work skews every figure.
`--profile DIR` also samples the server with py-spy during the measured phase and prints the
functions with the most self time and how our own layers divide the time (the profiled run is
slower; take its rates as indicative only).

Run `python benchmarks/sign_petition.py --help`; `--quick` is a smoke run of under 30 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO
from uuid import UUID, uuid4

import httpx
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    create_engine,
    insert,
    make_url,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from application.settings import Settings
from application.system import CivicLedger
from domain.account import Role
from domain.events import Cause
from domain.petition import Threshold

DEFAULT_POSTGRES_URL = "postgresql+psycopg://civic:civic@127.0.0.1:5432/civic"
POSTGRES_URL_ENV = "CIVIC_BENCH_POSTGRES_URL"
UK_PEAK_PER_SECOND = 33  # UK petitions site, March 2019: ~2,000 signatures a minute
TARGET_PER_SECOND = 100 * UK_PEAK_PER_SECOND  # 3,300 signatures/s sustained over HTTP
PREPARE_BATCH = 500  # commands per transaction while preparing (as interfaces/demo.py does)
SERVER_START_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 120.0
ROW_BLOB_BYTES = 300  # a stored Signature.Signed event is ~380 bytes of JSON
PROFILE_TOP = 25
SHOWN_FAILURES = 5
BENCH_ACTOR = "system:benchmark"
CODE_ROOT = Path(sys.modules[CivicLedger.__module__].__file__ or ".").resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Options:
    """The resolved command line."""

    backends: tuple[str, ...]
    postgres_url: str
    signatures: int
    concurrency: int
    warmup: int
    raw_rows: int
    inprocess: int
    health_requests: int
    client: str
    json_path: Path | None
    profile_dir: Path | None
    profile_mode: str
    py_spy: str | None
    command_line: str


@dataclass(slots=True)
class HttpFigures:
    """The signing phase over HTTP."""

    signatures: int
    warmup: int
    concurrency: int
    total_seconds: float
    measured_seconds: float
    per_second: float
    latency_ms: dict[str, float]
    slowest_second: int | None
    fastest_second: int | None
    statuses: dict[str, int]
    failures: list[str]
    cpu_cores: dict[str, float]
    signature_count: int | None = None
    thresholds_reached: list[str] = field(default_factory=list)


@dataclass(slots=True)
class BackendFigures:
    """Everything measured on one backend."""

    backend: str
    prepare_seconds: float
    prepared_accounts: int
    http: HttpFigures | None = None
    health_per_second: float | None = None
    health_cpu_cores: dict[str, float] = field(default_factory=dict)
    raw_single_per_second: float | None = None
    raw_threaded_per_second: float | None = None
    inprocess_accounts_per_second: float | None = None
    inprocess_signatures_per_second: float | None = None
    ratios: dict[str, float] = field(default_factory=dict)
    profile: ProfileSummary | None = None
    problems: list[str] = field(default_factory=list)


# -- command line ----------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None = None) -> Options:
    """Read the command line; `--quick` changes the defaults, explicit options still win."""
    parser = argparse.ArgumentParser(
        description="Sign one petition from N accounts over HTTP; compare with raw insert rates.",
    )
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres", "both"],
        default=None,
        help="default: both if PostgreSQL answers at --postgres-url, else sqlite",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL,
        help=f"a role with CREATEDB (env {POSTGRES_URL_ENV}); a database is created per run "
        "(default: %(default)s)",
    )
    parser.add_argument("--signatures", type=int, default=None, help="N (default 5000; quick 300)")
    parser.add_argument(
        "--concurrency", type=int, default=None, help="C connections (default 32; quick 8)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="first completions excluded from rate and latency (default 500; quick 50)",
    )
    parser.add_argument(
        "--raw-rows",
        type=int,
        default=None,
        help="rows per raw insert measurement (default 2000; quick 200)",
    )
    parser.add_argument(
        "--health-requests",
        type=int,
        default=None,
        help="GET /health requests for the HTTP stack's ceiling (default 3000; quick 300)",
    )
    parser.add_argument(
        "--inprocess",
        type=int,
        default=None,
        help="commands per in-process measurement (default 2000; quick 100)",
    )
    parser.add_argument(
        "--client",
        choices=["httpx", "raw"],
        default="httpx",
        help="the load generator's connections: httpx.AsyncClient (one per connection) or a "
        "minimal asyncio HTTP/1.1 client that needs ~10x less CPU per request (default: httpx)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run of under ~30 s")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        metavar="DIR",
        help="sample the server with py-spy during the measured phase; raw stacks go to DIR",
    )
    parser.add_argument(
        "--profile-mode",
        choices=["gil", "active"],
        default="gil",
        help="gil: samples of the thread holding the GIL (the server's CPU, as it is one Python "
        "process); active: every thread not idle (also shows lock and I/O waits); default gil",
    )
    parser.add_argument(
        "--py-spy", default=None, help="the py-spy executable (default: py-spy on PATH)"
    )
    args = parser.parse_args(argv)
    quick = bool(args.quick)

    def pick(value: int | None, full: int, smoke: int) -> int:
        return value if value is not None else (smoke if quick else full)

    signatures = pick(args.signatures, 5_000, 300)
    concurrency = pick(args.concurrency, 32, 8)
    warmup = pick(args.warmup, 500, 50)
    if signatures < 2:
        parser.error("--signatures must be at least 2 (two thresholds: N/2 and N)")
    if concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if not 0 <= warmup < signatures:
        parser.error("--warmup must be at least 0 and below --signatures")
    py_spy = None
    if args.profile is not None:
        py_spy = args.py_spy or shutil.which("py-spy")
        if py_spy is None:
            parser.error("--profile needs py-spy (on PATH, or give --py-spy)")
    postgres_url = str(args.postgres_url)
    backend = args.backend
    if backend is None:
        backend = "both" if postgres_reachable(postgres_url) else "sqlite"
    backends = ("sqlite", "postgres") if backend == "both" else (str(backend),)
    return Options(
        backends=backends,
        postgres_url=postgres_url,
        signatures=signatures,
        concurrency=concurrency,
        warmup=warmup,
        raw_rows=pick(args.raw_rows, 2_000, 200),
        inprocess=pick(args.inprocess, 2_000, 100),
        health_requests=pick(args.health_requests, 3_000, 300),
        client=str(args.client),
        json_path=args.json,
        profile_dir=args.profile,
        profile_mode=str(args.profile_mode),
        py_spy=py_spy,
        command_line=shlex.join([sys.executable, *sys.argv]),
    )


# -- databases -------------------------------------------------------------------------------


def postgres_reachable(url: str) -> bool:
    """True if a connection to `url` succeeds within a couple of seconds."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@contextmanager
def fresh_database(backend: str, postgres_url: str) -> Iterator[str]:
    """The URL of an empty database, removed afterwards whatever happens."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="civic-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        return
    name = f"bench_{secrets.token_hex(6)}"  # hex only: safe to put in the statements below
    admin = create_engine(postgres_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def open_civic(url: str) -> Iterator[CivicLedger]:
    """The application layer on `url`, closed (pool included) afterwards."""
    civic = CivicLedger(Settings(database_url=url))
    try:
        yield civic
    finally:
        civic.close()
        civic.ledger.engine.dispose()  # close() leaves the engine's pool open


def bench_cause() -> Cause:
    """The envelope of the benchmark's own commands."""
    return Cause(actor=BENCH_ACTOR, correlation_id=f"bench-{uuid4()}")


def prepare(url: str, signatures: int) -> tuple[UUID, list[str], float]:
    """Open N citizens and an open petition; returns its id, their tokens and the seconds taken."""
    started = time.perf_counter()
    tokens: list[str] = []
    with open_civic(url) as civic:
        for first in range(0, signatures, PREPARE_BATCH):
            with civic.ledger.transaction():
                for n in range(first, min(first + PREPARE_BATCH, signatures)):
                    _, token = civic.accounts.open(
                        name=f"Citizen {n + 1:06d}", roles=[Role.CITIZEN], cause=bench_cause()
                    )
                    tokens.append(token)
        petition_id = civic.petitions.lodge(
            title="Benchmark: one petition, many signatures",
            text="Signed once by every prepared citizen, as fast as the server allows.",
            deadline=None,
            thresholds=[
                Threshold(signatures // 2, "citizen_vote"),
                Threshold(signatures, "official_response"),
            ],
            cause=bench_cause(),
        )
        civic.petitions.decide_admissibility(petition_id, admissible=True, cause=bench_cause())
    return petition_id, tokens, time.perf_counter() - started


# -- CPU accounting --------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class CpuSample:
    """CPU seconds used so far: by the whole machine, the server, this process and PostgreSQL."""

    at: float
    machine: float
    server: float
    client: float
    postgres: dict[int, float]


def _process_cpu(pid: int) -> float | None:
    """user + system CPU seconds of `pid` (all its threads), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _postgres_cpu() -> dict[int, float]:
    """CPU seconds of every process named `postgres` (the server and its backends)."""
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue
        seconds = _process_cpu(int(entry.name))
        if seconds is not None:
            used[int(entry.name)] = seconds
    return used


def sample_cpu(server_pid: int) -> CpuSample:
    """A snapshot to subtract from a later one."""
    first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in first[:8]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return CpuSample(
        at=time.perf_counter(),
        machine=busy / CLOCK_TICKS,
        server=_process_cpu(server_pid) or 0.0,
        client=time.process_time(),
        postgres=_postgres_cpu(),
    )


def cores_busy(before: CpuSample, after: CpuSample, *, postgres: bool) -> dict[str, float]:
    """Average cores used between two samples (a backend started meanwhile counts from 0)."""
    wall = max(after.at - before.at, 1e-9)
    figures = {
        "machine": (after.machine - before.machine) / wall,
        "server": (after.server - before.server) / wall,
        "load generator": (after.client - before.client) / wall,
    }
    if postgres:
        used = sum(s - before.postgres.get(pid, 0.0) for pid, s in after.postgres.items())
        figures["postgres"] = used / wall
    # Anything else running on the machine (another job would make the figures unreliable).
    ours = sum(v for k, v in figures.items() if k != "machine")
    figures["other"] = max(0.0, figures["machine"] - ours)
    return figures


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def civic_executable() -> str:
    """The `civic` console script of the interpreter running this benchmark."""
    beside = Path(sys.executable).with_name("civic")
    if beside.exists():
        return str(beside)
    found = shutil.which("civic")
    if found is None:
        raise SystemExit("cannot find the `civic` console script: run `make env` first")
    return found


def log_tail(log: Path, lines: int = 20) -> str:
    """The last lines of the server's log, for an error message."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@contextmanager
def running_server(url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`civic serve` on a free port with CIVIC_DATABASE_URL=url; stopped afterwards."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  # our own console script, fixed arguments
            [civic_executable(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, "CIVIC_DATABASE_URL": url},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}:\n{log_tail(log)}")
            try:
                if httpx.get(f"{base_url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer /health:\n{log_tail(log)}")
            time.sleep(0.1)
        print(f"  server pid {process.pid} on {base_url} (log: {log})", file=sys.stderr)
        yield base_url, process
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes], grace: float = 15.0) -> None:
    """Interrupt `process` (a graceful stop for uvicorn and py-spy), kill it if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the profiler ----------------------------------------------------------------------------


class Profiler:
    """py-spy sampling the server between `start()` and `stop()`, in collapsed-stack format."""

    def __init__(self, py_spy: str, pid: int, output: Path, *, gil: bool) -> None:
        self._command = [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--rate",
            "100",
            "--nonblocking",
            *(["--gil"] if gil else []),
            "--output",
            str(output),
        ]
        self.output = output
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Begin sampling."""
        self._process = subprocess.Popen(  # noqa: S603  # the py-spy the user named
            self._command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        """Stop sampling; py-spy writes its file on SIGINT."""
        if self._process is not None:
            stop_process(self._process, grace=30.0)
            self._process = None


OUR_PACKAGES = ("application", "domain", "interfaces")


def _frame_location(frame: str) -> tuple[str, str]:
    """A py-spy frame `function (path:line)` as (function, path)."""
    name, _, location = frame.rpartition(" (")
    return (name, location.rstrip(")").rpartition(":")[0]) if name else (frame, "")


def _package(path: str) -> str:
    """The top-level package of a path as py-spy prints it (relative to its sys.path entry)."""
    if not path:
        return "unknown"
    if path.startswith("<"):
        return "builtins"
    top, slash, _ = path.partition("/")
    return top if slash else f"{Path(path).stem} (module)"


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    """Shares of the samples (percent): self time by function and package, and the inclusive
    time of this project's own functions (how the work divides between the layers)."""

    functions: list[tuple[str, float]]
    packages: list[tuple[str, float]]
    ours_inclusive: list[tuple[str, float]]
    samples: int


def summarise_profile(raw: Path) -> ProfileSummary:
    """Read py-spy's collapsed stacks (`frame;frame;... count`, root first)."""
    functions: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_location(f) for f in stack.split(";")]
        name, path = frames[-1]
        functions[f"{name} ({path})"] += count
        packages[_package(path)] += count
        for name, path in {f for f in frames if _package(f[1]) in OUR_PACKAGES}:
            ours[f"{name} ({path})"] += count
        total += count

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(k, 100 * n / total) for k, n in counter.most_common(PROFILE_TOP)]

    if not total:
        return ProfileSummary([], [], [], 0)
    return ProfileSummary(shares(functions), shares(packages), shares(ours), total)


# -- HTTP signing ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """One request: when it started and ended (perf_counter) and its status or error name."""

    started: float
    ended: float
    status: str


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(fraction * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


class Connection(Protocol):
    """One keep-alive HTTP/1.1 connection of the load generator."""

    async def request(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
        """Send a request without a body; the status and the body's first characters."""
        ...

    async def aclose(self) -> None:
        """Close the connection."""
        ...


class HttpxConnection:
    """An `httpx.AsyncClient` limited to one connection.

    One client per connection rather than one pool of C: httpx's pool costs more CPU per request
    as it grows (~3.6 ms at 32 connections against ~1.4 ms for 32 clients, here), CPU that the
    load generator takes from the server on a 2-core machine.
    """

    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
            timeout=REQUEST_TIMEOUT_SECONDS,
        )

    async def request(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
        """Send a request without a body; the status and the body's first characters."""
        response = await self._client.request(method, path, headers=headers)
        return response.status_code, response.text[:300]

    async def aclose(self) -> None:
        """Close the connection."""
        await self._client.aclose()


class RawConnection:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (~0.1 ms of CPU per request).

    Enough for this server's responses (which always carry Content-Length); for when the
    server outgrows what httpx can generate on the same cores.
    """

    def __init__(self, base_url: str) -> None:
        self._address = httpx.URL(base_url)
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str]:
        """Send a request without a body; the status and the body's first characters."""
        if self._streams is None:
            host, port = self._address.host, self._address.port or 80
            self._streams = await asyncio.open_connection(host, port)
        reader, writer = self._streams
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._address.netloc.decode()}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += ["Content-Length: 0", "", ""]
        writer.write("\r\n".join(lines).encode("latin-1"))
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        if "content-length" not in fields:
            raise RuntimeError(f"no Content-Length in the response to {method} {path}")
        body = await reader.readexactly(int(fields["content-length"]))
        if fields.get("connection", "").lower() == "close":
            await self.aclose()
        return status, body[:300].decode(errors="replace")

    async def aclose(self) -> None:
        """Close the connection."""
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()
            with suppress(OSError):
                await writer.wait_closed()


def connect(kind: str, base_url: str) -> Connection:
    """A load-generator connection of the chosen kind."""
    return RawConnection(base_url) if kind == "raw" else HttpxConnection(base_url)


async def _sign_all(
    base_url: str,
    petition_id: UUID,
    *,
    tokens: Sequence[str],
    options: Options,
    on_warm: Callable[[], None],
) -> tuple[list[Outcome], list[str], float]:
    """Every token signs once over C connections; outcomes in completion order."""
    outcomes: list[Outcome] = []
    failures: list[str] = []
    work = iter(enumerate(tokens))
    path = f"/petitions/{petition_id}/signatures"
    connections = [connect(options.client, base_url) for _ in range(options.concurrency)]

    async def worker(connection: Connection) -> None:
        for n, token in work:  # one shared iterator: each account is taken exactly once
            headers = {"Authorization": f"Bearer {token}", "X-Correlation-ID": f"bench-{n}"}
            started = time.perf_counter()
            try:
                code, body = await connection.request("POST", path, headers)
                status = str(code)
                if code != 201 and len(failures) < SHOWN_FAILURES:
                    failures.append(f"{status}: {body}")
            except (httpx.HTTPError, OSError, asyncio.IncompleteReadError) as exc:
                status = type(exc).__name__
                if len(failures) < SHOWN_FAILURES:
                    failures.append(f"{status}: {exc}")
                await connection.aclose()  # a raw connection reconnects on its next request
            outcomes.append(Outcome(started, time.perf_counter(), status))
            if len(outcomes) == options.warmup:
                on_warm()

    started = time.perf_counter()
    if options.warmup == 0:
        on_warm()
    try:
        await asyncio.gather(*(worker(c) for c in connections))
    finally:
        for connection in connections:
            await connection.aclose()
    return outcomes, failures, started


def measure_http(
    base_url: str,
    server: subprocess.Popen[bytes],
    petition_id: UUID,
    *,
    tokens: Sequence[str],
    options: Options,
    profiler: Profiler | None,
    postgres: bool,
) -> HttpFigures:
    """Drive the signing and summarise it (the measured phase starts after the warm-up)."""
    marks: list[CpuSample] = []

    def on_warm() -> None:
        marks.append(sample_cpu(server.pid))
        if profiler is not None:
            profiler.start()

    outcomes, failures, started = asyncio.run(
        _sign_all(base_url, petition_id, tokens=tokens, options=options, on_warm=on_warm)
    )
    end_sample = sample_cpu(server.pid)
    if profiler is not None:
        profiler.stop()
    ended = outcomes[-1].ended
    mark = outcomes[options.warmup - 1].ended if options.warmup else started
    measured = outcomes[options.warmup :]
    seconds = max(ended - mark, 1e-9)
    latencies = sorted(1000 * (o.ended - o.started) for o in measured)
    buckets = Counter(int(o.ended - mark) for o in measured)
    full = [buckets.get(s, 0) for s in range(int(seconds))]  # whole seconds only
    return HttpFigures(
        signatures=len(outcomes),
        warmup=options.warmup,
        concurrency=options.concurrency,
        total_seconds=ended - started,
        measured_seconds=seconds,
        per_second=len(measured) / seconds,
        latency_ms={
            "p50": percentile(latencies, 0.50),
            "p90": percentile(latencies, 0.90),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if latencies else float("nan"),
        },
        slowest_second=min(full) if len(full) >= 2 else None,
        fastest_second=max(full) if len(full) >= 2 else None,
        statuses=dict(Counter(o.status for o in outcomes)),
        failures=failures,
        cpu_cores=cores_busy(marks[0], end_sample, postgres=postgres) if marks else {},
    )


async def _get_many(base_url: str, path: str, options: Options) -> float:
    """`--health-requests` GETs of `path` over C connections; the requests per second."""
    remaining = iter(range(options.health_requests))
    connections = [connect(options.client, base_url) for _ in range(options.concurrency)]

    async def worker(connection: Connection) -> None:
        for _ in remaining:
            code, body = await connection.request("GET", path, {})
            if code != 200:
                raise RuntimeError(f"GET {path} answered {code}: {body}")

    try:
        for connection in connections:  # connect before the clock starts
            await connection.request("GET", path, {})
        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in connections))
        return options.health_requests / (time.perf_counter() - started)
    finally:
        for connection in connections:
            await connection.aclose()


def measure_health(
    base_url: str, server: subprocess.Popen[bytes], options: Options, *, postgres: bool
) -> tuple[float, dict[str, float]]:
    """The HTTP stack's ceiling here (no database work), and the cores busy meanwhile."""
    before = sample_cpu(server.pid)
    rate = asyncio.run(_get_many(base_url, "/health", options))
    return rate, cores_busy(before, sample_cpu(server.pid), postgres=postgres)


def check_petition(base_url: str, petition_id: UUID, figures: HttpFigures, n: int) -> list[str]:
    """Read the petition back: the live count and both thresholds must be there."""
    response = httpx.get(f"{base_url}/petitions/{petition_id}", timeout=30.0)
    if response.status_code != 200:
        return [f"GET /petitions/{petition_id} answered {response.status_code}"]
    body: dict[str, Any] = response.json()
    figures.signature_count = int(body["signature_count"])
    figures.thresholds_reached = [str(t["consequence"]) for t in body["thresholds_reached"]]
    problems = []
    if figures.signature_count != n:
        problems.append(f"signature_count is {figures.signature_count}, expected {n}")
    missing = {"citizen_vote", "official_response"} - set(figures.thresholds_reached)
    if missing:
        problems.append(f"thresholds not reached: {', '.join(sorted(missing))}")
    return problems


# -- the physical limit and the in-process write path ----------------------------------------


def scratch_table() -> Table:
    """A table shaped like the event store's: about the row size of a stored signature."""
    return Table(
        "bench_scratch",
        MetaData(),
        Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
        Column("originator_id", Uuid, nullable=False),
        Column("originator_version", Integer, nullable=False),
        Column("topic", Text, nullable=False),
        Column("state", LargeBinary, nullable=False),
        Index("bench_scratch_aggregate", "originator_id", "originator_version", unique=True),
    )


def _insert_rows(
    engine: Engine, table: Table, rows: int, blob: bytes, lock: AbstractContextManager[Any]
) -> None:
    """`rows` transactions of one INSERT each, on one connection, each under `lock`."""
    statement = insert(table)
    with engine.connect() as connection:
        for _ in range(rows):
            with lock:
                connection.execute(
                    statement,
                    {
                        "originator_id": uuid4(),
                        "originator_version": 1,
                        "topic": "domain.signature:Signature.Signed",
                        "state": blob,
                    },
                )
                connection.commit()


def measure_raw_inserts(url: str, rows: int, threads: int) -> tuple[float, float]:
    """Single-row committed inserts per second: from one connection, then from `threads`.

    On SQLite the threads take an in-process lock around each transaction, as the event store
    does: left to SQLite's busy handler, which backs off by sleeping, the threaded rate collapses
    and varies twentyfold from run to run.
    """
    sqlite = url.startswith("sqlite")
    writers: AbstractContextManager[Any] = threading.Lock() if sqlite else nullcontext()
    engine = create_engine(
        url,
        pool_size=threads + 1,
        max_overflow=0,
        # SQLite writers wait for each other: give the busy handler room rather than fail.
        connect_args={"timeout": 60} if sqlite else {},
    )
    table = scratch_table()
    blob = os.urandom(ROW_BLOB_BYTES)
    try:
        table.create(engine)
        _insert_rows(engine, table, min(50, rows), blob, nullcontext())  # warm up
        started = time.perf_counter()
        _insert_rows(engine, table, rows, blob, nullcontext())
        single = rows / (time.perf_counter() - started)

        share, extra = divmod(rows, threads)
        barrier = threading.Barrier(threads + 1)

        def one_thread(count: int) -> None:
            with engine.connect():
                pass  # open this thread's connection before the clock starts
            barrier.wait()
            _insert_rows(engine, table, count, blob, writers)

        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [pool.submit(one_thread, share + (i < extra)) for i in range(threads)]
            barrier.wait()
            started = time.perf_counter()
            for future in futures:
                future.result()
            threaded = rows / (time.perf_counter() - started)
        table.drop(engine)
    finally:
        engine.dispose()
    return single, threaded


def measure_inprocess(url: str, commands: int) -> tuple[float, float]:
    """`accounts.open` and `petitions.sign` per second, one thread, one transaction each."""
    with open_civic(url) as civic:
        for _ in range(min(50, commands)):  # warm up
            civic.accounts.open(name="Warm-up", roles=[Role.CITIZEN], cause=bench_cause())
        started = time.perf_counter()
        for n in range(commands):
            civic.accounts.open(name=f"Solo {n:06d}", roles=[Role.CITIZEN], cause=bench_cause())
        accounts = commands / (time.perf_counter() - started)

        petition_id = civic.petitions.lodge(
            title="Benchmark: in-process signatures",
            text="Signed without HTTP, to isolate the application's write path.",
            deadline=None,
            thresholds=[],
            cause=bench_cause(),
        )
        civic.petitions.decide_admissibility(petition_id, admissible=True, cause=bench_cause())
        signers = [str(uuid4()) for _ in range(commands + 50)]
        for signer in signers[:50]:
            civic.petitions.sign(petition_id, signer=signer, cause=bench_cause())
        started = time.perf_counter()
        for signer in signers[50:]:
            civic.petitions.sign(petition_id, signer=signer, cause=bench_cause())
        signatures = commands / (time.perf_counter() - started)
    return accounts, signatures


# -- one backend -----------------------------------------------------------------------------


def run_backend(backend: str, options: Options) -> BackendFigures:
    """Prepare, sign over HTTP, then measure the limits, on a fresh database."""
    print(f"\n[{backend}] preparing {options.signatures} accounts and a petition", file=sys.stderr)
    with fresh_database(backend, options.postgres_url) as url, ExitStack() as stack:
        petition_id, tokens, prepare_seconds = prepare(url, options.signatures)
        figures = BackendFigures(
            backend=backend, prepare_seconds=prepare_seconds, prepared_accounts=len(tokens)
        )
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="civic-bench-log-")))
        print(f"[{backend}] signing over HTTP", file=sys.stderr)
        with running_server(url, logs / "server.log") as (base_url, server):
            profiler = None
            if options.profile_dir is not None and options.py_spy is not None:
                options.profile_dir.mkdir(parents=True, exist_ok=True)
                raw = options.profile_dir / f"{backend}-server-{options.profile_mode}.txt"
                profiler = Profiler(
                    options.py_spy, server.pid, raw, gil=options.profile_mode == "gil"
                )
            try:
                http = measure_http(
                    base_url,
                    server,
                    petition_id,
                    tokens=tokens,
                    options=options,
                    profiler=profiler,
                    postgres=backend == "postgres",
                )
            finally:
                if profiler is not None:
                    profiler.stop()
            figures.http = http
            if http.statuses != {"201": len(tokens)}:
                figures.problems.append(f"not all responses were 201: {http.statuses}")
            figures.problems.extend(check_petition(base_url, petition_id, http, len(tokens)))
            figures.health_per_second, figures.health_cpu_cores = measure_health(
                base_url, server, options, postgres=backend == "postgres"
            )
        if figures.problems:  # keep the server's log, whose directory is about to go
            kept = Path(tempfile.mkdtemp(prefix="civic-bench-failed-")) / "server.log"
            shutil.copyfile(logs / "server.log", kept)
            figures.problems.append(f"the server's log is kept in {kept}")
        if profiler is not None and profiler.output.exists():
            figures.profile = summarise_profile(profiler.output)
        print(f"[{backend}] raw inserts and in-process commands", file=sys.stderr)
        figures.raw_single_per_second, figures.raw_threaded_per_second = measure_raw_inserts(
            url, options.raw_rows, options.concurrency
        )
        (
            figures.inprocess_accounts_per_second,
            figures.inprocess_signatures_per_second,
        ) = measure_inprocess(url, options.inprocess)
    figures.ratios = ratios(figures)
    return figures


def ratios(figures: BackendFigures) -> dict[str, float]:
    """The HTTP rate against each reference rate."""
    if figures.http is None:
        return {}
    rate = figures.http.per_second
    references = {
        "HTTP / GET /health ceiling": figures.health_per_second,
        "HTTP / raw insert, 1 thread": figures.raw_single_per_second,
        "HTTP / raw insert, C threads": figures.raw_threaded_per_second,
        "HTTP / in-process account opens": figures.inprocess_accounts_per_second,
        "HTTP / in-process signatures": figures.inprocess_signatures_per_second,
        f"HTTP / target {TARGET_PER_SECOND:,}/s": float(TARGET_PER_SECOND),
    }
    return {name: rate / ref for name, ref in references.items() if ref}


# -- report ----------------------------------------------------------------------------------


def busy_before(seconds: float = 2.0) -> float:
    """Cores busy on the machine while this script waits: other work skews every figure."""
    before = sample_cpu(os.getpid())
    time.sleep(seconds)
    after = sample_cpu(os.getpid())
    return (after.machine - before.machine) / (after.at - before.at)


def code_version() -> str:
    """The commit of the application code measured, `-dirty` if its working tree has changes."""
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        described = subprocess.run(  # noqa: S603  # git itself, fixed arguments
            [git, "describe", "--always", "--dirty"],
            cwd=CODE_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return described.stdout.strip()


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "code": f"{code_version()} ({CODE_ROOT})",
    }


def print_report(figures: BackendFigures, options: Options, out: TextIO) -> None:
    """The table of one backend."""
    c = options.concurrency

    def row(label: str, value: str) -> None:
        print(f"  {label:<44} {value}", file=out)

    def rate(value: float | None) -> str:
        return "-" if value is None else f"{value:>10,.0f} /s"

    print(f"\n== {figures.backend} ==", file=out)
    row(
        "prepared (500 commands per transaction)",
        f"{figures.prepared_accounts:,} accounts in {figures.prepare_seconds:.1f} s "
        f"({figures.prepared_accounts / figures.prepare_seconds:,.0f} /s)",
    )
    http = figures.http
    if http is not None:
        lat = http.latency_ms
        row(
            "HTTP signing",
            f"{http.signatures:,} signatures, {c} {options.client} connections, "
            f"first {http.warmup:,} excluded",
        )
        row("  signatures/s over HTTP (sustained)", rate(http.per_second))
        row(
            "  measured / whole phase",
            f"{http.measured_seconds:.2f} s / {http.total_seconds:.2f} s",
        )
        row(
            "  latency p50 / p90 / p99 / max",
            f"{lat['p50']:.1f} / {lat['p90']:.1f} / {lat['p99']:.1f} / {lat['max']:.1f} ms",
        )
        if http.slowest_second is not None and http.fastest_second is not None:
            row(
                "  slowest / fastest whole second",
                f"{http.slowest_second:,} / {http.fastest_second:,} signatures",
            )
        row("  statuses", ", ".join(f"{s} x {n:,}" for s, n in sorted(http.statuses.items())))
        row(
            "  petition read back",
            f"signature_count {http.signature_count}, thresholds reached: "
            f"{', '.join(http.thresholds_reached) or 'none'}",
        )
        if http.cpu_cores:
            row(
                f"  CPU, cores busy (of {os.cpu_count()})",
                ", ".join(f"{k} {v:.2f}" for k, v in http.cpu_cores.items()),
            )
    row(f"GET /health, {c} connections (HTTP ceiling)", rate(figures.health_per_second))
    if figures.health_cpu_cores:
        row(
            "  CPU, cores busy",
            ", ".join(f"{k} {v:.2f}" for k, v in figures.health_cpu_cores.items()),
        )
    row("raw INSERT+COMMIT, 1 thread", rate(figures.raw_single_per_second))
    row(f"raw INSERT+COMMIT, {c} threads", rate(figures.raw_threaded_per_second))
    row("in-process accounts.open, 1 thread", rate(figures.inprocess_accounts_per_second))
    row("in-process petitions.sign, 1 thread", rate(figures.inprocess_signatures_per_second))
    for name, value in figures.ratios.items():
        row(name.replace("C threads", f"{c} threads"), f"{value:>10.3f}")
    profile = figures.profile
    if profile is not None and profile.samples:
        print(
            f"  server profile, measured phase (py-spy --{options.profile_mode}, "
            f"{profile.samples:,} samples), self time by function:",
            file=out,
        )
        for name, share in profile.functions:
            print(f"    {share:5.1f}%  {name}", file=out)
        print("  self time by package:", file=out)
        for name, share in profile.packages:
            print(f"    {share:5.1f}%  {name}", file=out)
        print("  inclusive time of this project's functions:", file=out)
        for name, share in profile.ours_inclusive:
            print(f"    {share:5.1f}%  {name}", file=out)
    for problem in figures.problems:
        row("FAILED", problem)
    if http is not None:
        for failure in http.failures:
            row("  e.g.", failure)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on each chosen backend; 1 if any signature or check failed."""
    options = parse_options(argv)
    # A plain `kill` also stops the server and drops the databases (the `finally` blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    about = machine()
    print(f"command: {options.command_line}")
    print(f"machine: {about['nproc']} CPUs, {about['cpu']}, {about['python']}, {about['platform']}")
    print(f"code: {about['code']}")
    print(
        f"target: {TARGET_PER_SECOND:,} signatures/s sustained over HTTP "
        f"(100 x the UK petitions peak of ~{UK_PEAK_PER_SECOND}/s)"
    )
    idle = busy_before()
    about["busy_before_run"] = f"{idle:.2f} cores"
    warning = "  (the machine is not idle: expect lower figures)" if idle > 0.2 else ""
    print(f"before the run: {idle:.2f} of {about['nproc']} cores busy{warning}")
    results: list[BackendFigures] = []
    failed = False
    for backend in options.backends:
        try:
            figures = run_backend(backend, options)
        except Exception as exc:  # a broken backend must not hide the other's figures
            traceback.print_exc()
            print(f"\n== {backend} ==\n  FAILED: {type(exc).__name__}: {exc}")
            failed = True
            continue
        results.append(figures)
        print_report(figures, options, sys.stdout)
        sys.stdout.flush()
        failed = failed or bool(figures.problems)
    if options.json_path is not None:
        document = {
            "command": options.command_line,
            "machine": about,
            "target_per_second": TARGET_PER_SECOND,
            "options": {
                **{
                    k: v
                    for k, v in asdict(options).items()
                    if k not in {"command_line", "json_path", "profile_dir", "py_spy"}
                },
                "postgres_url": make_url(options.postgres_url).render_as_string(),
            },
            "backends": [asdict(r) for r in results],
            "ok": not failed,
        }
        options.json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
