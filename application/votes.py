"""Vote use cases: draft, open, cast, close (tally), certify; and reading the views.

A secret vote's key lives in `ballot_keys`, outside the log and outside the views: it is what links
an elector to a tag, so it must never be in anything an export or a rebuild carries, and deleting
its row at certification is what makes the link unrecoverable (see ADR 0013).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import numpy as np
from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import Column, LargeBinary, MetaData, Table, Uuid, delete, func, insert, select
from sqlalchemy.orm import Session

from application.errors import VoteNotFound
from application.ledger import Ledger
from application.pages import Page, read_page
from application.read_models import jsonable
from application.scope import area_clause, scope_of
from application.tables import accounts, audit_events, ballots, votes
from application.tally_files import read_ballots
from application.time_travel import locate, replay, require_aware
from domain.ballot import BALLOT_BOX_ACTOR, Ballot, ballot_id, secret_tag
from domain.committee import Committee
from domain.errors import DomainError, InvalidVoteRules
from domain.events import SYSTEM_ACTOR_PREFIX, Cause
from domain.vote import LABEL_MAX, QUESTION_MAX, ElectorateKind, Option, Vote, VoteRules, VoteStatus
from domain.voting.base import Paper, Result, Rules
from domain.voting.registry import METHODS

Clock = Callable[[], datetime]
log = logging.getLogger("civic.votes")
SCHEDULE_ACTOR = f"{SYSTEM_ACTOR_PREFIX}vote-schedule"
IMPORT_WINDOW = timedelta(days=1)  # an imported vote is closed at once, with the reason why
CAST = Ballot.Cast.__qualname__  # the audit view's `type` of a first ballot

key_metadata = MetaData()
ballot_keys = Table(
    "ballot_keys",
    key_metadata,
    Column("vote_id", Uuid, primary_key=True),
    Column("key", LargeBinary(32), nullable=False),
)


def result_data(result: Result) -> dict[str, Any]:
    """A tally's result as event data (plain JSON)."""
    return {
        "method": result.method,
        "ballots": result.ballots,
        "winners": list(result.winners),
        "ranking": [list(group) for group in result.ranking],
        "tied": list(result.tied),
        "detail": dict(result.detail),
    }


def vote_view(vote: Vote, *, position: int, ballot_count: int) -> dict[str, Any]:
    """The vote as a row of the votes view, from its aggregate at some version."""
    rules = jsonable(vote.rules.as_event())
    opened = vote.status is not VoteStatus.DRAFT and bool(vote.electorate)
    return {
        "id": vote.id,
        "position": position,
        "question": vote.rules.question,
        "method": vote.rules.method,
        "territory_id": vote.territory_id,
        "status": vote.status.value,
        "rules": rules,
        "opens_at": vote.rules.opens_at,
        "closes_at": vote.rules.closes_at,
        "electorate_size": len(vote.electorate) if opened else None,
        "tie_order": list(vote.tie_order) if opened else None,
        "ballot_count": ballot_count,
        "quorum": vote.quorum if vote.result is not None else None,
        "result": vote.result,
        "outcome": vote.outcome,
        "origin_id": UUID(vote.rules.origin["id"]) if vote.rules.origin else None,
        "drafted_by": vote.drafted_by,
        "drafted_at": vote.created_on,
        "version": vote.version,
        "updated_at": vote.modified_on,
    }


def tally(method: str, rules: Rules, papers: list[list[int]]) -> Result:
    """Count the papers standing by the vote's method and frozen rules: what closing records,
    and what a verifier recomputes."""
    array = np.array(papers, dtype=np.int64).reshape(len(papers), len(rules.options))
    return METHODS[method].tally(rules, array)


def _label(name: str) -> str:
    """An option's name from a file, cut to what a label holds."""
    return name if len(name) <= LABEL_MAX else name[: LABEL_MAX - 1] + "…"


