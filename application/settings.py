"""Settings read from the environment; one of them, the database URL, chooses the backend."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_DATABASE_URL = "sqlite:///var/civic.sqlite"
DEFAULT_LOG_ORIGIN = "civic-ledger"
# Where the checkpoint signing key lives when the database is not a file (PostgreSQL).
DEFAULT_SIGNING_KEY = Path("var/civic-signing-key.pem")
MAX_ORIGIN = 128
BACKENDS = ("sqlite", "postgresql")
RATE_LIMIT_PER_ACCOUNT_ENV = "CIVIC_RATE_LIMIT_PER_ACCOUNT"
RATE_LIMIT_PER_ADDRESS_ENV = "CIVIC_RATE_LIMIT_PER_ADDRESS"
IDEMPOTENCY_TTL_ENV = "CIVIC_IDEMPOTENCY_TTL_SECONDS"
DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 3600  # a client retries within minutes; a day is ample

Period = Literal["second", "minute", "hour", "day"]


class SettingsError(ValueError):
    """A setting cannot be used as given; the message says which and why."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `requests` in each `period`, written `30/minute` in the environment."""

    requests: int
    period: Period

    @classmethod
    def parse(cls, text: str, name: str) -> RateLimit:
        """Read `N/PERIOD` (period: second, minute, hour or day) from the setting `name`."""
        count, _, period = text.strip().partition("/")
        periods: tuple[Period, ...] = get_args(Period)
        for known in periods:
            if period.strip() == known and count.strip().isdigit() and int(count) >= 1:
                return cls(int(count), known)
        raise SettingsError(
            f"{name} must be N/PERIOD with N >= 1 and PERIOD one of {', '.join(periods)} "
            f"(e.g. 30/minute), not {text!r}"
        )

    def __str__(self) -> str:
        return f"{self.requests}/{self.period}"


# Generous for people, tight for scripts: nobody signs 60 petitions or casts 60 ballots a minute,
# while many people may share one address (a town hall's network, a campus, a mobile carrier).
DEFAULT_TIME_ZONE = "Europe/Paris"
TIME_ZONE_ENV = "CIVIC_TIME_ZONE"
DEFAULT_RATE_LIMIT_PER_ACCOUNT = RateLimit(60, "minute")
DEFAULT_RATE_LIMIT_PER_ADDRESS = RateLimit(6000, "minute")


@dataclass(frozen=True, slots=True)
class Settings:
    """`CIVIC_DATABASE_URL`: a SQLite file by default, or `postgresql+psycopg://...` for scale.

    `CIVIC_SIGNING_KEY_FILE`: the Ed25519 key (PEM) that signs the log's checkpoints, generated on
    first start if absent; by default next to the SQLite file, or `var/civic-signing-key.pem`.
    `CIVIC_LOG_ORIGIN`: the name of this log in its signed checkpoints (e.g. `ledger.grenoble.fr`).
    `CIVIC_RATE_LIMIT_PER_ACCOUNT`, `CIVIC_RATE_LIMIT_PER_ADDRESS`: how many requests one account,
    and one client address, may make to each rate-limited action (signing, voting, opening an
    account), e.g. `60/minute`; beyond it the request is refused with 429.
    `CIVIC_IDEMPOTENCY_TTL_SECONDS`: how long the response to a request sent with an
    `Idempotency-Key` is kept for its repetitions (24 hours by default).
    `CIVIC_TIME_ZONE`: the territory's time zone (IANA name, `Europe/Paris` by default), in which
    the web pages show times and read the times typed in their forms; the log and the API keep UTC.
    """

    database_url: str = DEFAULT_DATABASE_URL
    signing_key_file: Path | None = None
    log_origin: str = DEFAULT_LOG_ORIGIN
    rate_limit_per_account: RateLimit = DEFAULT_RATE_LIMIT_PER_ACCOUNT
    rate_limit_per_address: RateLimit = DEFAULT_RATE_LIMIT_PER_ADDRESS
    idempotency_ttl_seconds: int = DEFAULT_IDEMPOTENCY_TTL_SECONDS
    time_zone: str = DEFAULT_TIME_ZONE

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"{TIME_ZONE_ENV} names no time zone: {self.time_zone!r} (e.g. Europe/Paris)"
            ) from None
        if self.idempotency_ttl_seconds < 1:
            raise SettingsError(f"{IDEMPOTENCY_TTL_ENV} must be at least 1 second")
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
        per_account = env.get(RATE_LIMIT_PER_ACCOUNT_ENV)
        per_address = env.get(RATE_LIMIT_PER_ADDRESS_ENV)
        return cls(
            database_url=env.get("CIVIC_DATABASE_URL") or DEFAULT_DATABASE_URL,
            signing_key_file=Path(key_file) if key_file else None,
            log_origin=env.get("CIVIC_LOG_ORIGIN") or DEFAULT_LOG_ORIGIN,
            rate_limit_per_account=RateLimit.parse(per_account, RATE_LIMIT_PER_ACCOUNT_ENV)
            if per_account
            else DEFAULT_RATE_LIMIT_PER_ACCOUNT,
            rate_limit_per_address=RateLimit.parse(per_address, RATE_LIMIT_PER_ADDRESS_ENV)
            if per_address
            else DEFAULT_RATE_LIMIT_PER_ADDRESS,
            idempotency_ttl_seconds=_seconds(env.get(IDEMPOTENCY_TTL_ENV), IDEMPOTENCY_TTL_ENV)
            or DEFAULT_IDEMPOTENCY_TTL_SECONDS,
            time_zone=env.get(TIME_ZONE_ENV) or DEFAULT_TIME_ZONE,
        )

    @property
    def zone(self) -> ZoneInfo:
        """The territory's time zone."""
        return ZoneInfo(self.time_zone)

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


def _seconds(text: str | None, name: str) -> int | None:
    """A whole number of seconds from the setting `name`, or None if it is not set."""
    if not text:
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise SettingsError(f"{name} must be a whole number of seconds >= 1, not {text!r}")
    return int(text)
