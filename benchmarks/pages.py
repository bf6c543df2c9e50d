"""How long does each web page take at the server, with 2,000 petitions and one of 1 million
signatures in the store?

Goal (issue 8): every page renders in under 100 ms at the server at that scale.

The script builds the store on a fresh database (a SQLite file in a temporary directory, and
PostgreSQL with `--postgres URL`): on SQLite, `civic demo`'s scenario first (a committee and its
meetings, a vote, a charter, a consultation, territories: so that their pages have one to show);
then petitions lodged and declared admissible through the application, and one more whose
signatures are made by the real `Signature` aggregate, encoded by the ledger's own mapper and
inserted into the event store in bulk (as `benchmarks/audit.py` does); then the projections catch
up with the real code (views, Merkle tree, the threshold policy). Three accounts sign in with a
password: a citizen who signed the big petition through the application, one who did not, and
an account with every role.

It then drives the real app (`create_app`) in-process with Litestar's `TestClient`, so no network
noise, and times every GET page the app's route list holds at `/` and under `/web/` (pages added
later are found without changing this script): a route's path parameters are filled with the big
and the small petition for `{petition_id}`, and otherwise with the first link to such a page found
on the pages already fetched (a route with no such link is listed as skipped). Each page is
fetched as an anonymous visitor and as the citizen who signed, the petition pages also as the
citizen who did not, and a page refused to both as the account with every role. The baseline,
in the same run and through the same client, is `GET /health` (the HTTP stack without a database
or a template): each page's median is also given as a multiple of it, which stays comparable
when the machine is busy.

It prints a table (median and p95 in ms over `--requests` requests each, after a warm-up) and
exits with status 1 if a page's median exceeds `--limit-ms` (100) or a page answers 5xx.

Run `python benchmarks/pages.py --help`; `--quick` is a smoke run (200 petitions, 20,000
signatures, no demonstration) in well under a minute; `--keep DIR` keeps the store for the next
run (building 1 million signatures takes minutes). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from application.settings import Settings
from application.system import CivicLedger
from application.tables import territories
from benchmarks.sign_petition import code_version, fresh_database, percentile
from domain.account import Role
from domain.events import Cause
from domain.petition import Petition, Threshold
from domain.signature import Signature
from interfaces.demo import run_demo
from interfaces.http.app import create_app
from interfaces.http.sessions import CSRF_COOKIE, SESSION_COOKIE, new_csrf_token

LIMIT_MS = 100.0
INSERT_BATCH = 20_000
WARMUP = 3
PASSWORD = "a benchmark password, long enough"  # noqa: S105  # a throwaway account's
SIGNER_EMAIL = "signed@bench.example"
OTHER_EMAIL = "unsigned@bench.example"
STAFF_EMAIL = "every-role@bench.example"
REFUSED = (303, 401, 403)  # to sign in, or not for this account
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
LINK = re.compile(r"""href="(/[^"#?]*)""")


@dataclass(frozen=True, slots=True)
class Store:
    """What the pages are measured against."""

    big: UUID  # the petition with the many signatures
    small: UUID  # one of the others
    signer: str  # the Cookie header of the citizen who signed the big petition
    other: str  # the Cookie header of the citizen who did not
    staff: str  # the Cookie header of an account with every role, for the pages others may not see
    petitions: int
    signatures: int
    build_seconds: float
    catch_up_seconds: float


@dataclass
class Timing:
    """One page fetched by one kind of visitor: the status and the durations (seconds)."""

    page: str
    path: str
    visitor: str
    status: int
    seconds: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        """Median duration, in milliseconds."""
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        """95th percentile (nearest rank), in milliseconds."""
        return percentile(sorted(self.seconds), 0.95) * 1000


def cause(actor: str) -> Cause:
    """The envelope of a generated command."""
    return Cause(actor=actor, correlation_id=str(uuid4()))


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


# -- the store --------------------------------------------------------------------------------


def a_territory(civic: CivicLedger) -> UUID | None:
    """A territory to lodge petitions to, if any (the demonstration registers several, and a
    platform of several territories wants one named)."""
    with civic.ledger.engine.connect() as connection:
        found: UUID | None = connection.scalar(
            select(territories.c.id).order_by(territories.c.position).limit(1)
        )
    return found


