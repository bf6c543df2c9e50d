"""The database fixtures: the root one hands each test a working, empty database on the backend it
names; the integration tests' one (``database_url`` here) a fresh copy of the tables the
application creates on such a database, with no row in them."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from application.settings import Settings
from application.system import CivicLedger
from tests.conftest import POSTGRES, SQLITE, Backend, _fresh_database

DIALECTS = {"sqlite": "sqlite", "postgres": "postgresql"}


def columns_by_table(url: str) -> dict[str, list[tuple[str, str]]]:
    """Every table of the database with its columns' names and types, and check that each is
    empty."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            tables = {
                name: [(c["name"], str(c["type"])) for c in inspector.get_columns(name)]
                for name in inspector.get_table_names()
            }
            for name in tables:
                rows = connection.execute(sa.select(sa.func.count()).select_from(sa.table(name)))
                assert rows.scalar_one() == 0, name
            return tables
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", [SQLITE, POSTGRES])
def test_a_fresh_database_connects_to_its_backend_and_is_empty(
    backend: Backend, tmp_path: Path
) -> None:
    """What the end-to-end servers start on: a database with no table yet."""
    with _fresh_database(backend, tmp_path) as url:
        engine = sa.create_engine(url)
        try:
            assert engine.dialect.name == DIALECTS[backend]
            with engine.connect() as connection:
                assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
                assert not sa.inspect(connection).get_table_names()
        finally:
            engine.dispose()


def test_database_url_holds_the_tables_the_application_creates_and_no_row(
    database_url: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The same tables and columns as the application creates on an empty database of the
    backend, every one empty."""
    node = request.node
    assert isinstance(node, pytest.Function)
    param = node.callspec.params["database_url"]
    assert param in DIALECTS
    backend: Backend = "postgres" if param == "postgres" else "sqlite"
    assert sa.make_url(database_url).get_backend_name() == DIALECTS[backend]
    workdir = tmp_path / "created"
    workdir.mkdir()
    with _fresh_database(backend, workdir) as created:
        CivicLedger(Settings(created, signing_key_file=workdir / "signing-key.pem")).close()
        expected = columns_by_table(created)

    copied = columns_by_table(database_url)

    assert copied == expected
    assert "civic_events" in copied
