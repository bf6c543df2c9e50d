"""A direct look at the event store, for the one fact the API cannot show: how long the log is."""

from __future__ import annotations

from sqlalchemy import create_engine, text

# The eventsourcing-sqlalchemy table of the application named "civic" (`application.ledger`).
COUNT_EVENTS = text("SELECT count(*) FROM civic_events")


def stored_events(database_url: str) -> int:
    """How many events the log holds."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(COUNT_EVENTS).scalar_one()
    finally:
        engine.dispose()
    return int(count)