def lodge_petitions(civic: CivicLedger, count: int, territory: UUID | None) -> list[UUID]:
    """`count` petitions lodged and declared admissible through the application."""
    deadline = datetime.now(UTC) + timedelta(days=365)
    ids = []
    for n in range(count):
        petition_id = civic.petitions.lodge(
            territory_id=territory,
            title=f"Pétition n° {n}: des bancs sur la place",
            text="Une pétition générée pour mesurer les pages. " * 8,
            deadline=deadline,
            thresholds=[Threshold(1_000, "council_debate"), Threshold(10_000, "citizen_vote")],
            cause=cause("citizen:author"),
        )
        civic.petitions.decide_admissibility(
            petition_id, admissible=True, cause=Cause("moderator:mo", str(uuid4()), "admissible")
        )
        ids.append(petition_id)
    return ids


def insert_signatures(civic: CivicLedger, petition_id: UUID, count: int) -> None:
    """`count` signatures of generated signers: real aggregates, encoded by the ledger's mapper
    and inserted into the event store in bulk (the projections have not seen them yet)."""
    ledger = civic.ledger
    petition: Petition = ledger.repository.get(petition_id)
    now = datetime.now(UTC)
    table = ledger.events_table
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        with ledger.transaction() as session:  # the log's write lock, as any writer
            session.execute(insert(table), rows)
        rows.clear()

    for n in range(count):
        signer = f"citizen:bench-{n}"
        signature = Signature.sign(petition=petition, signer=signer, cause=cause(signer), now=now)
        for event in signature.collect_events():
            stored = ledger.mapper.to_stored_event(event)
            rows.append(
                {
                    "originator_id": stored.originator_id,
                    "originator_version": stored.originator_version,
                    "topic": stored.topic,
                    "state": stored.state,
                }
            )
        if len(rows) >= INSERT_BATCH:
            flush()
            if (n + 1) % 200_000 == 0:
                log(f"  {n + 1:,} signatures inserted")
    if rows:
        flush()


def citizen(
    civic: CivicLedger, name: str, email: str, roles: Sequence[Role] = (Role.CITIZEN,)
) -> UUID:
    """An account (a citizen's by default) that signs in with `email` and the benchmark's
    password."""
    account_id, _ = civic.accounts.open(
        name=name, roles=list(roles), cause=cause("admin:bench"), email=email, password=PASSWORD
    )
    return account_id


def session(civic: CivicLedger, email: str) -> str:
    """Sign in as a browser does: the `Cookie` header of the session."""
    _, issued = civic.accounts.sign_in(email=email, password=PASSWORD, correlation_id=str(uuid4()))
    return f"{SESSION_COOKIE}={issued.token}; {CSRF_COOKIE}={new_csrf_token(civic.web_secret)}"


