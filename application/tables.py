"""The SQL read models: tables derived from the log only, rebuilt from position zero at will."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC."""
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Read back an aware UTC datetime."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

petitions = Table(
    "petitions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was lodged in the log
    Column("title", Text, nullable=False),
    Column("territory_id", Uuid, nullable=True, index=True),  # its territory (None: before any)
    Column("text", Text, nullable=False),
    Column("deadline", UTCDateTime, nullable=True),
    Column("status", String(16), nullable=False, index=True),
    Column("lodged_by", String(128), nullable=False),
    Column("lodged_at", UTCDateTime, nullable=False),
    Column("signature_count", Integer, nullable=False),
    # [{"signatures", "consequence", "reached_at", "signature_id"}], in increasing order
    Column("thresholds", JSON, nullable=False),
    Column("admissibility_reason", Text, nullable=True),
    # {"competence", "label", "competent": [{"territory_id", "name", "relation", "distance"}]}
    Column("outside_competence", JSON, nullable=True),
    Column("closed_reason", Text, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("response", Text, nullable=True),
    Column("response_decision_id", Uuid, nullable=True),  # the committee decision it cites
    Column("responded_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    # The open petitions in log order (the home page, `GET /petitions?status=open`) read from it
    # and stop at the page's end, instead of sorting every open petition for each page.
    Index("petitions_status_position", "status", "position"),
)

votes = Table(
    "votes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was drafted in the log
    Column("question", Text, nullable=False),
    Column("method", String(32), nullable=False),
    Column("territory_id", Uuid, nullable=True, index=True),  # its territory (None: before any)
    Column("status", String(16), nullable=False, index=True),
    Column("rules", JSON, nullable=False),  # as in the Drafted / Redrafted event
    Column("opens_at", UTCDateTime, nullable=False),
    Column("closes_at", UTCDateTime, nullable=False),
    Column("electorate_size", Integer, nullable=True),  # fixed when it opens
    Column("tie_order", JSON, nullable=True),
    Column("ballot_count", Integer, nullable=False),
    Column("quorum", Integer, nullable=True),
    Column("result", JSON, nullable=True),  # the tally, at closing
    Column("outcome", String(32), nullable=True),  # at certification
    Column("origin_id", Uuid, nullable=True, index=True),  # e.g. the petition that asked for it
    Column("drafted_by", String(128), nullable=False),
    Column("drafted_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per ballot (per elector or, in a secret vote, per pseudonymous tag): the paper standing.
ballots = Table(
    "ballots",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("vote_id", Uuid, nullable=False),
    Column("position", BigInteger, nullable=False),  # where it was first cast
    Column("tag", String(128), nullable=False),
    Column("paper", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("cast_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ballots_vote", "vote_id", "position"),
)

# The steering committees ("comités de pilotage"): rules as in their latest event, and the petitions
# referred to them ([{"petition_id", "referred_at"}], in the order referred).
committees = Table(
    "committees",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was created
    Column("name", Text, nullable=False),
    Column("territory_id", Uuid, nullable=True, index=True),  # its territory (None: before any)
    Column("serves", JSON, nullable=False),  # {"kind": "territory" | "alliance", "name"}
    Column("colleges", JSON, nullable=False),  # [{"id", "name", "seats"}]
    Column("quorum", JSON, nullable=False),
    Column("majority", JSON, nullable=False),
    Column("referrals", JSON, nullable=False),
    Column("created_by", String(128), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per appointment ("mandat"): who sat on `day` is `start <= day and (end is null or
# day < end)`; the end day itself is not sat.
committee_members = Table(
    "committee_members",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),  # the appointment
    Column("committee_id", Uuid, nullable=False),
    Column("member", String(128), nullable=False),
    Column("college", String(40), nullable=False),
    Column("role", String(16), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=True),
    Column("organisation_id", Uuid, nullable=True),  # the directory's organisation sat for
    Index("committee_members_committee", "committee_id", "member"),
)

# One row per meeting; `agenda` holds its items in order: [{"number", "kind", "title", "text",
# "tabled_by", "petition_id", "recused": [...], "decision_id"}].
meetings = Table(
    "meetings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was convened
    Column("committee_id", Uuid, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # open | closed
    Column("agenda", JSON, nullable=False),
    Column("attendance", JSON, nullable=False),  # the members recorded present
    Column("minutes", Text, nullable=True),
    Column("convened_by", String(128), nullable=False),
    Column("convened_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("meetings_committee", "committee_id", "position"),
)

# One row per decision, self-contained as its event: the named votes, counts, rules and quorum.
decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("meeting_id", Uuid, nullable=False, index=True),
    Column("committee_id", Uuid, nullable=False, index=True),
    Column("item", Integer, nullable=False),
    Column("adopted", Boolean, nullable=False),
    Column("counts", JSON, nullable=False),  # {"for", "against", "abstain"}
    Column("votes", JSON, nullable=False),  # {member: "for" | "against" | "abstain"}
    Column("rationale", Text, nullable=False),
    Column("majority", JSON, nullable=False),
    Column("quorum", JSON, nullable=False),
    Column("answers", JSON, nullable=False),  # [{"kind", "id"}]
    Column("decided_by", String(128), nullable=False),
    Column("decided_at", UTCDateTime, nullable=False),
)

# Which decisions answered a petition, a charter amendment, a vote...: one row per answer.
decision_answers = Table(
    "decision_answers",
    metadata,
    Column("answered_kind", String(32), nullable=False),
    Column("answered_id", String(128), nullable=False),
    Column("decision_id", Uuid, nullable=False),
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("answered_kind", "answered_id", "decision_id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("timestamp", UTCDateTime, nullable=False, index=True),
    Column("aggregate_id", Uuid, nullable=False),
    Column("aggregate_type", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(128), nullable=False, index=True),
    Column("actor", String(128), nullable=False, index=True),
    Column("reason", Text, nullable=True),
    Column("correlation_id", String(128), nullable=False, index=True),
    Column("data", JSON, nullable=False),
    # The aggregate whose list the event changes (a signature's petition), else null.
    Column("parent_id", Uuid, nullable=True),
    Index("audit_events_aggregate", "aggregate_id", "position"),
    Index("audit_events_parent", "parent_id", "position"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("roles", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # active | erased
    Column("opened_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The personal data of the accounts, opened with their holders' keys (application/personal_data.py):
# derived from the log like any view, but never exported nor compared by the verifier, who holds no
# keys; an erased account has no row. `email` is stored as compared (lower case): the sign-in key.
people = Table(
    "people",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("email", String(254), nullable=True, unique=True),
    Column("password_hash", String(200), nullable=True),
    info={"personal": True},
)

# The standing tokens (API tokens and web sessions): only their SHA-256, as the events have it.
account_tokens = Table(
    "account_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("token_id", Uuid, nullable=False, unique=True),
    Column("account_id", Uuid, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("label", String(100), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
)


def is_personal(table: Table) -> bool:
    """Whether the view holds personal data (left out of exports and comparisons)."""
    return bool(table.info.get("personal"))


# The Merkle tree over the log (RFC 9162), see application/transparency.py: leaf i is the i-th
# stored event in position order; nodes are the complete subtrees, (level, index) covering the
# 2**level leaves from index * 2**level. Derived from the stored events, so rebuilt with the rest.
merkle_leaves = Table(
    "merkle_leaves",
    metadata,
    Column("leaf_index", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("hash", LargeBinary(32), nullable=False),
)

merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", SmallInteger, nullable=False),
    Column("index", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    PrimaryKeyConstraint("level", "index"),
)

# The participatory charters ("chartes participatives"): `draft` is the open draft's text as
# `CharterText.as_data()` (null once adopted, until a revision opens one).
charters = Table(
    "charters",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was drafted
    Column("title", Text, nullable=False),  # of the draft, else of the version in force
    Column("territory_id", Uuid, nullable=True, index=True),  # its territory (None: before any)
    Column("status", String(16), nullable=False),  # draft | adopted | revision
    Column("latest_version", Integer, nullable=False),  # 0 until the first adoption
    Column("draft_version", Integer, nullable=True),  # the number the open draft will take
    Column("draft", JSON, nullable=True),
    Column("next_article_id", Integer, nullable=False),
    Column("drafted_by", String(128), nullable=False),
    Column("drafted_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per adopted version, its text frozen as `CharterText.as_data()` and sealed by `sha256`.
charter_versions = Table(
    "charter_versions",
    metadata,
    Column("charter_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),
    Column("adopted_at", UTCDateTime, nullable=False),
    Column("decision_id", Uuid, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("text", JSON, nullable=False),  # {"title", "preamble", "articles": [{id, number, text}]}
    PrimaryKeyConstraint("charter_id", "version"),
)

# One row per amendment ("amendement"); `change` as in its event, e.g. {"kind": "replace",
# "article_id": 2, "text": "..."}; once accepted, `article_id` is the article it touched.
charter_amendments = Table(
    "charter_amendments",
    metadata,
    Column("amendment_id", Uuid, primary_key=True),
    Column("charter_id", Uuid, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was proposed
    Column("version", Integer, nullable=False),  # of the draft it amends
    Column("change", JSON, nullable=False),
    Column("base_sha256", String(64), nullable=True),
    Column("proposer", String(128), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | accepted | rejected
    Column("decision_id", Uuid, nullable=True),
    Column("article_id", Integer, nullable=True),
    Column("proposed_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime, nullable=True),
    Index("charter_amendments_charter", "charter_id", "position"),
)

# One row per signature by an organisation: who stood signed at D is `signed_at <= D and
# (withdrawn_at is null or D < withdrawn_at)`; signing again after a withdrawal adds a row.
charter_signatures = Table(
    "charter_signatures",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),  # the signing
    Column("charter_id", Uuid, nullable=False),
    Column("organisation_id", String(128), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("commitments", Text, nullable=False),
    Column("version", Integer, nullable=False),  # the adopted version signed
    Column("signed_at", UTCDateTime, nullable=False),
    Column("withdrawn_at", UTCDateTime, nullable=True),
    Column("withdrawal_reason", Text, nullable=True),
    Column("directory_id", Uuid, nullable=True),  # the organisation in the actors' directory
    Index("charter_signatures_charter", "charter_id", "organisation_id"),
)

# The consultations ("concertations"): the schedule as drafted (`phases`: [{"number", "name",
# "starts_at", "ends_at", "allows"}]) with the early changes (`advances`: [{"at", "from_phase",
# "to_phase", "reason"}]); the running phase is computed from them and the clock. `closes_at` and
# `response_due_at` move with an early closure. Counts are of what the public sees.
consultations = Table(
    "consultations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was drafted
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("territory", Text, nullable=False),
    Column("territory_id", Uuid, nullable=True, index=True),  # None: named in words only
    Column("committee_id", Uuid, nullable=False, index=True),
    Column("opens_at", UTCDateTime, nullable=False),
    Column("phases", JSON, nullable=False),
    Column("advances", JSON, nullable=False),
    Column("questions", JSON, nullable=False),  # as in the Drafted event
    Column("closes_at", UTCDateTime, nullable=False),
    Column("response_days", Integer, nullable=False),
    Column("response_due_at", UTCDateTime, nullable=False, index=True),
    Column("contribution_count", Integer, nullable=False),  # visible ones
    Column("hidden_count", Integer, nullable=False),  # hidden by moderation
    Column("answer_count", Integer, nullable=False),  # answer sets, one per participant
    Column("synthesis", Text, nullable=True),
    Column("synthesis_outcomes", JSON, nullable=True),  # [{"contribution_id", "outcome", "reason"}]
    Column("synthesised_at", UTCDateTime, nullable=True),
    Column("response", Text, nullable=True),
    Column("response_decision_ids", JSON, nullable=True),
    Column("responded_at", UTCDateTime, nullable=True),
    Column("drafted_by", String(128), nullable=False),
    Column("drafted_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per contribution; `moderation` holds every hiding and showing again, in order:
# [{"action": "hidden" | "unhidden", "reason", "at"}]; `outcome` once the synthesis names it.
consultation_contributions = Table(
    "consultation_contributions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("consultation_id", Uuid, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was submitted
    Column("kind", String(16), nullable=False),  # proposal | observation
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("themes", JSON, nullable=False),
    Column("author", String(128), nullable=False),
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("hidden", Boolean, nullable=False),
    Column("hidden_reason", Text, nullable=True),  # while hidden
    Column("moderation", JSON, nullable=False),
    Column("endorsement_count", Integer, nullable=False),
    Column("comment_count", Integer, nullable=False),  # visible ones
    Column("outcome", String(16), nullable=True),  # taken_up | merged | set_aside
    Column("outcome_reason", Text, nullable=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("consultation_contributions_consultation", "consultation_id", "position"),
)

consultation_comments = Table(
    "consultation_comments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("consultation_id", Uuid, nullable=False),
    Column("contribution_id", Uuid, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was posted
    Column("text", Text, nullable=False),
    Column("author", String(128), nullable=False),
    Column("posted_at", UTCDateTime, nullable=False),
    Column("hidden", Boolean, nullable=False),
    Column("hidden_reason", Text, nullable=True),
    Column("moderation", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("consultation_comments_contribution", "contribution_id", "position"),
)

# One row per answer set (per participant): the answers standing; `respondent` numbers them
# 1..n in the order first submitted, the only way open data names them.
consultation_answers = Table(
    "consultation_answers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("consultation_id", Uuid, nullable=False),
    Column("respondent", Integer, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was first submitted
    Column("participant", String(128), nullable=False),
    Column("answers", JSON, nullable=False),  # question id -> answer
    Column("submitted_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("consultation_answers_consultation", "consultation_id", "position"),
)

# The territories ("collectivités") and their groupings: `members` lists the ids of the
# territories it groups (a pole's cities); parents are read from the other rows' members.
territories = Table(
    "territories",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was registered
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("members", JSON, nullable=False),  # [territory id, ...] in the order they joined
    Column("registered_by", String(128), nullable=False),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# One row per holding of a competence: held on D is `since <= D and (until is null or D <
# until)`; a transfer ends the giver's row and adds the receiver's.
territory_competences = Table(
    "territory_competences",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),  # the acquisition
    Column("territory_id", Uuid, nullable=False),
    Column("competence", String(40), nullable=False),
    Column("label", Text, nullable=False),
    Column("law", Text, nullable=True),
    Column("since", Date, nullable=False),
    Column("reason", Text, nullable=True),
    Column("received_from", Uuid, nullable=True),
    Column("until", Date, nullable=True),
    Column("transferred_to", Uuid, nullable=True),
    Column("transfer_reason", Text, nullable=True),
    Index("territory_competences_territory", "territory_id", "competence"),
)

# The directory's organisations; `keeper` is the account that registered it and keeps its entries.
organisations = Table(
    "organisations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was registered
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("territory_id", Uuid, nullable=False, index=True),
    Column("core_business", Text, nullable=False),
    Column("keeper", String(128), nullable=False),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The entries standing (a removed one leaves the view, not the log).
organisation_entries = Table(
    "organisation_entries",
    metadata,
    Column("organisation_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was added
    Column("section", String(16), nullable=False),  # know_how | equipment | topic | problem
    Column("text", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("added_by", String(128), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("changed_by", String(128), nullable=True),
    Column("changed_at", UTCDateTime, nullable=True),
    PrimaryKeyConstraint("organisation_id", "number"),
)

# One row per tag of a standing entry: the directory's search and the ecosystem's counts, in SQL
# that both backends run alike (no JSON operators).
organisation_tags = Table(
    "organisation_tags",
    metadata,
    Column("organisation_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("section", String(16), nullable=False),
    Column("tag", String(40), nullable=False),
    PrimaryKeyConstraint("organisation_id", "number", "tag"),
    Index("organisation_tags_tag", "section", "tag"),
)

partnerships = Table(
    "partnerships",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("position", BigInteger, nullable=False, unique=True),  # where it was recorded
    Column("name", Text, nullable=False),
    Column("organisation_ids", JSON, nullable=False),
    Column("objectives", JSON, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=True),
    Column("ended_reason", Text, nullable=True),
    Column("charter_id", Uuid, nullable=True),
    Column("committee_id", Uuid, nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

partnership_members = Table(
    "partnership_members",
    metadata,
    Column("organisation_id", Uuid, nullable=False),
    Column("partnership_id", Uuid, nullable=False),
    PrimaryKeyConstraint("organisation_id", "partnership_id"),
)
