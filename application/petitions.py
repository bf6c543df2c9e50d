"""Petition use cases: commands take primitives and a `Cause`, queries read the views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from sqlalchemy import select

from application.committees import decisions_answering
from application.errors import PetitionNotFound
from application.ledger import Ledger
from application.pages import Page, read_page
from application.petition_history import petition_view, signatories, signature_count
from application.scope import area_clause, scope_of, territory_facts
from application.tables import audit_events, committees, petitions
from application.time_travel import locate, replay
from domain.errors import InvalidPetition, NotSigned
from domain.events import SYSTEM_ACTOR_PREFIX, Cause
from domain.petition import Petition, Threshold
from domain.signature import Signature, signature_id
from domain.territory import outside_competence as outside_competence_of

Clock = Callable[[], datetime]
DEADLINE_ACTOR = f"{SYSTEM_ACTOR_PREFIX}deadlines"
Rows = list[dict[str, Any]]  # `list` is a method's name inside the service


class PetitionService:
    """Lodging, admissibility, signatures, closure and response; listing and reading."""

    def __init__(self, ledger: Ledger, clock: Clock) -> None:
        self._ledger = ledger
        self._clock = clock

    # -- commands ------------------------------------------------------------------------------

    def lodge(
        self,
        *,
        title: str,
        text: str,
        deadline: datetime | None,
        thresholds: list[Threshold],
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> UUID:
        """Lodge a petition to `territory_id` (by default the platform's territory: see
        `application.scope`); returns its id."""
        with self._ledger.transaction() as session:
            territory_id = scope_of(session.connection(), territory_id)
            petition = Petition.lodge(
                title=title,
                text=text,
                deadline=deadline,
                thresholds=thresholds,
                cause=cause,
                now=self._clock(),
                territory_id=territory_id,
            )
            self._check_committees(thresholds)
            self._ledger.record(petition)
        return petition.id

    def _check_committees(self, thresholds: list[Threshold]) -> None:
        """Refuse a threshold that refers the petition to a committee that does not exist."""
        named = {t.committee for t in thresholds if t.committee is not None}
        if not named:
            return
        with self._ledger.engine.connect() as connection:
            known = set(
                connection.scalars(select(committees.c.id).where(committees.c.id.in_(named)))
            )
        unknown = sorted(str(c) for c in named - known)
        if unknown:
            raise InvalidPetition(f"no committee has the id {', '.join(unknown)}")

    def decide_admissibility(
        self,
        petition_id: UUID,
        *,
        admissible: bool,
        cause: Cause,
        outside_competence: str | None = None,
    ) -> None:
        """Declare the petition admissible or reject it (with a reason); `outside_competence`:
        rejected because its territory lacks that competence today, citing who holds it."""
        with self._ledger.transaction() as session:
            petition = self._load(petition_id)
            outside = None
            if outside_competence is not None and petition.territory_id is not None:
                facts = territory_facts(session.connection())
                day = self._clock().date()
                outside = outside_competence_of(
                    facts, petition.territory_id, outside_competence, day
                )
            elif outside_competence is not None:
                raise InvalidPetition(
                    "the petition belongs to no territory: it cannot be outside its competences"
                )
            petition.decide_admissibility(admissible=admissible, cause=cause, outside=outside)
            self._ledger.record(petition)

    def close(self, petition_id: UUID, *, cause: Cause) -> None:
        """Close an open petition, with a reason."""
        with self._ledger.transaction():
            petition = self._load(petition_id)
            petition.close(cause=cause)
            self._ledger.record(petition)

    def respond(
        self, petition_id: UUID, *, text: str, cause: Cause, decision_id: UUID | None = None
    ) -> None:
        """Record the official response, citing (optionally) a committee decision that answered
        the petition."""
        with self._ledger.transaction():
            petition = self._load(petition_id)
            if decision_id is not None and decision_id not in {
                d["decision_id"] for d in self.decisions(petition_id)
            }:
                raise InvalidPetition(
                    f"decision {decision_id} did not answer petition {petition_id}"
                )
            petition.respond(text=text, cause=cause, decision_id=decision_id)
            self._ledger.record(petition)

    def sign(self, petition_id: UUID, *, signer: str, cause: Cause) -> UUID:
        """Add `signer`'s signature; a second one is refused. Returns the signature id."""
        with self._ledger.transaction():
            petition = self._load(petition_id)
            now = self._clock()
            try:
                signature: Signature = self._ledger.repository.get(
                    signature_id(petition_id, signer)
                )
            except AggregateNotFoundError:
                signature = Signature.sign(petition=petition, signer=signer, cause=cause, now=now)
            else:
                signature.sign_again(petition=petition, cause=cause, now=now)
            self._ledger.record(signature)
        return signature.id

    def withdraw_signature(self, petition_id: UUID, *, signer: str, cause: Cause) -> None:
        """Withdraw `signer`'s signature while the petition is open."""
        with self._ledger.transaction():
            petition = self._load(petition_id)
            try:
                signature: Signature = self._ledger.repository.get(
                    signature_id(petition_id, signer)
                )
            except AggregateNotFoundError:
                raise NotSigned("your signature is not on this petition") from None
            signature.withdraw(petition=petition, cause=cause, now=self._clock())
            self._ledger.record(signature)

    def close_expired(self) -> list[UUID]:
        """Close every open petition whose deadline has passed; returns those closed."""
        now = self._clock()
        with self._ledger.engine.connect() as connection:
            due = connection.scalars(
                select(petitions.c.id).where(
                    petitions.c.status == "open", petitions.c.deadline <= now
                )
            ).all()
        closed = []
        for petition_id in due:
            with self._ledger.transaction():
                petition = self._load(petition_id)
                if not petition.deadline_passed(now):
                    continue  # closed meanwhile
                petition.close(
                    cause=Cause(
                        actor=DEADLINE_ACTOR, correlation_id=str(uuid4()), reason="deadline reached"
                    )
                )
                self._ledger.record(petition)
            closed.append(petition_id)
        return closed

    # -- queries -------------------------------------------------------------------------------

    def get(self, petition_id: UUID) -> dict[str, Any]:
        """The petition's current view, with its live signature count."""
        with self._ledger.engine.connect() as connection:
            row = (
                connection.execute(select(petitions).where(petitions.c.id == petition_id))
                .mappings()
                .one_or_none()
            )
        if row is None:
            raise PetitionNotFound(petition_id)
        return dict(row)

    def list(
        self,
        *,
        status: str | None,
        after: int | None,
        limit: int,
        territory_id: UUID | None = None,
    ) -> Page:
        """Petitions in the order they were lodged, `limit` at a time after cursor `after`; with
        `territory_id`, those of its area (itself and its members)."""
        query = select(petitions)
        if status is not None:
            query = query.where(petitions.c.status == status)
        if territory_id is not None:
            query = query.where(
                area_clause(self._ledger.engine, petitions.c.territory_id, territory_id)
            )
        return read_page(self._ledger.engine, query, petitions.c.position, after, limit)

    def as_of(
        self, petition_id: UUID, *, version: int | None = None, instant: datetime | None = None
    ) -> dict[str, Any]:
        """The petition's view right after its version `version`, or as it stood at `instant`
        (now, with neither): the aggregate replayed, with the signatures standing then."""
        if version is None and instant is None:
            return self.get(petition_id)
        with self._ledger.engine.connect() as connection:
            recorded = locate(
                connection,
                petition_id,
                version=version,
                as_of=instant,
                kind=Petition,
                unknown=PetitionNotFound,
            )
            lodged = locate(connection, petition_id, version=1)
            if instant is None:
                count = signature_count(connection, petition_id, position=recorded.position)
            else:
                count = signature_count(connection, petition_id, as_of=instant)
        petition: Petition = replay(self._ledger, petition_id, recorded)
        view = petition_view(petition, position=lodged.position, signature_count=count)
        # What the live view holds besides: the committees named, the decision cited.
        view["thresholds"] = [
            {**threshold.as_event(), **row}
            for threshold, row in zip(petition.thresholds, view["thresholds"], strict=True)
        ]
        view["response_decision_id"] = petition.response_decision_id
        return view

    def has_signed(self, petition_id: UUID, signer: str) -> bool:
        """Whether `signer`'s signature stands now (given, and not withdrawn since)."""
        c = audit_events.c
        last = (
            select(c.type)
            .where(c.aggregate_id == signature_id(petition_id, signer))
            .order_by(c.position.desc())
            .limit(1)
        )
        with self._ledger.engine.connect() as connection:
            kind = connection.scalar(last)
        return kind is not None and kind != Signature.Withdrawn.__qualname__

    def decisions(self, petition_id: UUID, *, until: datetime | None = None) -> Rows:
        """The committee decisions that answered the petition, oldest first (with `until`, those
        taken by then)."""
        return decisions_answering(self._ledger.engine, "petition", str(petition_id), until=until)

    def signatures(
        self, petition_id: UUID, *, as_of: datetime | None, after: int | None, limit: int
    ) -> Page:
        """Who had signed the petition, and stood by it, at `as_of` (now if None), in log order."""
        with self._ledger.engine.connect() as connection:  # 404 unless lodged by then
            locate(connection, petition_id, as_of=as_of, kind=Petition, unknown=PetitionNotFound)
        return signatories(self._ledger.engine, petition_id, as_of=as_of, after=after, limit=limit)

    # -- helpers -------------------------------------------------------------------------------

    def _load(self, petition_id: UUID) -> Petition:
        petition: Petition = self._ledger.get(petition_id, PetitionNotFound)
        return petition
