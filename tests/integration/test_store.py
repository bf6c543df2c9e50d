"""The event store's Core statements behave as the library's: order, positions, reloading."""

from uuid import uuid4

from application.system import CivicLedger
from domain.account import Account, Role
from domain.events import Cause


class TestCivicRecorder:
    """Saving several aggregates at once and loading them back."""

    def test_positions_follow_the_order_of_the_saved_events(self, civic: CivicLedger) -> None:
        """Ten accounts saved in one call get ascending positions in the order given."""
        cause = Cause(actor="system:test", correlation_id=str(uuid4()))
        accounts = [
            Account.open(name=f"n{i}", roles=[Role.CITIZEN], token_hash=f"{i:064x}", cause=cause)
            for i in range(10)
        ]
        recordings = civic.ledger.record(*accounts)
        positions = [r.notification.id for r in recordings]
        assert positions == sorted(positions)
        assert [r.domain_event.originator_id for r in recordings] == [a.id for a in accounts]
        entries = civic.audit.events(correlation_id=cause.correlation_id).items
        assert [(e["position"], e["aggregate_id"]) for e in entries] == [
            (p, a.id) for p, a in zip(positions, accounts, strict=True)
        ]

    def test_an_aggregate_reloads_with_all_its_events(self, civic: CivicLedger) -> None:
        """Reloading gives the same state, through the prebuilt select, and versions work too."""
        cause = Cause(actor="system:test", correlation_id="c")
        account = Account.open(name="Ada", roles=[Role.CITIZEN], token_hash="0" * 64, cause=cause)
        civic.ledger.record(account)
        loaded: Account = civic.ledger.repository.get(account.id)
        assert (loaded.name.value, loaded.roles, loaded.version) == ("Ada", [Role.CITIZEN], 1)
        assert civic.ledger.repository.get(account.id, version=1).version == 1