def electorate_of(
    session: Session, rules: VoteRules, committee: Committee | None, today: date
) -> list[str]:
    """The account ids entitled to vote, as they stand now (a committee's: its voting members
    sitting today)."""
    if rules.electorate["kind"] == ElectorateKind.FILE:
        return rules.file_voters()
    if committee is not None:
        return [tenure.member for tenure in committee.voting_members_on(today)]
    rows = session.execute(select(accounts.c.id, accounts.c.roles)).all()
    if rules.electorate["kind"] == ElectorateKind.ROLL:
        known = {str(row.id) for row in rows}
        roll = [str(a) for a in rules.electorate["accounts"]]
        unknown = [a for a in roll if a not in known]
        if unknown:
            raise InvalidVoteRules(f"the roll lists unknown accounts: {', '.join(unknown[:5])}")
        return roll
    role = rules.electorate["role"]
    return [str(row.id) for row in rows if role in row.roles]


class VoteService:
    """Drafting and running votes; ballots are one per elector (or per secret tag)."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock
        key_metadata.create_all(ledger.engine)

    # -- commands ------------------------------------------------------------------------------

    def draft(self, *, rules: VoteRules, cause: Cause, territory_id: UUID | None = None) -> UUID:
        """Draft a vote of `territory_id` (by default the platform's territory: see
        `application.scope`); returns its id."""
        with self._ledger.transaction() as session:
            territory_id = scope_of(session.connection(), territory_id)
            vote = Vote.draft(
                rules=rules, cause=cause, now=self._clock(), territory_id=territory_id
            )
            self._ledger.record(vote)
        return vote.id

    def redraft(
        self, vote_id: UUID, *, rules: VoteRules, cause: Cause, territory_id: UUID | None = None
    ) -> None:
        """Change a draft's rules (refused once the vote is open); its territory stays."""
        with self._ledger.transaction():
            vote = self._load(vote_id)
            if territory_id is not None and territory_id != vote.territory_id:
                raise InvalidVoteRules("a vote's territory cannot change")
            vote.redraft(rules=rules, cause=cause, now=self._clock())
            self._ledger.record(vote)

    def open(self, vote_id: UUID, *, cause: Cause) -> None:
        """Open the vote: fix its electorate, draw its tie-break order, and for a secret vote
        create the key that turns electors into tags."""
        with self._ledger.transaction() as session:
            vote = self._load(vote_id)
            now = self._clock()
            committee = self._committee_of(vote.rules)
            electorate = electorate_of(session, vote.rules, committee, now.date())
            vote.open(electorate=electorate, cause=cause, now=now)
            if vote.rules.secret:
                session.execute(
                    insert(ballot_keys).values(vote_id=vote_id, key=secrets.token_bytes(32))
                )
            self._ledger.record(vote)

    def cast(self, vote_id: UUID, *, elector: str, choice: object, cause: Cause) -> bool:
        """Cast or replace `elector`'s ballot; True if it replaced an earlier one.

        In a secret vote the ballot's events name the ballot box as their actor and carry a
        fresh correlation id: nothing in the log leads from the ballot to the request or person.
        """
        with self._ledger.transaction() as session:
            vote = self._load(vote_id)
            vote.check_ballot(elector=elector, now=self._clock())
            paper = METHODS[vote.rules.method].validate(vote.tally_rules(), choice)
            if vote.rules.secret:
                key = session.scalar(
                    select(ballot_keys.c.key).where(ballot_keys.c.vote_id == vote_id)
                )
                if key is None:  # opened, yet no key: the database lost it; never guess one
                    raise RuntimeError(f"the secret key of vote {vote_id} is missing")
                tag = secret_tag(key, vote_id, elector)
                cause = Cause(actor=BALLOT_BOX_ACTOR, correlation_id=str(uuid4()))
            else:
                tag = elector
            return self._record_paper(vote, tag, paper, cause)

    def import_file(
        self,
        path: Path,
        *,
        method: str,
        question: str | None,
        seats: int = 1,
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> UUID:
        """Load a ballot file (PrefLib, Pabulib) into a new vote, tallied and closed, so that the
        product's count of a standard file sits in the log beside everything else; certifying
        it is left to a person. Its electorate is the file's voters, numbered 1..n; each ballot
        is recorded under `<file digest prefix>:<n>`, in one transaction (all or nothing)."""
        ballots = read_ballots(path, method, seats=seats)
        voters = int(ballots.weights.sum())
        now = self._clock()
        rules = VoteRules(
            question=question or ballots.source[:QUESTION_MAX],
            options=tuple(
                Option(option, _label(ballots.names[option]), cost)
                for option, cost in zip(
                    ballots.rules.options,
                    ballots.rules.costs or (None,) * len(ballots.rules.options),
                    strict=True,
                )
            ),
            method=method,
            opens_at=now,
            closes_at=now + IMPORT_WINDOW,
            electorate={
                "kind": ElectorateKind.FILE.value,
                "source": path.name,
                "sha256": ballots.digest,
                "voters": voters,
            },
            secret=False,
            replaceable=False,
            seats=seats,
            budget=ballots.rules.budget,
        )
        with self._ledger.transaction() as session:
            territory_id = scope_of(session.connection(), territory_id)
            vote = Vote.draft(rules=rules, cause=cause, now=now, territory_id=territory_id)
            vote.open(electorate=rules.file_voters(), cause=cause, now=now)
            self._ledger.record(vote)
            tags = iter(rules.file_voters())
            for paper, weight in zip(
                ballots.papers.tolist(), ballots.weights.tolist(), strict=True
            ):
                for _ in range(weight):
                    self._record_paper(vote, next(tags), tuple(paper), cause)
            reason = f"imported from {path.name} (SHA-256 {ballots.digest}): every ballot loaded"
            self.close(vote.id, cause=Cause(cause.actor, cause.correlation_id, reason))
        return vote.id

    def _record_paper(self, vote: Vote, tag: str, paper: Paper, cause: Cause) -> bool:
        """Cast or replace the ballot under `tag`; True if it replaced one."""
        try:
            ballot: Ballot = self._ledger.repository.get(ballot_id(vote.id, tag))
        except AggregateNotFoundError:
            self._ledger.record(Ballot.cast(vote=vote, tag=tag, paper=paper, cause=cause))
            return False
        ballot.replace(vote=vote, paper=paper, cause=cause)
        self._ledger.record(ballot)
        return True

    def close(self, vote_id: UUID, *, cause: Cause) -> None:
        """Close the vote and record its tally (early, before the closing time, with a reason)."""
        with self._ledger.transaction() as session:
            vote = self._load(vote_id)
            papers = [
                row.paper
                for row in session.execute(
                    select(ballots.c.paper)
                    .where(ballots.c.vote_id == vote_id)
                    .order_by(ballots.c.position)
                )
            ]
            result = tally(vote.rules.method, vote.tally_rules(), papers)
            vote.close(
                ballots=len(papers), result=result_data(result), cause=cause, now=self._clock()
            )
            self._ledger.record(vote)

    def certify(self, vote_id: UUID, *, cause: Cause) -> None:
        """Certify the outcome; a secret vote's key is destroyed in the same transaction."""
        with self._ledger.transaction() as session:
            vote = self._load(vote_id)
            vote.certify(cause=cause)
            session.execute(delete(ballot_keys).where(ballot_keys.c.vote_id == vote_id))
            self._ledger.record(vote)

    def cancel(self, vote_id: UUID, *, cause: Cause) -> None:
        """Cancel a draft or open vote, with a reason; its key (if any) is destroyed."""
        with self._ledger.transaction() as session:
            vote = self._load(vote_id)
            vote.cancel(cause=cause)
            session.execute(delete(ballot_keys).where(ballot_keys.c.vote_id == vote_id))
            self._ledger.record(vote)

    def run_schedule(self) -> list[UUID]:
        """Open the drafts whose opening time has come and close the votes whose closing time has
        passed (the server calls this every few seconds); returns the votes changed."""
        now = self._clock()
        with self._ledger.engine.connect() as connection:
            due = connection.execute(
                select(votes.c.id, votes.c.status).where(
                    (
                        (votes.c.status == VoteStatus.DRAFT)
                        & (votes.c.opens_at <= now)
                        & (votes.c.closes_at > now)
                    )
                    | ((votes.c.status == VoteStatus.OPEN) & (votes.c.closes_at <= now))
                )
            ).all()
        changed = []
        verb = {VoteStatus.DRAFT: "opened", VoteStatus.OPEN: "closed"}
        for vote_id, status in due:
            cause = Cause(actor=SCHEDULE_ACTOR, correlation_id=str(uuid4()))
            try:
                if status == VoteStatus.DRAFT:
                    self.open(vote_id, cause=cause)
                else:
                    self.close(vote_id, cause=cause)
            except DomainError as refused:  # e.g. nobody to vote: left for the organisers
                log.warning("vote %s not %s on schedule: %s", vote_id, verb[status], refused)
                continue
            changed.append(vote_id)
        return changed

    # -- queries -------------------------------------------------------------------------------

    def get(self, vote_id: UUID) -> dict[str, Any]:
        """The vote's current view."""
        with self._ledger.engine.connect() as connection:
            row = (
                connection.execute(select(votes).where(votes.c.id == vote_id))
                .mappings()
                .one_or_none()
            )
        if row is None:
            raise VoteNotFound(vote_id)
        return dict(row)

    def list(
        self,
        *,
        status: str | None,
        after: int | None,
        limit: int,
        territory_id: UUID | None = None,
    ) -> Page:
        """Votes in the order they were drafted, `limit` at a time after cursor `after`; with
        `territory_id`, those of its area (itself and its members)."""
        query = select(votes)
        if status is not None:
            query = query.where(votes.c.status == status)
        if territory_id is not None:
            query = query.where(
                area_clause(self._ledger.engine, votes.c.territory_id, territory_id)
            )
        return read_page(self._ledger.engine, query, votes.c.position, after, limit)

    def as_of(
        self, vote_id: UUID, *, version: int | None = None, instant: datetime | None = None
    ) -> dict[str, Any]:
        """The vote's view right after its version `version`, or as it stood at `instant` (now,
        with neither): the aggregate replayed, with the ballots cast by then."""
        if version is None and instant is None:
            return self.get(vote_id)
        with self._ledger.engine.connect() as connection:
            recorded = locate(
                connection, vote_id, version=version, as_of=instant, kind=Vote, unknown=VoteNotFound
            )
            drafted = locate(connection, vote_id, version=1)
            cast = (audit_events.c.parent_id == vote_id) & (audit_events.c.type == CAST)
            if instant is None:
                cast &= audit_events.c.position <= recorded.position
            else:
                cast &= audit_events.c.timestamp <= require_aware(instant)
            count = connection.scalar(select(func.count()).where(cast)) or 0
        vote: Vote = replay(self._ledger, vote_id, recorded)
        return vote_view(vote, position=drafted.position, ballot_count=count)

    def ballots(self, vote_id: UUID, *, after: int | None, limit: int) -> Page:
        """The ballots standing, by tag (electors in a public vote, pseudonyms in a secret one)."""
        self.get(vote_id)
        query = select(
            ballots.c.position,
            ballots.c.tag,
            ballots.c.paper,
            ballots.c.version,
            ballots.c.cast_at,
            ballots.c.updated_at,
        ).where(ballots.c.vote_id == vote_id)
        return read_page(self._ledger.engine, query, ballots.c.position, after, limit)

    # -- helpers -------------------------------------------------------------------------------

    def _committee_of(self, rules: VoteRules) -> Committee | None:
        """The committee whose voting members are the electorate, if that is the electorate."""
        if rules.electorate["kind"] != ElectorateKind.COMMITTEE:
            return None
        committee_id = UUID(str(rules.electorate["committee_id"]))
        try:
            committee: Committee = self._ledger.repository.get(committee_id)
        except AggregateNotFoundError:
            raise InvalidVoteRules(f"no committee has the id {committee_id}") from None
        if not isinstance(committee, Committee):
            raise InvalidVoteRules(f"{committee_id} is not a committee")
        return committee

    def _load(self, vote_id: UUID) -> Vote:
        vote: Vote = self._ledger.get(vote_id, VoteNotFound)
        return vote
