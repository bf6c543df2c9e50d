"""Aggregates rebuilt from their stored events have the state they had when saved.

Here the aggregates are built without the drained "given" builders: every event must be saved.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
from eventsourcing.application import Application

from domain.petition import Petition
from domain.signature import Signature

from .given import (
    ADMISSION,
    CLOSURE,
    DEADLINE,
    LODGING,
    NOW,
    POLICY,
    SIGNING,
    THRESHOLDS,
    open_petition,
)


@pytest.fixture
def application() -> Iterator[Application[UUID]]:
    """An application over the library's in-memory event store."""
    application: Application[UUID] = Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    yield application
    application.close()


class TestReplay:
    def test_a_petition_rebuilt_from_its_events_has_the_same_state(
        self, application: Application[UUID]
    ) -> None:
        """Lodged, admitted, a threshold reached, closed, answered: replay gives the same state."""
        petition = Petition.lodge(
            title="More trees",
            text="Twenty trees on the Rue Verte.",
            deadline=DEADLINE,
            thresholds=THRESHOLDS,
            cause=LODGING,
            now=NOW,
        )
        petition.decide_admissibility(admissible=True, cause=ADMISSION)
        petition.record_threshold_reached(signature_count=2, signature_id="sig-2", cause=POLICY)
        petition.close(cause=CLOSURE)
        petition.respond(text="Fifteen trees this autumn.", cause=ADMISSION)
        application.save(petition)

        rebuilt: Petition = application.repository.get(petition.id)

        assert isinstance(rebuilt, Petition)
        assert rebuilt.version == 5
        assert vars(rebuilt) == vars(petition)

    def test_a_signature_rebuilt_from_its_events_has_the_same_state(
        self, application: Application[UUID]
    ) -> None:
        """Signed, withdrawn, signed again: replay gives the same standing signature."""
        petition = open_petition()
        signature = Signature.sign(petition=petition, signer="account:bob", cause=SIGNING, now=NOW)
        signature.withdraw(petition=petition, cause=SIGNING, now=NOW)
        signature.sign_again(petition=petition, cause=SIGNING, now=NOW)
        application.save(signature)

        rebuilt: Signature = application.repository.get(signature.id)

        assert isinstance(rebuilt, Signature)
        assert vars(rebuilt) == vars(signature)
        assert rebuilt.active
