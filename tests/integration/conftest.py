"""Fixtures for the integration tests: the whole application layer on a real database.

``civic`` is a `CivicLedger` on the test's fresh database (``database_url``, so once per
backend) whose clock stands still until a test moves it (``advance_clock``, ``set_clock``).
``open_civic`` opens further ledgers on the same database, as a restarted or second worker
process would. Here ``database_url`` holds the application's tables already, and no row: a copy
of a database on which the application created them (tests/conftest.py, ``schemas``), for
creating them took most of each test's time; tests/integration/test_databases.py checks it.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from application.settings import Settings
from application.system import CivicLedger
from application.tables import metadata
from domain.events import Cause
from domain.petition import Threshold
from tests.conftest import POSTGRES, SQLITE, Schemas, _backend

START = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


@dataclass
class ManualClock:
    """A clock that shows the same time until a test advances it."""

    now: datetime = START

    def __call__(self) -> datetime:
        """The current (test) time."""
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move the time forward by `delta`."""
        self.now += delta


def lodge_open_petition(
    civic: CivicLedger,
    *,
    thresholds: list[Threshold] | None = None,
    deadline: datetime | None = None,
    title: str = "Plant trees along the ring road",
) -> UUID:
    """Lodge a petition and declare it admissible, as two people would."""
    petition_id = civic.petitions.lodge(
        title=title,
        text="Shade, cleaner air and fewer heat islands.",
        deadline=deadline,
        thresholds=thresholds or [],
        cause=Cause(actor="citizen:ada", correlation_id=str(uuid4())),
    )
    civic.petitions.decide_admissibility(
        petition_id,
        admissible=True,
        cause=Cause(actor="moderator:mo", correlation_id=str(uuid4()), reason="within remit"),
    )
    return petition_id


def read_views(civic: CivicLedger) -> dict[str, list[dict[str, Any]]]:
    """Every row of every read model table, by table name, in primary key order."""
    with civic.ledger.engine.connect() as connection:
        return {
            table.name: [
                dict(row)
                for row in connection.execute(
                    select(table).order_by(*table.primary_key.columns)
                ).mappings()
            ]
            for table in metadata.sorted_tables
        }


def log_positions(civic: CivicLedger) -> list[int]:
    """The position of every event in the log, in order (PostgreSQL's may have gaps)."""
    notifications = civic.ledger.recorder.select_notifications(start=None, limit=1_000_000)
    return [notification.id for notification in notifications]


@contextmanager
def nothing_recorded(civic: CivicLedger) -> Iterator[None]:
    """Assert that the block appends no event to the log and changes no view."""
    position = civic.ledger.recorder.max_notification_id()
    views = read_views(civic)
    yield
    assert civic.ledger.recorder.max_notification_id() == position
    assert read_views(civic) == views


@pytest.fixture(params=[SQLITE, POSTGRES])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, schemas: Schemas) -> Iterator[str]:
    """A fresh database per test, once on SQLite and once on PostgreSQL, holding the application's
    tables and no row."""
    with schemas.fresh(_backend(request), tmp_path) as url:
        yield url


@pytest.fixture
def clock() -> ManualClock:
    """The time every ledger of the test reads."""
    return ManualClock()


@pytest.fixture
def advance_clock(clock: ManualClock) -> Callable[[timedelta], None]:
    """Move the test's time forward."""
    return clock.advance


@pytest.fixture
def set_clock(clock: ManualClock) -> Callable[[datetime], None]:
    """Set the test's time (an aware datetime, in any time zone)."""

    def set_now(now: datetime) -> None:
        clock.now = now

    return set_now


@pytest.fixture
def open_civic(database_url: str, clock: ManualClock) -> Iterator[Callable[[], CivicLedger]]:
    """Open a new `CivicLedger` on the test's database; every one is closed after the test."""
    opened: list[CivicLedger] = []

    def open_one() -> CivicLedger:
        civic = CivicLedger(Settings(database_url), clock=clock)
        opened.append(civic)
        return civic

    yield open_one
    for civic in opened:
        civic.close()


@pytest.fixture
def civic(open_civic: Callable[[], CivicLedger]) -> CivicLedger:
    """The application layer on a fresh database, once per backend."""
    return open_civic()


@pytest.fixture
def open_petition(civic: CivicLedger) -> Callable[..., UUID]:
    """Lodge a petition on `civic` and open it for signatures; keywords as `lodge_open_petition`."""
    return partial(lodge_open_petition, civic)


@pytest.fixture
def unchanged(civic: CivicLedger) -> Callable[[], AbstractContextManager[None]]:
    """`with unchanged(), pytest.raises(...)`: the refused command leaves no trace."""
    return partial(nothing_recorded, civic)


@pytest.fixture
def views() -> Callable[[CivicLedger], dict[str, list[dict[str, Any]]]]:
    """Read every row of every read model table of a ledger, in primary key order."""
    return read_views


@pytest.fixture
def positions() -> Callable[[CivicLedger], list[int]]:
    """Read the position of every event in a ledger's log, in order."""
    return log_positions
