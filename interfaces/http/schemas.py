"""The API's wire shapes: msgspec Structs with their limits, refusing unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from domain.events import REASON_MAX
from domain.petition import CONSEQUENCE_MAX, TEXT_MAX, THRESHOLDS_MAX, TITLE_MAX

MAX_SIGNATURES = 1_000_000_000

Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=REASON_MAX)]
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
MAX_POSITION = (
    2**53 - 1
)  # a cursor is a log position; larger ones are not positions (nor JSON-safe)


class Request(msgspec.Struct, forbid_unknown_fields=True):
    """Base of request bodies: an unknown field is an error, not silently dropped."""


class ThresholdIn(Request):
    """A signature threshold and its consequence, e.g. `2000 -> citizen_vote`."""

    signatures: Annotated[int, msgspec.Meta(ge=1, le=MAX_SIGNATURES)]
    consequence: Annotated[str, msgspec.Meta(min_length=1, max_length=CONSEQUENCE_MAX)]


class LodgePetition(Request):
    """A new petition."""

    title: Annotated[str, msgspec.Meta(min_length=1, max_length=TITLE_MAX)]
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]
    deadline: AwareDatetime | None = None
    thresholds: Annotated[list[ThresholdIn], msgspec.Meta(max_length=THRESHOLDS_MAX)] = []


class AdmissibilityDecision(Request):
    """Admissible, or not with the reason (mandatory when rejected)."""

    admissible: bool
    reason: Reason | None = None


class CloseRequest(Request):
    """Why the petition is closed."""

    reason: Reason


class OfficialResponse(Request):
    """The committee's official response."""

    text: Annotated[str, msgspec.Meta(min_length=1, max_length=TEXT_MAX)]


class ThresholdOut(msgspec.Struct, frozen=True):
    """A threshold, and when and by which signature it was reached (null until then)."""

    signatures: int
    consequence: str
    reached_at: datetime | None
    signature_id: UUID | None


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

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> PetitionOut:
        """Build from a row of the petitions read model."""
        thresholds = [
            ThresholdOut(
                signatures=t["signatures"],
                consequence=t["consequence"],
                reached_at=datetime.fromisoformat(t["reached_at"]) if t["reached_at"] else None,
                signature_id=UUID(t["signature_id"]) if t["signature_id"] else None,
            )
            for t in row["thresholds"]
        ]
        fields = {k: v for k, v in row.items() if k != "thresholds"}
        return cls(
            **fields,
            thresholds=thresholds,
            thresholds_reached=[t for t in thresholds if t.reached_at is not None],
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


class AuditEntry(msgspec.Struct, frozen=True):
    """One event of the log with its envelope."""

    position: int
    timestamp: datetime
    aggregate_id: UUID
    aggregate_type: str
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