def build_store(civic: CivicLedger, petitions: int, signatures: int) -> Store:
    """The petitions, the big one's signatures, the projections caught up, the two citizens."""
    started = time.perf_counter()
    territory = a_territory(civic)
    small = lodge_petitions(civic, max(petitions - 1, 1), territory)
    big = civic.petitions.lodge(
        territory_id=territory,
        title="Pour un moratoire sur la circulation de transit en centre-ville",
        text="La pétition qui a recueilli le plus de signatures. " * 20,
        deadline=datetime.now(UTC) + timedelta(days=365),
        thresholds=[
            Threshold(max(signatures // 2, 1), "citizen_vote"),
            Threshold(max(signatures, 1), "official_response"),
        ],
        cause=cause("citizen:author"),
    )
    civic.petitions.decide_admissibility(
        big, admissible=True, cause=Cause("moderator:mo", str(uuid4()), "admissible")
    )
    log(f"lodged and opened {petitions:,} petitions in {time.perf_counter() - started:.1f} s")
    insert_signatures(civic, big, signatures)
    built = time.perf_counter()
    applied = civic.read_models.catch_up()
    caught_up = time.perf_counter()
    log(
        f"inserted {signatures:,} signatures, projections caught up ({applied:,} events) in "
        f"{caught_up - built:.1f} s"
    )
    signer = str(citizen(civic, "Ada Signataire", SIGNER_EMAIL))
    citizen(civic, "Bea Abstention", OTHER_EMAIL)
    citizen(civic, "Chloé Tous-Rôles", STAFF_EMAIL, roles=list(Role))
    middle = small[len(small) // 2]
    for petition_id in (big, middle):
        civic.petitions.sign(petition_id, signer=signer, cause=cause(signer))
    count = civic.petitions.get(big)["signature_count"]
    assert count == signatures + 1, f"the big petition counts {count}, not {signatures + 1}"
    return Store(
        big=big,
        small=middle,
        signer=session(civic, SIGNER_EMAIL),
        other=session(civic, OTHER_EMAIL),
        staff=session(civic, STAFF_EMAIL),
        petitions=petitions,
        signatures=signatures,
        build_seconds=built - started,
        catch_up_seconds=caught_up - built,
    )


# -- the pages ----------------------------------------------------------------------------------


def page_routes(app: Litestar) -> list[str]:
    """The path templates of every GET page: `/` and everything under `/web/`."""
    paths = {
        route.path
        for route in app.routes
        if isinstance(route, HTTPRoute)
        and "GET" in route.methods
        and (route.path == "/" or route.path.startswith("/web/"))
    }
    # The pages without parameters and the petitions' first: their links give the others'.
    return sorted(paths, key=lambda p: (PARAMETER.findall(p) not in ([], ["petition_id"]), p))


def pattern_of(template: str) -> re.Pattern[str]:
    """A regular expression matching the concrete paths of a route template."""
    parts = PARAMETER.split(template)
    # split() alternates literal text and parameter names.
    regex = "".join(re.escape(part) if i % 2 == 0 else "[^/]+" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


@dataclass
class Crawl:
    """The links seen on the pages fetched so far."""

    links: set[str] = field(default_factory=set)

    def read(self, html: str) -> None:
        """Keep the site's links of a page."""
        self.links.update(LINK.findall(html))

    def example(self, template: str) -> str | None:
        """A link to a page of the route `template`, if one was seen."""
        pattern = pattern_of(template)
        return min((link for link in self.links if pattern.match(link)), default=None)


def instances(template: str, store: Store, crawl: Crawl) -> list[tuple[str, str]]:
    """The concrete paths to measure for `template`, each with a label: both petitions for a
    petition route, else a linked example (none if the pages link to none)."""
    names = PARAMETER.findall(template)
    if not names:
        return [(template, template)]
    if names == ["petition_id"]:
        return [
            (
                PARAMETER.sub(str(store.big), template),
                template.replace("{petition_id:uuid}", "BIG"),
            ),
            (
                PARAMETER.sub(str(store.small), template),
                template.replace("{petition_id:uuid}", "small"),
            ),
        ]
    example = crawl.example(template)
    return [] if example is None else [(example, template)]


def fetch(client: TestClient[Litestar], path: str, cookie: str | None) -> tuple[int, float, str]:
    """One GET as a browser with `cookie` (none: anonymous): status, seconds, body."""
    client.cookies.clear()  # only the visitor's own cookies, never those of a previous answer
    headers = {"accept-language": "fr", "accept": "text/html"}
    if cookie is not None:
        headers["cookie"] = cookie
    started = time.perf_counter()
    response = client.get(path, headers=headers, follow_redirects=False)
    return response.status_code, time.perf_counter() - started, response.text


def measure(
    client: TestClient[Litestar],
    *,
    page: str,
    path: str,
    visitor: str,
    cookie: str | None,
    requests: int,
    crawl: Crawl,
) -> Timing:
    """`requests` timed fetches after a warm-up; the links of the page feed the crawl."""
    status, _, body = fetch(client, path, cookie)
    crawl.read(body)
    for _ in range(WARMUP - 1):
        fetch(client, path, cookie)
    timing = Timing(page, path, visitor, status)
    for _ in range(requests):
        status, seconds, _ = fetch(client, path, cookie)
        timing.seconds.append(seconds)
        timing.status = max(timing.status, status)
    return timing


def time_page(  # noqa: PLR0917  # the loop's variables, in one place
    client: TestClient[Litestar],
    crawl: Crawl,
    page: str,
    path: str,
    visitor: str,
    cookie: str | None,
    requests: int,
) -> Timing:
    """`measure`, with a line of progress."""
    timing = measure(
        client,
        page=page,
        path=path,
        visitor=visitor,
        cookie=cookie,
        requests=requests,
        crawl=crawl,
    )
    log(f"  {page:<44} {visitor:<11} {timing.status} {timing.median_ms:8.1f} ms")
    return timing


def measure_pages(
    app: Litestar, store: Store, requests: int
) -> tuple[Timing, list[Timing], list[str]]:
    """The baseline and every page by every visitor; the routes that could not be measured."""
    visitors: list[tuple[str, str | None]] = [
        ("anonymous", None),
        ("signed", store.signer),
    ]
    crawl = Crawl()
    timings: list[Timing] = []
    skipped: list[str] = []
    with TestClient(app, raise_server_exceptions=False) as client:
        health = measure(
            client,
            page="/health",
            path="/health",
            visitor="anonymous",
            cookie=None,
            requests=requests,
            crawl=crawl,
        )
        for template in page_routes(app):
            concrete = instances(template, store, crawl)
            if not concrete:
                skipped.append(template)
                continue
            for path, page in concrete:
                who = list(visitors)
                if "{petition_id" in template:
                    who.append(("not signed", store.other))
                measured = [time_page(client, crawl, page, path, v, c, requests) for v, c in who]
                if all(t.status in REFUSED for t in measured):
                    # A page for some roles only: as an account that has them all.
                    measured.append(
                        time_page(client, crawl, page, path, "every role", store.staff, requests)
                    )
                timings.extend(measured)
    return health, timings, skipped


# -- the report ---------------------------------------------------------------------------------


@dataclass
class Run:
    """What one backend measured."""

    backend: str
    store: Store
    health: Timing
    pages: list[Timing]
    skipped: list[str]


def report(run: Run, limit_ms: float) -> tuple[str, bool]:
    """The table, and whether every page met the goal."""
    base = run.health.median_ms
    s = run.store
    lines = [
        f"{run.backend}: {s.petitions:,} petitions, one of {s.signatures + 1:,} signatures "
        f"(store built in {s.build_seconds:.0f} s, projections caught up in "
        f"{s.catch_up_seconds:.0f} s)",
        f"{'page':<46}{'visitor':<12}{'status':>6}{'median ms':>11}{'p95 ms':>9}{'x /health':>11}",
        f"{'/health (baseline)':<46}{'anonymous':<12}{run.health.status:>6}"
        f"{base:>11.2f}{run.health.p95_ms:>9.2f}{1:>11.1f}",
    ]
    for t in run.pages:
        mark = "  SLOW" if t.median_ms > limit_ms else "  FAILED" if t.status >= 500 else ""
        lines.append(
            f"{t.page:<46}{t.visitor:<12}{t.status:>6}{t.median_ms:>11.2f}{t.p95_ms:>9.2f}"
            f"{t.median_ms / base:>11.1f}{mark}"
        )
    lines.extend(f"{'skipped (no page links to one): ' + template}" for template in run.skipped)
    worst = max(run.pages, key=lambda t: t.median_ms)
    slow = sum(t.median_ms > limit_ms for t in run.pages)
    failed = sum(t.status >= 500 for t in run.pages)
    ok = not slow and not failed
    lines.append(
        f"goal: every page's median < {limit_ms:.0f} ms: slowest {worst.page} ({worst.visitor}) "
        f"{worst.median_ms:.1f} ms, {worst.median_ms / base:.1f}x /health; "
        + ("met" if ok else f"NOT met: {slow} too slow, {failed} answered 5xx (see --verbose)")
    )
    return "\n".join(lines), ok


def play_demo(url: str) -> None:
    """`civic demo`'s scenario on the SQLite file of `url`: a committee, its meetings and
    decisions, a vote, a charter, a consultation, territories, so that every kind of page has
    one to show."""
    started = time.perf_counter()
    database = make_url(url).database
    assert database is not None, url
    with contextlib.redirect_stdout(io.StringIO()):  # its report and progress bars
        run_demo(database)
    log(f"played the demonstration in {time.perf_counter() - started:.1f} s")


def open_store(civic: CivicLedger, petitions: int, signatures: int, kept: Path | None) -> Store:
    """The store of a previous run kept in `kept` (same sizes), with new sessions; else a new
    one, described in `kept` for the next run."""
    if kept is not None and kept.exists():
        saved = json.loads(kept.read_text())
        if (saved["petitions"], saved["signatures"]) == (petitions, signatures):
            log(f"reusing the store described in {kept}")
            return Store(
                big=UUID(saved["big"]),
                small=UUID(saved["small"]),
                signer=session(civic, SIGNER_EMAIL),
                other=session(civic, OTHER_EMAIL),
                staff=session(civic, STAFF_EMAIL),
                petitions=petitions,
                signatures=signatures,
                build_seconds=saved["build_seconds"],
                catch_up_seconds=saved["catch_up_seconds"],
            )
        raise SystemExit(f"{kept} describes a store of other sizes: use another --keep directory")
    store = build_store(civic, petitions, signatures)
    if kept is not None:
        described = asdict(store)
        for key in ("signer", "other", "staff"):  # sessions: signed in again on each run
            del described[key]
        kept.write_text(json.dumps(described, default=str, indent=2) + "\n")
    return store


def run_backend(
    backend: str,
    url: str,
    *,
    petitions: int,
    signatures: int,
    requests: int,
    kept: Path | None,
    demo: bool,
) -> Run:
    """Build (or reopen) the store on `url`, then measure the pages through the app on it."""
    started = time.perf_counter()
    if demo and not (kept is not None and kept.exists()):
        play_demo(url)
    civic = CivicLedger(Settings(database_url=url))  # catches up, or rebuilds views of old shape
    if kept is not None and kept.exists():
        log(f"opened the kept store in {time.perf_counter() - started:.1f} s")
    try:
        store = open_store(civic, petitions, signatures, kept)
    except BaseException:
        civic.close()
        raise
    app = create_app(civic=civic)  # its lifespan closes `civic` when the client stops
    try:
        health, pages, skipped = measure_pages(app, store, requests)
    finally:
        civic.ledger.engine.dispose()
    return Run(backend, store, health, pages, skipped)


def backends(postgres: str | None) -> Iterator[str]:
    """The backends to run, in order."""
    yield "sqlite"
    if postgres is not None:
        yield "postgresql"


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the options, build, measure, print; 1 if a page is too slow."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--petitions", type=int, default=2_000, help="default 2,000")
    parser.add_argument(
        "--signatures", type=int, default=1_000_000, help="on the big petition (default 1M)"
    )
    parser.add_argument("--requests", type=int, default=50, help="timed per page (default 50)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 200 petitions, 20,000 signatures"
    )
    parser.add_argument("--postgres", metavar="URL", default=None, help="also on PostgreSQL")
    parser.add_argument("--limit-ms", type=float, default=LIMIT_MS, help="the goal (100 ms)")
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the figures to this file"
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        default=None,
        help="SQLite: build the store in DIR and keep it; a later run with the same sizes "
        "reuses it (the build of 1M signatures takes minutes)",
    )
    parser.add_argument(
        "--demo",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="SQLite: first play `civic demo`'s scenario, so that the committee, meeting, vote, "
        "charter and consultation pages have one to show (a minute or more; on by default, "
        "but for --quick)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="log the tracebacks of pages answering 5xx"
    )
    options = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    if not options.verbose:  # a failing page logs a traceback per request; its status shows
        logging.getLogger("civic.http").setLevel(logging.CRITICAL)
    if options.quick:
        options.petitions, options.signatures, options.requests = 200, 20_000, 15
    if options.demo is None:
        options.demo = not options.quick
    log(
        f"civic-ledger {code_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    ok = True
    results = []
    for backend in backends(options.postgres):
        kept = None
        with ExitStack() as stack:
            if backend == "sqlite" and options.keep is not None:
                options.keep.mkdir(parents=True, exist_ok=True)
                url, kept = (
                    f"sqlite:///{options.keep / 'bench.sqlite'}",
                    options.keep / "store.json",
                )
            else:
                url = stack.enter_context(fresh_database(backend, options.postgres or ""))
            run = run_backend(
                backend,
                url,
                petitions=options.petitions,
                signatures=options.signatures,
                requests=options.requests,
                kept=kept,
                demo=options.demo and backend == "sqlite",
            )
        table, met = report(run, options.limit_ms)
        print(table, flush=True)
        ok = ok and met
        results.append(
            {
                "backend": backend,
                "store": {
                    k: str(v) if isinstance(v, UUID) else v
                    for k, v in asdict(run.store).items()
                    if k not in ("signer", "other")
                },
                "health": {"median_ms": run.health.median_ms, "p95_ms": run.health.p95_ms},
                "pages": [
                    {
                        "page": t.page,
                        "visitor": t.visitor,
                        "status": t.status,
                        "median_ms": t.median_ms,
                        "p95_ms": t.p95_ms,
                        "x_health": t.median_ms / run.health.median_ms,
                    }
                    for t in run.pages
                ],
                "skipped": run.skipped,
            }
        )
    if options.json is not None:
        figures = {"commit": code_version(), "runs": results}
        options.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
