"""The API's wire shapes: msgspec Structs with their limits, refusing unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.events import REASON_MAX
from domain.petition import (
    CONSEQUENCE_MAX,
    TEXT_MAX,
    THRESHOLDS_MAX,
    TITLE_MAX,
    CommitteeThreshold,
    Threshold,
)

MAX_SIGNATURES = 1_000_000_000

Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_MAX)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
MAX_POSITION = (
    2**53 - 1
)  # a cursor is a log position; larger ones are not positions (nor JSON-safe)


class Request(msgspec.Struct, forbid_unknown_fields=True):
    """Base of request bodies: an unknown field is an error, not silently dropped."""


class ThresholdIn(Request):
    """A signature threshold and its consequence, e.g. `2000 -> citizen_vote`; a
    `committee_agenda` threshold names the committee the petition is then referred to."""

    signatures: Annotated[int, msgspec.Meta(ge=1, le=MAX_SIGNATURES)]
    consequence: Annotated[str, msgspec.Meta(min_length=1, max_length=CONSEQUENCE_MAX)]
    committee_id: UUID | None = None

    def as_threshold(self) -> Threshold:
        """The domain's threshold."""
        if self.committee_id is None:
            return Threshold(self.signatures, self.consequence)
        return CommitteeThreshold(self.signatures, self.consequence, self.committee_id)


class LodgePetition(Request):
    """A new petition."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
    deadline: AwareDatetime | None = None
    thresholds: Annotated[list[ThresholdIn], msgspec.Meta(max_length=THRESHOLDS_MAX)] = []
    territory_id: UUID | None = None  # default: the platform's territory, if it has one only


CompetenceSlug = Annotated[
    str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$", examples=["public_transport"])
]


class AdmissibilityDecision(Request):
    """Admissible, or not with the reason (mandatory when rejected)."""

    admissible: bool
    reason: Reason | None = None
    # A rejection as outside the territory's competences names the competence it concerns.
    outside_competence: CompetenceSlug | None = None


class CloseRequest(Request):
    """Why the petition is closed."""

    reason: Reason


class OfficialResponse(Request):
    """The committee's official response, citing (optionally) the decision that answered it."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
    decision_id: UUID | None = None


class ThresholdOut(msgspec.Struct, frozen=True):
    """A threshold, and when and by which signature it was reached (null until then)."""

    signatures: int
    consequence: str
    reached_at: datetime | None
    signature_id: UUID | None
    committee_id: UUID | None = None  # where a committee_agenda threshold refers the petition


class DecisionRef(msgspec.Struct, frozen=True):
    """A committee decision that answered the petition (see `GET /decisions/{id}`)."""

    decision_id: UUID
    meeting_id: UUID
    committee_id: UUID
    adopted: bool
    decided_at: datetime


class CompetentTerritory(msgspec.Struct, frozen=True):
    """A territory that holds the competence: the petition's parent or member, how far."""

    territory_id: UUID
    name: str
    relation: str  # parent | member
    distance: int


class OutsideCompetenceOut(msgspec.Struct, frozen=True):
    """Why the petition was rejected as outside its territory's competences: the competence,
    and the nearest territories that held it that day (where to turn instead)."""

    competence: str
    label: str | None
    competent: list[CompetentTerritory]


class PetitionOut(msgspec.Struct, frozen=True):
    """A petition as citizens see it, with its live signature count."""

    id: UUID
    status: str
    title: str
    text: str
    deadline: datetime | None
    lodged_by: str
    lodged_at: datetime
    signature_count: int
    thresholds: list[ThresholdOut]
    thresholds_reached: list[ThresholdOut]
    admissibility_reason: str | None
    closed_reason: str | None
    closed_at: datetime | None
    response: str | None
    responded_at: datetime | None
    version: int
    updated_at: datetime
    position: int
    response_decision_id: UUID | None = None  # the decision the response cites
    decisions: list[DecisionRef] = []  # the committee decisions that answered it
    territory_id: UUID | None = None  # the territory it is addressed to
    outside_competence: OutsideCompetenceOut | None = None

    @classmethod
    def from_view(
        cls, row: dict[str, Any], decisions: list[dict[str, Any]] | None = None
    ) -> PetitionOut:
        """Build from a row of the petitions read model (and the decisions answering it)."""
        thresholds = [
            ThresholdOut(
                signatures=t["signatures"],
                consequence=t["consequence"],
                reached_at=datetime.fromisoformat(t["reached_at"]) if t["reached_at"] else None,
                signature_id=UUID(t["signature_id"]) if t["signature_id"] else None,
                committee_id=UUID(t["committee_id"]) if t.get("committee_id") else None,
            )
            for t in row["thresholds"]
        ]
        fields = {k: v for k, v in row.items() if k not in ("thresholds", "outside_competence")}
        outside = row.get("outside_competence")
        return cls(
            **fields,
            outside_competence=None
            if outside is None
            else msgspec.convert(outside, OutsideCompetenceOut),
            thresholds=thresholds,
            thresholds_reached=[t for t in thresholds if t.reached_at is not None],
            decisions=[DecisionRef(**d) for d in decisions or []],
        )


