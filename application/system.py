"""Builds the application layer for one database: the ledger, its read models and the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from application.accounts import AccountService
from application.audit import AuditTrail
from application.charters import CharterService
from application.checkpoints import Signer
from application.committees import CommitteeService
from application.consultations import ConsultationService
from application.ledger import Ledger
from application.petitions import Clock, PetitionService
from application.read_models import ReadModels
from application.settings import Settings
from application.territories import OrganisationService, TerritoryService
from application.transparency import MerkleLagError, Transparency
from application.votes import VoteService


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
    votes: VoteService = field(init=False)
    committees: CommitteeService = field(init=False)
    charters: CharterService = field(init=False)
    consultations: ConsultationService = field(init=False)
    territories: TerritoryService = field(init=False)
    organisations: OrganisationService = field(init=False)
    accounts: AccountService = field(init=False)
    audit: AuditTrail = field(init=False)
    transparency: Transparency = field(init=False)
    web_secret: str = field(init=False, repr=False)  # signs CSRF tokens

    def __post_init__(self) -> None:
        self.ledger = Ledger(self.settings)
        self.read_models = ReadModels(self.ledger)
        try:
            self.read_models.catch_up()  # events recorded by a process that stopped mid-way
        except MerkleLagError:  # a log recorded before its Merkle tree existed
            self.read_models.rebuild()
        self.petitions = PetitionService(self.ledger, self.clock)
        self.votes = VoteService(self.ledger, self.clock)
        self.committees = CommitteeService(self.ledger, self.clock, self.read_models)
        self.charters = CharterService(self.ledger, self.clock, self.read_models)
        self.consultations = ConsultationService(self.ledger, self.clock)
        self.territories = TerritoryService(self.ledger, self.clock)
        self.organisations = OrganisationService(self.ledger, self.territories)
        self.accounts = AccountService(self.ledger, self.clock)
        self.audit = AuditTrail(self.ledger)
        signer = Signer.from_file(self.settings.log_origin, self.settings.signing_key_path())
        self.transparency = Transparency(self.ledger, signer, self.clock)
        self.web_secret = signer.derived_secret("web")

    def close(self) -> None:
        """Release the database connections."""
        self.ledger.close()
