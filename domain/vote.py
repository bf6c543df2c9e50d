"""A vote ("votation"): drafted, opened with its rules frozen, closed with its tally, certified.

Ballots are separate aggregates (see `ballot.py`), one per elector, so the vote itself stays small
however many people take part. The vote records the rules, the electorate fixed at opening, the
tie-break order, the tally computed at closing and the certified outcome.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from math import ceil
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.errors import IllegalTransition, InvalidVoteRules, NotEntitled, ReasonRequired
from domain.events import Cause, CivicAggregate
from domain.petition import Petition
from domain.text import check_text
from domain.voting.base import Rules, tie_order_for
from domain.voting.registry import BUDGETING, METHODS, MULTI_SEAT

QUESTION_MAX = 500
LABEL_MAX = 200
OPTIONS_MIN, OPTIONS_MAX = 2, 100
SCORE_MAX = 100
OPTION_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
HORIZON = timedelta(days=3653)


class VoteStatus(StrEnum):
    """Where a vote stands."""

    DRAFT = "draft"  # rules may still change
    OPEN = "open"  # rules frozen, ballots accepted until the closing time
    CLOSED = "closed"  # tallied, awaiting certification
    CERTIFIED = "certified"  # the outcome is official; a secret ballot's key is destroyed
    CANCELLED = "cancelled"


class ElectorateKind(StrEnum):
    """Who may vote: listed accounts, every account with a role, a committee's voting members, or
    a ballot file's voters."""

    ROLL = "roll"
    ROLE = "role"
    FILE = "file"  # the anonymous voters of an imported ballot file, numbered 1..n
    COMMITTEE = "committee"  # the voting members of a steering committee on the opening day


class NotDraft(IllegalTransition):
    """The vote's rules are frozen once it opens."""


class NotOpenForBallots(IllegalTransition):
    """The vote is not open, or its closing time has passed."""


class NotElector(NotEntitled):
    """The account is not on the vote's electorate."""


class BallotNotReplaceable(IllegalTransition):
    """This vote does not let a ballot be replaced."""


@dataclass(frozen=True, slots=True)
class Option:
    """One choice on the ballot; `cost` only for participatory budgeting."""

    id: str
    label: str
    cost: int | None = None