class PetitionList(msgspec.Struct, frozen=True):
    """A page of petitions; `next` is the cursor to pass as `after`, null on the last page."""

    items: list[PetitionOut]
    next: int | None


class SignatureOut(msgspec.Struct, frozen=True):
    """A recorded signature."""

    id: UUID
    petition_id: UUID
    signer: str


class SignatoryOut(msgspec.Struct, frozen=True):
    """A signature standing at some instant: who, and when they last signed."""

    signature_id: UUID
    signer: str
    signed_at: datetime


class SignatoryList(msgspec.Struct, frozen=True):
    """A page of signatories in log order; `next` is the cursor for `after`."""

    items: list[SignatoryOut]
    next: int | None


class AggregateOut(msgspec.Struct, frozen=True):
    """Any aggregate at one of its versions: its kind and its own attributes as JSON."""

    id: UUID
    type: str
    version: int
    state: dict[str, Any]


class AuditEntry(msgspec.Struct, frozen=True):
    """One event of the log with its envelope."""

    position: int
    timestamp: datetime
    aggregate_id: UUID
    aggregate_type: str
    parent_id: UUID | None  # the aggregate whose list the event changes (a signature's petition)
    version: int
    type: str
    actor: str
    reason: str | None
    correlation_id: str
    data: dict[str, Any]


class AuditList(msgspec.Struct, frozen=True):
    """A page of audit entries in log order; `next` is the cursor for `after`."""

    items: list[AuditEntry]
    next: int | None


class LogKey(msgspec.Struct, frozen=True):
    """The public key that signs the log's checkpoints (hashes and keys in base64)."""

    origin: str
    algorithm: str
    public_key: bytes
    key_id: str
    verifier_key: str


class CheckpointOut(msgspec.Struct, frozen=True):
    """A signed checkpoint: the log had `tree_size` events and this root hash at `issued_at`.

    `note` is the checkpoint as a signed note (C2SP tlog-checkpoint + signed-note formats).
    """

    origin: str
    tree_size: int
    root_hash: bytes
    issued_at: datetime
    note: str


class StoredEventOut(msgspec.Struct, frozen=True):
    """An event exactly as the store holds it: the bytes its Merkle leaf hashes."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes


class InclusionProofOut(msgspec.Struct, frozen=True):
    """RFC 9162 audit path of the event at `position` (leaf `leaf_index`) in a tree."""

    position: int
    leaf_index: int
    tree_size: int
    leaf: StoredEventOut
    leaf_hash: bytes
    root_hash: bytes
    path: list[bytes]


class ConsistencyProofOut(msgspec.Struct, frozen=True):
    """RFC 9162 proof that the tree of `old_size` leaves is a prefix of the one of `new_size`."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    path: list[bytes]


class OpenDataColumn(msgspec.Struct, frozen=True):
    """A column of an open dataset: its stable name and type, whether it may be null, what it is."""

    name: str
    type: str
    nullable: bool
    description: str


class OpenDataDownload(msgspec.Struct, frozen=True):
    """One file of an open dataset: its format (`csv`, `json`), media type and URL."""

    format: str
    media_type: str
    url: str


class OpenDataset(msgspec.Struct, frozen=True):
    """An open dataset: what it holds, where to download it, and its columns in file order."""

    name: str
    description: str
    downloads: list[OpenDataDownload]
    columns: list[OpenDataColumn]


class OpenDataCatalogue(msgspec.Struct, frozen=True):
    """The open datasets, free to reuse, with no personal data."""

    datasets: list[OpenDataset]
