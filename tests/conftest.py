"""Database fixtures shared by the integration and end-to-end tests.

``database_url`` runs a test once per backend (ids ``sqlite`` and ``postgres``); ``sqlite_url``
and ``postgres_url`` give one backend only. Each test gets a fresh, empty database: a new
SQLite file under ``tmp_path``, or a new PostgreSQL database on the server named by
``CIVIC_TEST_POSTGRES_URL`` (``make postgres`` starts one), dropped after the test.

``schemas`` makes fresh databases that already hold the application's tables (and no row), copied
from one that the application created once per session and backend: creating the tables is most
of what opening a `CivicLedger` on a fresh database costs (see tests/integration/conftest.py).
"""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path
from typing import Literal
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

from application.settings import Settings
from application.system import CivicLedger

Backend = Literal["sqlite", "postgres"]

POSTGRES_URL_ENV = "CIVIC_TEST_POSTGRES_URL"

SQLITE = pytest.param("sqlite", id="sqlite")
POSTGRES = pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)


def _postgres_server_url() -> URL:
    """The PostgreSQL server to create test databases on, or skip (fail on CI) without one."""
    raw = os.environ.get(POSTGRES_URL_ENV)
    if not raw:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_URL_ENV} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"set {POSTGRES_URL_ENV} (make postgres) to run PostgreSQL tests")
    return make_url(raw)


def _connect(url: URL) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit psycopg connection to the database that ``url`` names."""
    options = {key: value for key, value in url.query.items() if isinstance(value, str)}
    conninfo = make_conninfo(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        dbname=url.database,
        **options,
    )
    return psycopg.connect(conninfo, autocommit=True)


@contextmanager
def _postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a uniquely named PostgreSQL database (a copy of the database `template` if given,
    which nobody may be connected to), yield its URL, then drop it."""
    server = _postgres_server_url()
    name = f"civic_test_{uuid4().hex}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
    with _connect(server) as connection:
        connection.execute(create)
        # A commit need not wait for its WAL to reach the disk: only a crash of PostgreSQL itself
        # could lose one, which no test does; what other connections see is the same.
        connection.execute(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit TO off").format(sql.Identifier(name))
        )
    try:
        yield server.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with _connect(server) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def _fresh_database(backend: Backend, tmp_path: Path) -> Iterator[str]:
    """A new, empty database on ``backend`` for the duration of the block, as a SQLAlchemy URL."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path}/civic.sqlite"
    else:
        with _postgres_database() as url:
            yield url


def _create_schema(url: str, workdir: Path) -> None:
    """Have the application create its tables on the database, as its first start does."""
    CivicLedger(Settings(url, signing_key_file=workdir / "signing-key.pem")).close()


class Schemas:
    """Fresh databases holding the application's tables and no row, per backend: copies of one
    database per backend on which the application created its tables, made on first use."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._sqlite: Path | None = None
        self._postgres: str | None = None  # the template database's name
        self._templates = ExitStack()  # drops the PostgreSQL template when closed

    @contextmanager
    def fresh(self, backend: Backend, tmp_path: Path) -> Iterator[str]:
        """A new database on `backend` with the application's tables, for the block, as a URL."""
        if backend == "sqlite":
            path = tmp_path / "civic.sqlite"
            with (
                closing(sqlite3.connect(self._sqlite_template())) as source,
                closing(sqlite3.connect(path)) as target,
            ):
                source.backup(target)
            yield f"sqlite:///{path}"
        else:
            with _postgres_database(template=self._postgres_template()) as url:
                yield url

    def _sqlite_template(self) -> Path:
        if self._sqlite is None:
            path = self._workdir / "template.sqlite"
            _create_schema(f"sqlite:///{path}", self._workdir)
            self._sqlite = path
        return self._sqlite

    def _postgres_template(self) -> str:
        if self._postgres is None:
            url = self._templates.enter_context(_postgres_database())
            _create_schema(url, self._workdir)  # closed: the template has no connection left
            name = make_url(url).database
            assert name is not None
            self._postgres = name
        return self._postgres

    def close(self) -> None:
        """Drop the template databases."""
        self._templates.close()


@pytest.fixture(scope="session")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Schemas]:
    """Fresh databases with the application's tables, copied from a template per backend."""
    made = Schemas(tmp_path_factory.mktemp("schemas"))
    try:
        yield made
    finally:
        made.close()


def _backend(request: pytest.FixtureRequest) -> Backend:
    """The backend a parametrized database fixture was instantiated for."""
    param: object = request.param
    if param == "sqlite":
        return "sqlite"
    if param == "postgres":
        return "postgres"
    raise ValueError(f"unknown database backend {param!r}")


@pytest.fixture(params=[SQLITE, POSTGRES])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database per test, once on SQLite and once on PostgreSQL."""
    with _fresh_database(_backend(request), tmp_path) as url:
        yield url


@pytest.fixture(params=[SQLITE])
def sqlite_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty SQLite database file per test."""
    with _fresh_database(_backend(request), tmp_path) as url:
        yield url


@pytest.fixture(params=[POSTGRES])
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty PostgreSQL database per test (skipped, or failed on CI, without a server)."""
    with _fresh_database(_backend(request), tmp_path) as url:
        yield url
