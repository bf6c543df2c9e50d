"""The wire shapes of `/votes`: drafts, ballots and results, refusing unknown fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from domain.account import Role
from domain.vote import LABEL_MAX, OPTIONS_MAX, QUESTION_MAX, Option, VoteRules
from interfaces.http.schemas import AwareDatetime, Reason, Request

MAX_AMOUNT = 10**15  # costs and budgets, in the smallest unit of the currency
ROLL_MAX = 100_000
ABOVE_ZERO = {"extra": {"exclusiveMinimum": 0}}  # Litestar reads `extra` into the document


class OptionIn(Request):
    """One option: a short id (lower case, digits, - or _), a label, a cost for budgeting."""

    id: Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=LABEL_MAX)]
    cost: Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT)] | None = None


class ElectorateIn(Request):
    """Who may vote: the accounts listed (`roll`), every account with a `role`, or the voting
    members of a committee (`committee_id`) sitting on the day it opens; fixed when it opens."""

    kind: Literal["roll", "role", "committee"]
    accounts: Annotated[list[UUID], msgspec.Meta(max_length=ROLL_MAX)] | None = None
    role: Role | None = None
    committee_id: UUID | None = None

    def as_rules(self) -> dict[str, Any]:
        """The electorate as the vote's rules hold it."""
        if self.kind == "roll":
            return {"kind": self.kind, "accounts": [str(a) for a in self.accounts or []]}
        if self.kind == "committee":
            committee = None if self.committee_id is None else str(self.committee_id)
            return {"kind": self.kind, "committee_id": committee}
        return {"kind": self.kind, "role": None if self.role is None else self.role.value}


class DraftVote(Request):
    """A vote's rules: all of them can change while it is a draft, none once it opens."""

    question: Annotated[str, msgspec.Meta(min_length=1, max_length=QUESTION_MAX)]
    options: Annotated[list[OptionIn], msgspec.Meta(min_length=2, max_length=OPTIONS_MAX)]
    method: Annotated[
        str,
        msgspec.Meta(
            max_length=32,
            description="plurality, approval, score, majority_judgment, schulze, irv, borda, "
            "copeland, stv, greedy or equal_shares",
        ),
    ]
    opens_at: AwareDatetime
    closes_at: AwareDatetime
    electorate: ElectorateIn
    secret: bool = True
    replaceable: bool = True
    seats: Annotated[int, msgspec.Meta(ge=1, le=OPTIONS_MAX)] = 1
    score_max: Annotated[int, msgspec.Meta(ge=1, le=100)] = 10
    budget: Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT)] | None = None
    quorum_count: Annotated[int, msgspec.Meta(ge=1)] | None = None
    # `extra`: Litestar 2 leaves a bound of 0 out of the OpenAPI document (see params.py).
    quorum_share: (
        Annotated[float, msgspec.Meta(gt=0, le=1, extra_json_schema=ABOVE_ZERO)] | None
    ) = None

    territory_id: UUID | None = None  # default: the platform's territory, if it has one only

    def as_rules(self, origin: dict[str, str] | None = None) -> VoteRules:
        """The domain's rules."""
        return VoteRules(
            question=self.question,
            options=tuple(Option(o.id, o.label, o.cost) for o in self.options),
            method=self.method,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            electorate=self.electorate.as_rules(),
            secret=self.secret,
            replaceable=self.replaceable,
            seats=self.seats,
            score_max=self.score_max,
            budget=self.budget,
            quorum_count=self.quorum_count,
            quorum_share=self.quorum_share,
            origin=origin,
        )


Choice = (
    Annotated[str, msgspec.Meta(max_length=40)]
    | Annotated[list[str], msgspec.Meta(max_length=OPTIONS_MAX)]
    | Annotated[dict[str, int | str], msgspec.Meta(max_length=OPTIONS_MAX)]
)


class BallotIn(Request):
    """A ballot, in the shape of the vote's method:

    - plurality: one option id, `"tram"`;
    - approval, greedy, equal_shares: the option ids approved, `["tram", "bike"]`;
    - score: `{"tram": 7, "bike": 3}` (options left out score 0);
    - majority_judgment: `{"tram": "very_good", "bike": "passable"}` with the grades excellent,
      very_good, good, fairly_good, passable, insufficient, reject (options left out: reject);
    - schulze, irv, borda, copeland, stv: the option ids ranked, best first, `["bike", "tram"]`.
    """

    choice: Choice


class BallotReceipt(msgspec.Struct, frozen=True):
    """The ballot is recorded; `replaced` if it replaced the elector's earlier one."""

    vote_id: UUID
    replaced: bool
    secret: bool


class CloseVote(Request):
    """Why the vote closes before its closing time (not needed at or after it)."""

    reason: Reason | None = None


class CancelVote(Request):
    """Why the vote is cancelled."""

    reason: Reason


class ResultOut(msgspec.Struct, frozen=True):
    """A tally: winners after any tie-break, the full ranking in groups, the options that were
    tied for a winning place (a tie is always reported), and the method's detail (merit profiles,
    pairwise and strongest-path matrices, rounds...)."""

    method: str
    ballots: int
    winners: list[str]
    ranking: list[list[str]]
    tied: list[str]
    detail: dict[str, Any]


class VoteOut(msgspec.Struct, frozen=True):
    """A vote: its rules, where it stands, and after closing its tally and quorum."""

    id: UUID
    status: str
    question: str
    method: str
    rules: dict[str, Any]
    opens_at: datetime
    closes_at: datetime
    electorate_size: int | None
    tie_order: list[str] | None
    ballot_count: int
    quorum: int | None
    quorum_met: bool | None
    result: ResultOut | None
    outcome: Literal["elected", "quorum_not_reached"] | None
    origin_id: UUID | None
    drafted_by: str
    drafted_at: datetime
    version: int
    updated_at: datetime
    position: int
    territory_id: UUID | None = None  # the territory it belongs to

    @classmethod
    def from_view(cls, row: dict[str, Any]) -> VoteOut:
        """Build from a row of the votes view (or a vote replayed into that shape)."""
        options = [o["id"] for o in row["rules"]["options"]]
        tie_order = None if row["tie_order"] is None else [options[i] for i in row["tie_order"]]
        result = None if row["result"] is None else msgspec.convert(row["result"], ResultOut)
        quorum_met = None if row["quorum"] is None else row["ballot_count"] >= row["quorum"]
        return cls(
            **{k: v for k, v in row.items() if k not in ("tie_order", "result")},
            tie_order=tie_order,
            result=result,
            quorum_met=quorum_met,
        )


class VoteList(msgspec.Struct, frozen=True):
    """A page of votes; `next` is the cursor to pass as `after`, null on the last page."""

    items: list[VoteOut]
    next: int | None


class BallotOut(msgspec.Struct, frozen=True):
    """A ballot standing: its tag (the elector in a public vote, a pseudonym in a secret one) and
    its paper, one integer per option in the order of the vote's options."""

    position: int
    tag: str
    paper: list[int]
    version: int
    cast_at: datetime
    updated_at: datetime


class BallotList(msgspec.Struct, frozen=True):
    """A page of ballots."""

    items: list[BallotOut]
    next: int | None
