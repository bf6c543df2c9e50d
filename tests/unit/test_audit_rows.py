"""`audit_row` builds exactly the row its first, plain version built, for events of every type.

The plain version is kept here only as the reference: the row of any event of any class, with
any values in any order (the order of `data`'s keys is stored, in its JSON), must be the same,
value for value and type for type. Events recorded by aggregates and read back through the
mapper are checked too, as the live server and the verifier's replay see them.
"""

from __future__ import annotations

import importlib
import pkgutil
import string
from datetime import UTC, datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.domain import DomainEventProtocol
from hypothesis import given, settings
from hypothesis import strategies as st

import domain
from application import read_models
from application.read_models import _AUDIT_KINDS, ENVELOPE_FIELDS, audit_row, jsonable
from application.verification import Replay
from domain.account import TokenKind
from domain.ballot import Ballot
from domain.consultation_answers import AnswerSet
from domain.consultation_contribution import Comment, Contribution, Endorsement
from domain.events import CivicAggregate
from domain.meeting import Meeting
from domain.personal import Personal
from domain.petition import Petition
from domain.signature import Signature
from domain.vote import VoteStatus

from .given import ADMISSION, CLOSURE, DEADLINE, LODGING, NOW, SIGNING, THRESHOLDS

# -- the reference: `audit_row` and its helpers as they were, before they were made faster ----

_PLAIN = frozenset({str, int, float, bool, type(None)})


def original_jsonable(value: Any) -> Any:  # noqa: PLR0911  # as it was
    """`read_models.jsonable` as it was."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Personal):
        return {"personal_data_of": str(value.subject)}
    if isinstance(value, dict):
        return {str(k): original_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [original_jsonable(v) for v in value]
    return value


def original_event_data(domain_event: DomainEventProtocol[UUID]) -> dict[str, Any]:
    """`read_models.event_data` as it was."""
    return {
        name: value if type(value) in _PLAIN else original_jsonable(value)
        for name, value in vars(domain_event).items()
        if name not in ENVELOPE_FIELDS
    }


def original_parent_of(domain_event: CivicAggregate.Event) -> UUID | None:
    """`read_models.parent_of` as it was."""
    if isinstance(domain_event, Signature.Event):
        return domain_event.petition_id
    if isinstance(domain_event, Ballot.Event):
        return domain_event.vote_id
    if isinstance(domain_event, Meeting.Event):
        return domain_event.committee_id
    if isinstance(domain_event, Comment.Event | Endorsement.Event):
        return domain_event.contribution_id
    if isinstance(domain_event, Contribution.Event | AnswerSet.Event):
        return domain_event.consultation_id
    return None


def original_audit_row(position: int, domain_event: CivicAggregate.Event) -> dict[str, Any]:
    """`read_models.audit_row` as it was."""
    name = type(domain_event).__qualname__
    return {
        "position": position,
        "timestamp": domain_event.timestamp,
        "aggregate_id": domain_event.originator_id,
        "aggregate_type": name.partition(".")[0],
        "version": domain_event.originator_version,
        "type": name,
        "actor": domain_event.actor,
        "reason": domain_event.reason,
        "correlation_id": domain_event.correlation_id,
        "data": original_event_data(domain_event),
        "parent_id": original_parent_of(domain_event),
    }


# -- events of every class, with values of every kind -----------------------------------------


def event_classes() -> list[type[CivicAggregate.Event]]:
    """Every event class of the domain, the abstract ones too, by name for a stable order."""
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(module.name)
    found: set[type[CivicAggregate.Event]] = set()
    pending = [CivicAggregate.Event]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__, id(c)))


EVENT_CLASSES = event_classes()
PARENT_NAMES = ("petition_id", "vote_id", "committee_id", "contribution_id", "consultation_id")


class TaggedId(UUID):
    """A UUID of a type of its own, written its own way: `jsonable` keeps its `str`."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"tagged:{super().__str__()}"


zones = st.just(UTC) | st.builds(
    timezone, st.timedeltas(timedelta(hours=-23, minutes=-59), timedelta(hours=23, minutes=59))
)
times = st.datetimes(timezones=zones)
ids = st.uuids() | st.builds(TaggedId, st.uuids().map(str))
plain = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
leaves = (
    plain
    | ids
    | times
    | st.datetimes()  # naive
    | st.dates()  # left as it is
    | st.sampled_from([*TokenKind, *VoteStatus])
    | st.builds(Personal, st.uuids(), st.none() | st.text(max_size=8))
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4) | st.integers() | st.uuids(), inner, max_size=3)
    ),
    max_leaves=6,
)
names = st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)


@st.composite
def events(draw: st.DrawFn) -> CivicAggregate.Event:
    """An event of any class, its attributes (the envelope, every parent's id and others) in
    any order, as the mapper makes one: a bare instance given its attributes."""
    attributes: dict[str, Any] = {
        "originator_id": draw(ids),
        "originator_version": draw(st.integers(1, 10**6)),
        "timestamp": draw(times),
        "actor": draw(st.text(max_size=8)),
        "correlation_id": draw(st.text(max_size=8)),
        "reason": draw(st.none() | st.text(max_size=8)),
        **{name: draw(st.none() | ids) for name in PARENT_NAMES},
        **draw(st.dictionaries(names, values, max_size=4)),
    }
    if draw(st.booleans()):
        attributes["originator_topic"] = "domain.petition:Petition.Lodged"
    order = draw(st.permutations(list(attributes)))
    event = object.__new__(draw(st.sampled_from(EVENT_CLASSES)))
    event.__dict__.update({name: attributes[name] for name in order})
    return event


