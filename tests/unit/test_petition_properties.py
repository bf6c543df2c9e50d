"""Properties of the petition: which thresholds it accepts, and how signatures reach them.

The state machine signs and withdraws for a handful of signers, counts signatures as the read
model does (+1 on Signed and SignedAgain, -1 on Withdrawn) and, after every signature event, asks
the petition to record the threshold that count reaches. A model predicts every outcome: the set
of signers whose signature stands, which commands are refused and why, and which signature first
brought the count to each threshold.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from domain.errors import (
    AlreadySigned,
    DomainError,
    InvalidPetition,
    NotOpenForSignatures,
    NotSigned,
)
from domain.petition import THRESHOLDS_MAX, Petition, Threshold
from domain.signature import Signature

from .given import (
    CLOSURE,
    DEADLINE,
    LODGING,
    NOW,
    POLICY,
    SIGNING,
    only_event,
    open_petition,
    refused,
)

SIGNERS = [f"account:signer-{n}" for n in range(8)]

# 1 to 3 strictly increasing thresholds; some above len(SIGNERS), so never reached.
THRESHOLD_COUNTS = st.lists(
    st.integers(min_value=1, max_value=len(SIGNERS) + 2), min_size=1, max_size=3, unique=True
).map(sorted)


@settings(max_examples=150, stateful_step_count=40, deadline=None)
class SignatureCounting(RuleBasedStateMachine):
    """Signers sign, withdraw and sign again at random until the petition may close."""

    petition: Petition

    def __init__(self) -> None:
        super().__init__()
        self.now = NOW
        self.signatures: dict[str, Signature] = {}  # signer -> their signature aggregate
        self.count = 0  # the projection's count, from the events alone
        self.recorded: dict[int, str] = {}  # threshold -> signature id, from ThresholdReached
        # The model.
        self.open = True
        self.standing: set[str] = set()
        self.highest = 0
        self.first_reached_by: dict[int, str] = {}

    @initialize(counts=THRESHOLD_COUNTS)
    def an_open_petition(self, counts: list[int]) -> None:
        """An admitted petition with 1 to 3 thresholds."""
        self.petition = open_petition(
            thresholds=[Threshold(signatures=n, consequence=f"consequence-{n}") for n in counts]
        )

    # -- commands ------------------------------------------------------------------------------

    @rule(signer=st.sampled_from(SIGNERS))
    def sign(self, signer: str) -> None:
        """Sign for the first time, or again after a withdrawal."""
        signature = self.signatures.get(signer)
        refusal = self._refusal_of_signing(signer)
        if refusal is not None:
            involved = [self.petition] if signature is None else [self.petition, signature]
            with refused(refusal, *involved):
                self._sign(signer, signature)
            return
        signature = self._sign(signer, signature)
        self.standing.add(signer)
        self._model_count_changed(signature)
        self._project(
            signature, Signature.Signed if signature.version == 1 else Signature.SignedAgain
        )

    @precondition(lambda self: bool(self.signatures))
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        """Withdraw the signature of someone who has signed at some point."""
        signer = data.draw(st.sampled_from(sorted(self.signatures)), label="signer")
        signature = self.signatures[signer]
        refusal = self._refusal_of_withdrawal(signer)
        if refusal is not None:
            with refused(refusal, self.petition, signature):
                signature.withdraw(petition=self.petition, cause=SIGNING, now=self.now)
            return
        signature.withdraw(petition=self.petition, cause=SIGNING, now=self.now)
        self.standing.discard(signer)
        self._model_count_changed(signature)
        self._project(signature, Signature.Withdrawn)

    @precondition(lambda self: self.open)
    @rule(by_decision=st.booleans())
    def signing_ends(self, by_decision: bool) -> None:
        """The petition is closed by decision, or the clock reaches its deadline."""
        if by_decision:
            self.petition.close(cause=CLOSURE)
            only_event(self.petition, Petition.Closed)
        else:
            self.now = DEADLINE
        self.open = False

    # -- what the model predicts ---------------------------------------------------------------

    def _refusal_of_signing(self, signer: str) -> type[DomainError] | None:
        """A standing signature is refused first; otherwise the petition must be open."""
        if signer in self.standing:
            return AlreadySigned
        return None if self.open else NotOpenForSignatures

    def _refusal_of_withdrawal(self, signer: str) -> type[DomainError] | None:
        """Only a standing signature can be withdrawn, and only while the petition is open."""
        if signer not in self.standing:
            return NotSigned
        return None if self.open else NotOpenForSignatures

    def _model_count_changed(self, signature: Signature) -> None:
        """A signature made the model's count rise to a new high: it may reach a threshold."""
        size = len(self.standing)
        if size > self.highest:
            self.highest = size
            if any(t.signatures == size for t in self.petition.thresholds):
                self.first_reached_by[size] = str(signature.id)

    # -- the system under test: the signature's event, counted, then the threshold policy -------

    def _sign(self, signer: str, signature: Signature | None) -> Signature:
        if signature is None:
            signature = Signature.sign(
                petition=self.petition, signer=signer, cause=SIGNING, now=self.now
            )
            self.signatures[signer] = signature
        else:
            signature.sign_again(petition=self.petition, cause=SIGNING, now=self.now)
        return signature

    def _project(self, signature: Signature, event_type: type[Signature.Event]) -> None:
        """Count the signature's one new event, then record any threshold the count reaches."""
        event = only_event(signature, event_type)
        assert event.petition_id == self.petition.id
        self.count += -1 if isinstance(event, Signature.Withdrawn) else 1

        reached = self.petition.record_threshold_reached(
            signature_count=self.count, signature_id=str(signature.id), cause=POLICY
        )

        events = self.petition.collect_events()
        assert reached is (len(events) == 1)
        assert len(events) <= 1
        for recorded in events:
            assert isinstance(recorded, Petition.ThresholdReached)
            assert recorded.signatures not in self.recorded, "a threshold was recorded twice"
            self.recorded[recorded.signatures] = recorded.signature_id

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def the_count_is_the_number_of_standing_signatures(self) -> None:
        """The projected count equals the number of signers whose signature stands."""
        assert self.count == len(self.standing)
        assert {s for s, sig in self.signatures.items() if sig.active} == self.standing

    @invariant()
    def a_threshold_is_recorded_once_iff_reached_by_its_first_signature(self) -> None:
        """Recorded thresholds are those the count ever reached, each for the first signature."""
        assert self.recorded == self.first_reached_by
        assert set(self.recorded) == {
            t.signatures for t in self.petition.thresholds if t.signatures <= self.highest
        }
        assert sorted(self.petition.thresholds_reached) == sorted(self.recorded)
        assert len(set(self.petition.thresholds_reached)) == len(self.petition.thresholds_reached)


