"""Builds the application layer for one database: the ledger, its read models and the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from application.accounts import AccountService
from application.audit import AuditTrail
from application.ledger import Ledger
from application.petitions import Clock, PetitionService
from application.read_models import ReadModels
from application.settings import Settings


def utc_now() -> datetime:
    """The wall clock, in UTC."""
    return datetime.now(UTC)


@dataclass
class CivicLedger:
    """Everything the interfaces call; close it when done."""

    settings: Settings
    clock: Clock = utc_now
    ledger: Ledger = field(init=False)
    read_models: ReadModels = field(init=False)
    petitions: PetitionService = field(init=False)
    accounts: AccountService = field(init=False)
    audit: AuditTrail = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.settings)
        self.read_models = ReadModels(self.ledger)
        self.read_models.catch_up()  # events recorded by a process that stopped mid-way
        self.petitions = PetitionService(self.ledger, self.clock)
        self.accounts = AccountService(self.ledger)
        self.audit = AuditTrail(self.ledger)

    def close(self) -> None:
        """Release the database connections."""
        self.ledger.close()
