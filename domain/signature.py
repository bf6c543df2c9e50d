"""One person's signature on one petition: a small aggregate keyed by (petition, signer).

Its id is derived from the pair, so the event store's unique (id, version) key itself refuses a
second signature recorded concurrently, and the petition never holds a growing list of signers.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.errors import AlreadySigned, NotSigned
from domain.events import Cause, CivicAggregate
from domain.petition import Petition


def signature_id(petition_id: UUID, signer: str) -> UUID:
    """The deterministic id of `signer`'s signature on the petition."""
    return uuid5(NAMESPACE_URL, f"civic-ledger:signature:{petition_id}:{signer}")


class Signature(CivicAggregate):
    """Signed, then possibly withdrawn and signed again while the petition is open.

    Every event names the petition, so counting needs no lookup.
    """

    class Event(CivicAggregate.Event):
        """Any event of a signature; each names its petition."""

        petition_id: UUID

    class Signed(Event, CivicAggregate.Created):
        """`signer` signed the petition."""

        signer: str

    class SignedAgain(Event):
        """Signed again after a withdrawal."""

    class Withdrawn(Event):
        """The signer withdrew the signature."""

    @classmethod
    def sign(cls, *, petition: Petition, signer: str, cause: Cause, now: datetime) -> Signature:
        """A first signature by `signer` on an open petition."""
        petition.check_open_for_signatures(now)
        return cls(petition_id=petition.id, signer=signer, **cause.fields())

    @staticmethod
    def create_id(petition_id: UUID, signer: str, **_: object) -> UUID:
        """Used by the library to give the aggregate its deterministic id."""
        return signature_id(petition_id, signer)

    @event(Signed)
    def __init__(
        self,
        *,
        petition_id: UUID,
        signer: str,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.petition_id = petition_id
        self.signer = signer
        self.active = True

    def sign_again(self, *, petition: Petition, cause: Cause, now: datetime) -> None:
        """Sign again after a withdrawal; a signature that stands is refused."""
        if self.active:
            raise AlreadySigned("you have already signed this petition")
        petition.check_open_for_signatures(now)
        self._signed_again(petition_id=self.petition_id, **cause.fields())

    @event(SignedAgain)
    def _signed_again(
        self, *, petition_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.active = True

    def withdraw(self, *, petition: Petition, cause: Cause, now: datetime) -> None:
        """Withdraw the signature, only while the petition is open."""
        if not self.active:
            raise NotSigned("your signature is not on this petition")
        petition.check_open_for_signatures(now)
        self._withdrawn(petition_id=self.petition_id, **cause.fields())

    @event(Withdrawn)
    def _withdrawn(
        self, *, petition_id: UUID, actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.active = False