TestSignatureCounting = SignatureCounting.TestCase


INCREASING = st.lists(st.integers(min_value=1, max_value=1_000), unique=True, max_size=12).map(
    sorted
)
ANY = st.lists(st.integers(min_value=-3, max_value=30), max_size=THRESHOLDS_MAX + 2)


class TestLodgingThresholds:
    @settings(max_examples=200, deadline=None)
    @given(counts=st.one_of(INCREASING, ANY))
    def test_thresholds_are_accepted_iff_positive_strictly_increasing_and_few(
        self, counts: list[int]
    ) -> None:
        """Lodging accepts thresholds exactly when positive, strictly increasing and few enough."""
        thresholds = [Threshold(signatures=n, consequence="citizen_vote") for n in counts]
        acceptable = (
            len(counts) <= THRESHOLDS_MAX
            and all(n > 0 for n in counts)
            and all(a < b for a, b in pairwise(counts))
        )

        try:
            petition = Petition.lodge(
                title="More trees",
                text="Twenty trees on the Rue Verte.",
                deadline=DEADLINE,
                thresholds=thresholds,
                cause=LODGING,
                now=NOW,
            )
        except InvalidPetition:
            assert not acceptable
        else:
            assert acceptable
            lodged = only_event(petition, Petition.Lodged)
            assert [t["signatures"] for t in lodged.thresholds] == counts
