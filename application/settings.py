"""Settings read from the environment; one of them, the database URL, chooses the backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///var/civic.sqlite"
DEFAULT_LOG_ORIGIN = "civic-ledger"
# Where the checkpoint signing key lives when the database is not a file (PostgreSQL).
DEFAULT_SIGNING_KEY = Path("var/civic-signing-key.pem")
MAX_ORIGIN = 128
BACKENDS = ("sqlite", "postgresql")


class SettingsError(ValueError):
    """A setting cannot be used as given; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    """`CIVIC_DATABASE_URL`: a SQLite file by default, or `postgresql+psycopg://...` for scale.

    `CIVIC_SIGNING_KEY_FILE`: the Ed25519 key (PEM) that signs the log's checkpoints, generated on
    first start if absent; by default next to the SQLite file, or `var/civic-signing-key.pem`.
    `CIVIC_LOG_ORIGIN`: the name of this log in its signed checkpoints (e.g. `ledger.grenoble.fr`).
    """

    database_url: str = DEFAULT_DATABASE_URL
    signing_key_file: Path | None = None
    log_origin: str = DEFAULT_LOG_ORIGIN

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
        origin = self.log_origin
        if not origin or len(origin) > MAX_ORIGIN or not origin.isprintable() or " " in origin:
            raise SettingsError(
                f"CIVIC_LOG_ORIGIN must be 1 to {MAX_ORIGIN} printable characters without spaces, "
                f"not {origin!r}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from `environ` (the process environment by default)."""
        env = os.environ if environ is None else environ
        key_file = env.get("CIVIC_SIGNING_KEY_FILE")
        return cls(
            database_url=env.get("CIVIC_DATABASE_URL") or DEFAULT_DATABASE_URL,
            signing_key_file=Path(key_file) if key_file else None,
            log_origin=env.get("CIVIC_LOG_ORIGIN") or DEFAULT_LOG_ORIGIN,
        )

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

    def signing_key_path(self) -> Path:
        """The checkpoint signing key: as configured, else beside the SQLite file, else in var/."""
        if self.signing_key_file is not None:
            return self.signing_key_file
        database = self.sqlite_path()
        if database is None:
            return DEFAULT_SIGNING_KEY
        return database.with_name(f"{database.stem}-signing-key.pem")