@dataclass(frozen=True, slots=True)
class VoteRules:
    """Everything about how the vote is run; frozen when it opens."""

    question: str
    options: tuple[Option, ...]
    method: str
    opens_at: datetime
    closes_at: datetime
    electorate: dict[str, Any]  # {"kind": "roll", "accounts": [...]} | {"kind": "role", ...}
    secret: bool = True
    replaceable: bool = True
    seats: int = 1
    score_max: int = 10
    budget: int | None = None
    quorum_count: int | None = None  # at least this many ballots
    quorum_share: float | None = None  # or at least this share of the electorate (0 < s <= 1)
    origin: dict[str, str] | None = None  # e.g. {"kind": "petition", "id": "..."}

    def as_event(self) -> dict[str, Any]:
        """The rules as event data."""
        return {
            "question": self.question,
            "options": [{"id": o.id, "label": o.label, "cost": o.cost} for o in self.options],
            "method": self.method,
            "opens_at": self.opens_at,
            "closes_at": self.closes_at,
            "electorate": self.electorate,
            "secret": self.secret,
            "replaceable": self.replaceable,
            "seats": self.seats,
            "score_max": self.score_max,
            "budget": self.budget,
            "quorum_count": self.quorum_count,
            "quorum_share": self.quorum_share,
            "origin": self.origin,
        }

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> VoteRules:
        """Rules back from event data."""
        options = tuple(Option(o["id"], o["label"], o.get("cost")) for o in data["options"])
        return cls(**{**data, "options": options})

    def tally_rules(self, tie_order: tuple[int, ...] = ()) -> Rules:
        """What the counting method needs."""
        costs = None
        if self.method in BUDGETING:
            costs = tuple(o.cost or 0 for o in self.options)
        return Rules(
            options=tuple(o.id for o in self.options),
            seats=self.seats,
            score_max=self.score_max,
            costs=costs,
            budget=self.budget,
            tie_order=tie_order,
        )

    def validate(self, now: datetime) -> None:
        """Raise `InvalidVoteRules` unless these rules make a vote that can be run."""
        check_text(
            self.question, what="the question", max_length=QUESTION_MAX, error=InvalidVoteRules
        )
        if self.method not in METHODS:
            known = ", ".join(sorted(METHODS))
            raise InvalidVoteRules(f"unknown method {self.method!r}; known methods: {known}")
        if not OPTIONS_MIN <= len(self.options) <= OPTIONS_MAX:
            raise InvalidVoteRules(f"a vote needs {OPTIONS_MIN} to {OPTIONS_MAX} options")
        for option in self.options:
            if not OPTION_ID.fullmatch(option.id):
                raise InvalidVoteRules(
                    f"option id {option.id!r} must be 1 to 40 lower-case letters, digits, - or _"
                )
            check_text(
                option.label, what="an option's label", max_length=LABEL_MAX, error=InvalidVoteRules
            )
        self._validate_method()
        self._validate_times(now)
        self._validate_electorate()
        self._validate_quorum()
        self.tally_rules()  # the method's own constraints (distinct ids, seats)

    def _validate_method(self) -> None:
        if self.method in BUDGETING:
            if self.budget is None or self.budget <= 0:
                raise InvalidVoteRules(f"{self.method} needs a positive budget")
            if any(o.cost is None or o.cost <= 0 for o in self.options):
                raise InvalidVoteRules(f"{self.method} needs a positive cost for every option")
        elif any(o.cost is not None for o in self.options) or self.budget is not None:
            raise InvalidVoteRules("costs and a budget are only for participatory budgeting")
        if self.method not in MULTI_SEAT and self.seats != 1:
            raise InvalidVoteRules(f"{self.method} elects one option; seats must be 1")
        if not 1 <= self.score_max <= SCORE_MAX:
            raise InvalidVoteRules(f"the highest score must be between 1 and {SCORE_MAX}")

    def _validate_times(self, now: datetime) -> None:
        for name, when in (("opening", self.opens_at), ("closing", self.closes_at)):
            if when.utcoffset() is None:
                raise InvalidVoteRules(f"the {name} time must state its time zone")
        if self.closes_at <= self.opens_at:
            raise InvalidVoteRules("the vote must close after it opens")
        if self.closes_at <= now:
            raise InvalidVoteRules("the closing time must be in the future")
        if self.closes_at > now + HORIZON:
            raise InvalidVoteRules("the closing time must be within ten years")

    def _validate_electorate(self) -> None:
        kind = self.electorate.get("kind")
        if kind == ElectorateKind.ROLL:
            roll = self.electorate.get("accounts")
            if not isinstance(roll, list) or not roll:
                raise InvalidVoteRules("a roll electorate lists at least one account")
            if len(set(roll)) != len(roll):
                raise InvalidVoteRules("the roll lists an account twice")
        elif kind == ElectorateKind.ROLE:
            if not isinstance(self.electorate.get("role"), str):
                raise InvalidVoteRules("a role electorate names the role")
        elif kind == ElectorateKind.COMMITTEE:
            committee = self.electorate.get("committee_id")
            try:
                UUID(str(committee))
            except ValueError:
                raise InvalidVoteRules("a committee electorate names the committee's id") from None
        elif kind == ElectorateKind.FILE:
            voters = self.electorate.get("voters")
            if not isinstance(voters, int) or voters < 1:
                raise InvalidVoteRules("an imported file's electorate counts at least one voter")
            if not isinstance(self.electorate.get("sha256"), str):
                raise InvalidVoteRules("an imported file's electorate names the file's SHA-256")
        else:
            raise InvalidVoteRules("the electorate is a roll of accounts, a role or a committee")

    def _validate_quorum(self) -> None:
        if self.quorum_count is not None and self.quorum_share is not None:
            raise InvalidVoteRules("a turnout quorum is a count or a share, not both")
        if self.quorum_count is not None and self.quorum_count < 1:
            raise InvalidVoteRules("a quorum count must be at least 1")
        if self.quorum_share is not None and not 0 < self.quorum_share <= 1:
            raise InvalidVoteRules("a quorum share must be above 0 and at most 1")

    def file_voters(self) -> list[str]:
        """The pseudonyms of an imported file's voters: `<file digest prefix>:<n>`."""
        digest = str(self.electorate["sha256"])[:16]
        return [f"{digest}:{n}" for n in range(1, int(self.electorate["voters"]) + 1)]

    def quorum(self, electorate_size: int) -> int:
        """The number of ballots needed for the result to stand (0: no quorum)."""
        if self.quorum_count is not None:
            return self.quorum_count
        if self.quorum_share is not None:
            return ceil(self.quorum_share * electorate_size)
        return 0


