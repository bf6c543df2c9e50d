"""Participatory charter use cases ("charte participative"): drafting, amendments decided by the
steering committee, adoption of numbered versions, revision and signatories; and reading the views.

A decision cited by a command must be on record in the decisions view: one that accepts or
rejects an amendment must have answered it, and one that accepts or adopts must have been
adopted. Decisions recorded with their answers are carried out by the amendment policy (see
`read_models.py`); the explicit command serves those it could not carry out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, or_, select

from application.errors import CharterNotFound, VersionNotFound
from application.ledger import Ledger
from application.pages import Page, read_page
from application.read_models import CHARTER_AMENDMENT, ReadModels
from application.scope import area_clause, directory_signatory, scope_of
from application.tables import (
    charter_amendments,
    charter_signatures,
    charter_versions,
    charters,
    decisions,
)
from application.time_travel import project_as_of
from domain.charter import (
    Change,
    Charter,
    InvalidAmendment,
    InvalidCharter,
    Organisation,
    VersionDiff,
)
from domain.events import Cause

Clock = Callable[[], datetime]
VERSION_SUMMARY = (
    charter_versions.c.version,
    charter_versions.c.adopted_at,
    charter_versions.c.decision_id,
    charter_versions.c.sha256,
)


class CharterService:
    """Drafting, amending, adopting, revising and signing charters; listing and reading them."""

    def __init__(self, ledger: Ledger, clock: Clock, views: ReadModels) -> None:
        self._ledger = ledger
        self._clock = clock
        self._views = views

    # -- drafting and amendments ---------------------------------------------------------------

    def draft(
        self,
        *,
        title: str,
        preamble: str,
        articles: list[str],
        cause: Cause,
        territory_id: UUID | None = None,
    ) -> UUID:
        """Draft a charter of `territory_id` (by default the platform's territory: see
        `application.scope`), to become version 1 once amended and adopted; returns its id."""
        with self._ledger.transaction() as session:
            territory_id = scope_of(session.connection(), territory_id)
            charter = Charter.draft(
                title=title,
                preamble=preamble,
                articles=articles,
                cause=cause,
                territory_id=territory_id,
            )
            self._ledger.record(charter)
        return charter.id

    def propose_amendment(
        self, charter_id: UUID, *, change: Change, rationale: str, cause: Cause
    ) -> UUID:
        """Propose a change to the open draft, by the cause's actor; returns its id."""
        with self._ledger.transaction():
            charter = self._charter(charter_id)
            amendment_id = charter.propose_amendment(
                change=change, rationale=rationale, cause=cause
            )
            self._ledger.record(charter)
        return amendment_id

    def decide_amendment(
        self,
        charter_id: UUID,
        amendment_id: UUID,
        *,
        accepted: bool,
        decision_id: UUID,
        cause: Cause,
    ) -> None:
        """Accept or reject an amendment, citing the committee decision that answered it."""
        with self._ledger.transaction():
            charter = self._charter(charter_id)
            charter.amendment(amendment_id)  # an unknown amendment first, whatever is cited
            decision = self._decision(decision_id, InvalidAmendment)
            answer = {"kind": CHARTER_AMENDMENT, "id": str(amendment_id)}
            if answer not in decision["answers"]:
                raise InvalidAmendment(
                    f"decision {decision_id} did not answer amendment {amendment_id}"
                )
            if accepted:
                if not decision["adopted"]:
                    raise InvalidAmendment(
                        f"decision {decision_id} was not adopted: it cannot accept an amendment"
                    )
                charter.accept_amendment(
                    amendment_id=amendment_id, decision_id=decision_id, cause=cause
                )
            else:
                charter.reject_amendment(
                    amendment_id=amendment_id, decision_id=decision_id, cause=cause
                )
            self._ledger.record(charter)

    # -- adoption, revision and signatories ----------------------------------------------------

    def adopt(self, charter_id: UUID, *, decision_id: UUID, cause: Cause) -> int:
        """Adopt the open draft by an adopted committee decision; returns the version number."""
        with self._ledger.transaction():
            charter = self._charter(charter_id)
            decision = self._decision(decision_id, InvalidCharter)
            if not decision["adopted"]:
                raise InvalidCharter(
                    f"decision {decision_id} was not adopted: it cannot adopt a charter"
                )
            version = charter.adopt(decision_id=decision_id, cause=cause)
            self._ledger.record(charter)
        return version

    def open_revision(self, charter_id: UUID, *, cause: Cause) -> int:
        """Open a draft from the version in force; returns the number it will take."""
        with self._ledger.transaction():
            charter = self._charter(charter_id)
            version = charter.open_revision(cause=cause)
            self._ledger.record(charter)
        return version

    def sign(
        self,
        charter_id: UUID,
        *,
        organisation: Organisation | UUID,
        commitments: str,
        cause: Cause,
    ) -> None:
        """The organisation signs the version in force with its commitments: one named by the
        caller, or (a UUID) one of the actors' directory, whose name and kind it takes."""
        with self._ledger.transaction() as session:
            charter = self._charter(charter_id)
            if isinstance(organisation, UUID):
                organisation = directory_signatory(session.connection(), organisation)
            charter.sign(organisation=organisation, commitments=commitments, cause=cause)
            self._ledger.record(charter)

    def withdraw_signature(self, charter_id: UUID, *, organisation_id: str, cause: Cause) -> None:
        """The organisation withdraws its standing signature; the cause gives the reason."""
        with self._ledger.transaction():
            charter = self._charter(charter_id)
            charter.withdraw_signature(organisation_id=organisation_id, cause=cause)
            self._ledger.record(charter)

    # -- queries -------------------------------------------------------------------------------

    def get(self, charter_id: UUID) -> dict[str, Any]:
        """The charter's view, with its open draft and a summary of its adopted versions."""
        row = self._row(select(charters).where(charters.c.id == charter_id))
        if row is None:
            raise CharterNotFound(charter_id)
        query = (
            select(*VERSION_SUMMARY)
            .where(charter_versions.c.charter_id == charter_id)
            .order_by(charter_versions.c.version)
        )
        with self._ledger.engine.connect() as connection:
            row["versions"] = [dict(r) for r in connection.execute(query).mappings()]
        return row

    def as_of(
        self, charter_id: UUID, *, version: int | None = None, instant: datetime | None = None
    ) -> dict[str, Any]:
        """The charter's view, with the versions adopted by then, right after its version
        `version` or as it stood at `instant` (now, with neither)."""
        if version is None and instant is None:
            return self.get(charter_id)
        batch = project_as_of(
            self._views, charter_id, Charter, CharterNotFound, version=version, instant=instant
        )
        summary = [c.name for c in VERSION_SUMMARY]
        versions = [{k: v[k] for k in summary} for v in batch.charter_versions]
        return {**batch.charters[charter_id], "versions": versions}

    def list_charters(
        self, *, after: int | None, limit: int, territory_id: UUID | None = None
    ) -> Page:
        """Charters in the order they were drafted; with `territory_id`, those of its area."""
        query = select(charters)
        if territory_id is not None:
            query = query.where(
                area_clause(self._ledger.engine, charters.c.territory_id, territory_id)
            )
        return read_page(self._ledger.engine, query, charters.c.position, after, limit)

    def version(self, charter_id: UUID, number: int) -> dict[str, Any]:
        """An adopted version: its text with numbered articles, when and by which decision."""
        self.get(charter_id)
        v = charter_versions.c
        row = self._row(
            select(*VERSION_SUMMARY, v.text).where(v.charter_id == charter_id, v.version == number)
        )
        if row is None:
            raise VersionNotFound("charter", number)
        return row

    def diff(self, charter_id: UUID, from_version: int, to_version: int | None) -> VersionDiff:
        """Per-article diff between two adopted versions, or to the open draft (None)."""
        return self._charter(charter_id).diff(from_version, to_version)

    def amendments(self, charter_id: UUID, *, status: str | None = None) -> list[dict[str, Any]]:
        """The charter's amendments (with `status`, only those), in the order proposed."""
        self.get(charter_id)
        a = charter_amendments.c
        query = select(charter_amendments).where(a.charter_id == charter_id)
        if status is not None:
            query = query.where(a.status == status)
        with self._ledger.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query.order_by(a.position)).mappings()]

    def signatories(
        self, charter_id: UUID, *, as_of: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The organisations whose signature stood at `as_of` (now by default), in signing order."""
        self.get(charter_id)
        when = as_of or self._clock()
        if when.utcoffset() is None:
            raise InvalidCharter("the date must state its time zone")
        s = charter_signatures.c
        query = (
            select(charter_signatures)
            .where(
                s.charter_id == charter_id,
                s.signed_at <= when,
                or_(s.withdrawn_at.is_(None), s.withdrawn_at > when),
            )
            .order_by(s.position)
        )
        with self._ledger.engine.connect() as connection:
            return [dict(r) for r in connection.execute(query).mappings()]

    # -- helpers -------------------------------------------------------------------------------

    def _row(self, query: Select[Any]) -> dict[str, Any] | None:
        with self._ledger.engine.connect() as connection:
            row = connection.execute(query).mappings().one_or_none()
        return None if row is None else dict(row)

    def _decision(self, decision_id: UUID, error: type[Exception]) -> dict[str, Any]:
        """The cited decision's row; citing one not on record is an invalid command."""
        query = select(decisions.c.adopted, decisions.c.answers).where(
            decisions.c.decision_id == decision_id
        )
        row = self._row(query)
        if row is None:
            raise error(f"no committee decision has the id {decision_id}")
        return row

    def _charter(self, charter_id: UUID) -> Charter:
        charter = self._ledger.get(charter_id, CharterNotFound)
        if not isinstance(charter, Charter):  # another aggregate's id: no such charter
            raise CharterNotFound(charter_id)
        return charter