def same(row: dict[str, Any], expected: dict[str, Any]) -> None:
    """Equal, and written the same way: keys in the same order, values of the same types."""
    assert row == expected
    assert repr(row) == repr(expected)


class TestAuditRow:
    @given(st.integers(1, 2**62), events())
    @settings(max_examples=500, deadline=None)
    def test_the_row_of_any_event_is_the_original_row(
        self, position: int, event: CivicAggregate.Event
    ) -> None:
        """Any class, any values, any order of attributes: the original function's row."""
        same(audit_row(position, event), original_audit_row(position, event))

    @given(st.integers(1, 2**62), events(), events())
    @settings(max_examples=300, deadline=None)
    def test_events_of_a_class_known_shape_or_not_give_the_original_rows(
        self, position: int, first: CivicAggregate.Event, other: CivicAggregate.Event
    ) -> None:
        """The first event of a class gives its kind the shape its fields are taken by; a later
        one of that shape takes them so, one of another shape (`other`'s) attribute by
        attribute: every row is the original function's."""
        _AUDIT_KINDS.clear()
        again = object.__new__(type(first))
        again.__dict__.update({name: f"again {name}" for name in vars(first)})
        reshaped = object.__new__(type(first))
        reshaped.__dict__.update(vars(other))
        read_one_by_one: list[dict[str, Any]] = []
        own_fields = read_models.own_fields

        def spied(attributes: dict[str, Any]) -> dict[str, Any]:
            read_one_by_one.append(attributes)
            return own_fields(attributes)

        read_models.own_fields = spied
        try:
            for event in (first, again, reshaped):
                same(audit_row(position, event), original_audit_row(position, event))
        finally:
            read_models.own_fields = own_fields
        known = list(vars(reshaped)) == list(vars(first))
        assert read_one_by_one == ([] if known else [vars(reshaped)])

    def test_every_class_has_the_original_parent(self) -> None:
        """Each event class names the parent the original chain of `isinstance` named."""
        for cls in EVENT_CLASSES:
            event = object.__new__(cls)
            event.__dict__.update(
                originator_id=UUID(int=1),
                originator_version=1,
                timestamp=datetime(2030, 1, 1, tzinfo=UTC),
                actor="account:a",
                correlation_id="c",
                reason=None,
                **{name: UUID(int=n + 2) for n, name in enumerate(PARENT_NAMES)},
            )
            same(audit_row(7, event), original_audit_row(7, event))

    def test_recorded_and_read_back_events_give_the_original_rows(self, tmp_path: Path) -> None:
        """Events as aggregates record them, and as the log's mapper reads them back."""
        petition = Petition.lodge(
            title="More trees",
            text="Twenty trees along the Rue Verte.",
            deadline=DEADLINE,
            thresholds=THRESHOLDS,
            cause=LODGING,
            now=NOW,
        )
        petition.decide_admissibility(admissible=True, cause=ADMISSION)
        signature = Signature.sign(petition=petition, signer="account:bob", cause=SIGNING, now=NOW)
        signature.withdraw(petition=petition, cause=SIGNING, now=NOW)
        petition.close(cause=CLOSURE)
        recorded = [*petition.collect_events(), *signature.collect_events()]
        replay = Replay(tmp_path)
        try:
            mapper = replay.ledger.mapper
            read_back = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in recorded]
        finally:
            replay.close()
        assert {type(e).__qualname__ for e in read_back} >= {
            "Petition.Lodged",
            "Petition.AdmissibilityDecided",
            "Signature.Signed",
            "Signature.Withdrawn",
            "Petition.Closed",
        }
        for position, event in enumerate([*recorded, *read_back], start=1):
            assert isinstance(event, CivicAggregate.Event)
            same(audit_row(position, event), original_audit_row(position, event))


class TestJsonable:
    @given(values)
    @settings(max_examples=300, deadline=None)
    def test_any_value_is_written_as_the_original_wrote_it(self, value: Any) -> None:
        """Nested or not, of any kind: the original's JSON data, of the same types."""
        assert repr(jsonable(value)) == repr(original_jsonable(value))

    def test_remembered_ids_are_forgotten_at_the_limit(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Past the limit the remembered ids are dropped, and each id still reads as itself."""
        monkeypatch.setattr(read_models, "_UUID_TEXTS_LIMIT", 2)
        monkeypatch.setattr(read_models, "_UUID_TEXTS", {})
        some = [UUID(int=n) for n in (1, 2, 3, 1, 4, 2)]
        assert [jsonable(i) for i in some] == [str(i) for i in some]
        assert len(read_models._UUID_TEXTS) <= 2  # what the limit bounds
