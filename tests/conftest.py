"""Database fixtures shared by the integration and end-to-end tests.

``database_url`` runs a test once per backend (ids ``sqlite`` and ``postgres``); ``sqlite_url``
and ``postgres_url`` give one backend only. Each test gets a fresh, empty database: a new
SQLite file under ``tmp_path``, or a new PostgreSQL database on the server named by
``CIVIC_TEST_POSTGRES_URL`` (``make postgres`` starts one), dropped after the test.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo
from sqlalchemy.engine import URL, make_url

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
def _postgres_database() -> Iterator[str]:
    """Create a uniquely named PostgreSQL database, yield its URL, then drop it."""
    server = _postgres_server_url()
    name = f"civic_test_{uuid4().hex}"
    with _connect(server) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
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
