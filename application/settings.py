"""Settings read from the environment; one of them, the database URL, chooses the backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///var/civic.sqlite"
BACKENDS = ("sqlite", "postgresql")


class SettingsError(ValueError):
    """A setting cannot be used as given; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    """`CIVIC_DATABASE_URL`: a SQLite file by default, or `postgresql+psycopg://...` for scale."""

    database_url: str = DEFAULT_DATABASE_URL

    def __post_init__(self) -> None:
        try:
            backend = make_url(self.database_url).get_backend_name()
        except ArgumentError:
            raise SettingsError(
                f"CIVIC_DATABASE_URL is not a database URL: {self.database_url!r}"
            ) from None
        if backend not in BACKENDS:
            raise SettingsError(
                f"CIVIC_DATABASE_URL names {backend!r}; use sqlite:///PATH or "
                "postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        return cls(database_url=env.get("CIVIC_DATABASE_URL") or DEFAULT_DATABASE_URL)

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded default."""
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        """The SQLite file, or None for PostgreSQL and in-memory databases."""
        if not self.is_sqlite:
            return None
        _, _, path = self.database_url.partition(":///")
        if not path or path.startswith(":memory:"):
            return None
        return Path(path.split("?", 1)[0])
