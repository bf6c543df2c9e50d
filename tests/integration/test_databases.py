"""The database fixtures hand each test a working, empty database on the backend it names."""

import pytest
import sqlalchemy as sa

DIALECTS = {"sqlite": "sqlite", "postgres": "postgresql"}


def test_database_url_connects_to_its_backend(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    node = request.node
    assert isinstance(node, pytest.Function)
    backend = node.callspec.params["database_url"]
    assert isinstance(backend, str)
    engine = sa.create_engine(database_url)
    try:
        assert engine.dialect.name == DIALECTS[backend]
        with engine.connect() as connection:
            assert connection.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert not sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()