class Vote(CivicAggregate):
    """One vote's lifecycle."""

    class Event(CivicAggregate.Event):
        """Any event of a vote."""

    class Drafted(Event, CivicAggregate.Created):
        """Drafted with its rules (a question, options, a method, an electorate, dates...), for
        the territory `territory_id`."""

        class_version = 2
        rules: dict[str, Any]
        territory_id: UUID | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Votes drafted before territories belong to none."""
            state["territory_id"] = None

    class Redrafted(Event):
        """Its rules changed while still a draft."""

        rules: dict[str, Any]

    class Opened(Event):
        """Opened: the rules are frozen, the electorate fixed, the tie-break order drawn."""

        electorate: list[str]
        tie_order: list[int]

    class Closed(Event):
        """Closed and tallied: `result` is the method's full result (detail included)."""

        ballots: int
        quorum: int
        result: dict[str, Any]

    class Certified(Event):
        """The outcome is official (`elected`, or `quorum_not_reached`)."""

        outcome: str
        result: dict[str, Any]

    class Cancelled(Event):
        """Cancelled before closing, with a reason."""

    @classmethod
    def draft(
        cls,
        *,
        rules: VoteRules,
        cause: Cause,
        now: datetime,
        vote_id: UUID | None = None,
        territory_id: UUID | None = None,
    ) -> Vote:
        """Draft a vote of the territory `territory_id`; `vote_id` for one drafted by a policy
        (its id says what caused it)."""
        rules.validate(now)
        fields = {"rules": rules.as_event(), "territory_id": territory_id, **cause.fields()}
        if vote_id is None:
            return cls(**fields)
        return cls._create(cls.Drafted, id=vote_id, **fields)

    @event(Drafted)
    def __init__(
        self,
        *,
        rules: dict[str, Any],
        territory_id: UUID | None,
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.rules = VoteRules.from_event(rules)
        self.territory_id = territory_id
        self.status = VoteStatus.DRAFT
        self.drafted_by = actor
        self.electorate: list[str] = []
        self.tie_order: tuple[int, ...] = ()
        self._electors: frozenset[str] = frozenset()
        self.ballots = 0
        self.quorum = 0
        self.result: dict[str, Any] | None = None
        self.outcome: str | None = None

    def redraft(self, *, rules: VoteRules, cause: Cause, now: datetime) -> None:
        """Change the rules; only a draft can (409 once open)."""
        self._check_draft()
        if rules.origin != self.rules.origin:
            raise InvalidVoteRules("a vote's origin cannot change")
        rules.validate(now)
        self._redrafted(rules=rules.as_event(), **cause.fields())

    @event(Redrafted)
    def _redrafted(
        self, *, rules: dict[str, Any], actor: str, correlation_id: str, reason: str | None
    ) -> None:
        self.rules = VoteRules.from_event(rules)

    def open(self, *, electorate: list[str], cause: Cause, now: datetime) -> None:
        """Open for ballots: from its opening time, before its closing time, with an electorate."""
        self._check_draft()
        if now < self.rules.opens_at:
            raise IllegalTransition("the vote cannot open before its opening time")
        if now >= self.rules.closes_at:
            raise IllegalTransition("the vote's closing time has passed; redraft its dates")
        if not electorate:
            raise IllegalTransition("the electorate is empty: nobody could vote")
        order = tie_order_for(self.id.bytes, [o.id for o in self.rules.options])
        self._opened(electorate=sorted(set(electorate)), tie_order=list(order), **cause.fields())

    @event(Opened)
    def _opened(
        self,
        *,
        electorate: list[str],
        tie_order: list[int],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.status = VoteStatus.OPEN
        self.electorate = electorate
        self._electors = frozenset(electorate)
        self.tie_order = tuple(tie_order)

    def check_ballot(self, *, elector: str, now: datetime) -> None:
        """Raise unless `elector` may cast (or replace) a ballot now."""
        if self.status is not VoteStatus.OPEN:
            raise NotOpenForBallots(f"the vote is {self.status}, not open for ballots")
        if now >= self.rules.closes_at:
            raise NotOpenForBallots("the vote's closing time has passed")
        if elector not in self._electors:
            raise NotElector("you are not on this vote's electorate")

    def tally_rules(self) -> Rules:
        """The counting rules with the tie-break order drawn at opening."""
        return self.rules.tally_rules(self.tie_order)

    def close(self, *, ballots: int, result: dict[str, Any], cause: Cause, now: datetime) -> None:
        """Close with the tally of `ballots` ballots; before the closing time only with a reason."""
        if self.status is not VoteStatus.OPEN:
            raise IllegalTransition(f"only an open vote can be closed; this one is {self.status}")
        if now < self.rules.closes_at and not cause.reason:
            raise ReasonRequired("closing a vote before its closing time needs a reason")
        self._closed(
            ballots=ballots,
            quorum=self.rules.quorum(len(self.electorate)),
            result=result,
            **cause.fields(),
        )

    @event(Closed)
    def _closed(
        self,
        *,
        ballots: int,
        quorum: int,
        result: dict[str, Any],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.status = VoteStatus.CLOSED
        self.ballots = ballots
        self.quorum = quorum
        self.result = result

    @property
    def quorum_met(self) -> bool:
        """Enough ballots were cast for the result to stand."""
        return self.ballots >= self.rules.quorum(len(self.electorate))

    def certify(self, *, cause: Cause) -> None:
        """Make the outcome official; a quorum not met certifies "quorum not reached"."""
        if self.status is not VoteStatus.CLOSED:
            raise IllegalTransition(
                f"only a closed vote can be certified; this one is {self.status}"
            )
        assert self.result is not None
        outcome = "elected" if self.quorum_met else "quorum_not_reached"
        self._certified(outcome=outcome, result=self.result, **cause.fields())

    @event(Certified)
    def _certified(
        self,
        *,
        outcome: str,
        result: dict[str, Any],
        actor: str,
        correlation_id: str,
        reason: str | None,
    ) -> None:
        self.status = VoteStatus.CERTIFIED
        self.outcome = outcome

    def cancel(self, *, cause: Cause) -> None:
        """Cancel a draft or open vote, with a reason; its ballots are never counted."""
        if self.status not in (VoteStatus.DRAFT, VoteStatus.OPEN):
            raise IllegalTransition(f"a {self.status} vote cannot be cancelled")
        if not cause.reason:
            raise ReasonRequired("cancelling a vote needs a reason")
        self._cancelled(**cause.fields())

    @event(Cancelled)
    def _cancelled(self, *, actor: str, correlation_id: str, reason: str | None) -> None:
        self.status = VoteStatus.CANCELLED

    def _check_draft(self) -> None:
        if self.status is not VoteStatus.DRAFT:
            raise NotDraft(f"the vote is {self.status}: its rules are frozen")


# -- the citizen-vote policy's draft ------------------------------------------------------------

CITIZEN_VOTE_NOTICE = timedelta(days=14)  # time for organisers to redraft before it opens
CITIZEN_VOTE_LENGTH = timedelta(days=14)


def citizen_vote_id(petition_id: UUID, signatures: int) -> UUID:
    """The id of the vote a petition's threshold drafts: the same threshold never drafts two."""
    return uuid5(NAMESPACE_URL, f"civic-ledger:citizen-vote:{petition_id}:{signatures}")


def citizen_vote_rules(petition: Petition, *, now: datetime) -> VoteRules:
    """What a petition's `citizen_vote` threshold drafts: the petition's title as a yes/no
    question to every citizen, secret, opening in two weeks for two weeks. Organisers redraft it
    (options, method, dates) before it opens; after that its rules are frozen."""
    opens_at = now + CITIZEN_VOTE_NOTICE
    return VoteRules(
        question=petition.title,
        options=(Option("pour", "Pour"), Option("contre", "Contre")),
        method="plurality",
        opens_at=opens_at,
        closes_at=opens_at + CITIZEN_VOTE_LENGTH,
        electorate={"kind": ElectorateKind.ROLE.value, "role": "citizen"},
        origin={"kind": "petition", "id": str(petition.id)},
    )
