"""Open data: the public datasets, each a generator of rows (dicts in a stable column order) that
pages through its read model by log position, so that a download of millions of rows holds one
page in memory at a time. Adding a dataset (decisions, vote results) is one `Dataset` in `DATASETS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from sqlalchemy import select

from application.ledger import Ledger
from application.pages import read_page
from application.tables import (
    consultation_answers,
    consultation_contributions,
    consultations,
    petitions,
    votes,
)

PAGE_SIZE = 1000

Row = dict[str, Any]


def iso_utc(moment: datetime | str | None) -> str | None:
    """A timestamp as ISO 8601 in UTC with a `Z`, as the JSON API writes it."""
    if moment is None:
        return None
    if isinstance(moment, str):  # kept as text inside JSON columns
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def plain_cell(value: Any) -> str:
    """A value as a CSV cell: empty for null, `true`/`false` for booleans, else its text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _escape(text: str) -> str:
    """Percent-encode the separators of a compound CSV cell (and `%` itself), nothing else."""
    return text.replace("%", "%25").replace(":", "%3A").replace(";", "%3B")


def thresholds_cell(thresholds: list[Row]) -> str:
    """`signatures:consequence:reached_at` per threshold, joined by `;` (see docs/open-data.md)."""
    return ";".join(
        f"{t['signatures']}:{_escape(t['consequence'])}:{t['reached_at'] or ''}" for t in thresholds
    )


@dataclass(frozen=True, slots=True)
class Column:
    """A published column: its stable name, its type, whether it may be null, what it holds, and
    how a value is spelled in a CSV cell."""

    name: str
    type: str
    nullable: bool
    description: str
    csv: Callable[[Any], str] = plain_cell


@dataclass(frozen=True, slots=True)
class Dataset:
    """A published dataset: its name (the files' stem), what it holds, its columns and its rows."""

    name: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[Ledger], Iterator[Row]]

    def csv_record(self, row: Row) -> list[str]:
        """One row as the cells of a CSV record, in column order."""
        return [column.csv(row[column.name]) for column in self.columns]


# -- petitions ---------------------------------------------------------------------------------

PETITION_COLUMNS = (
    Column("id", "uuid", nullable=False, description="The petition's identifier."),
    Column("title", "string", nullable=False, description="Its title, as lodged."),
    Column(
        "status",
        "string",
        nullable=False,
        description="`lodged` (awaiting admissibility), `rejected`, `open` or `closed`.",
    ),
    Column("lodged_at", "timestamp", nullable=False, description="When it was lodged."),
    Column("deadline", "timestamp", nullable=True, description="When signing ends, if set."),
    Column(
        "signature_count",
        "integer",
        nullable=False,
        description="Signatures it holds now (withdrawn ones are not counted).",
    ),
    Column(
        "thresholds",
        "thresholds",
        nullable=False,
        description=(
            "The signature thresholds in increasing order and when each was reached (null "
            "until then). JSON: a list of `{signatures, consequence, reached_at}`. CSV: "
            "`signatures:consequence:reached_at` joined by `;`, with `%`, `:` and `;` in the "
            "consequence percent-encoded and an empty `reached_at` until reached."
        ),
        csv=thresholds_cell,
    ),
    Column(
        "admissibility_reason",
        "string",
        nullable=True,
        description="Why it was declared admissible or rejected, if a reason was given.",
    ),
    Column("closed_at", "timestamp", nullable=True, description="When it was closed."),
    Column("closed_reason", "string", nullable=True, description="Why it was closed."),
    Column("response", "string", nullable=True, description="The committee's official response."),
    Column("responded_at", "timestamp", nullable=True, description="When it was answered."),
    Column(
        "version",
        "integer",
        nullable=False,
        description="How many events the petition has had: it grows with each change.",
    ),
    Column(
        "position",
        "integer",
        nullable=False,
        description="Where it was lodged in the log; rows are in this order.",
    ),
)


def petition_rows(ledger: Ledger, *, page_size: int = PAGE_SIZE) -> Iterator[Row]:
    """Every petition in lodging order, without personal data (see docs/open-data.md)."""
    c = petitions.c
    query = select(
        c.id,
        c.title,
        c.status,
        c.lodged_at,
        c.deadline,
        c.signature_count,
        c.thresholds,
        c.admissibility_reason,
        c.closed_at,
        c.closed_reason,
        c.response,
        c.responded_at,
        c.version,
        c.position,
    )
    after: int | None = None
    while True:
        page = read_page(ledger.engine, query, c.position, after, page_size)
        for row in page.items:
            yield {
                "id": str(row["id"]),
                "title": row["title"],
                "status": row["status"],
                "lodged_at": iso_utc(row["lodged_at"]),
                "deadline": iso_utc(row["deadline"]),
                "signature_count": row["signature_count"],
                # Not the signature that reached it: its id derives from the signer's.
                "thresholds": [
                    {
                        "signatures": t["signatures"],
                        "consequence": t["consequence"],
                        "reached_at": iso_utc(t["reached_at"]),
                    }
                    for t in row["thresholds"]
                ],
                "admissibility_reason": row["admissibility_reason"],
                "closed_at": iso_utc(row["closed_at"]),
                "closed_reason": row["closed_reason"],
                "response": row["response"],
                "responded_at": iso_utc(row["responded_at"]),
                "version": row["version"],
                "position": row["position"],
            }
        if page.next is None:
            return
        after = page.next


PETITIONS = Dataset(
    name="petitions",
    description=(
        "Every petition lodged, in lodging order: its status, signature count, thresholds, "
        "admissibility, closure and official response. No personal data."
    ),
    columns=PETITION_COLUMNS,
    rows=petition_rows,
)

# -- votes ------------------------------------------------------------------------------------


def options_cell(options: list[Row]) -> str:
    """`id:label` per option, joined by `;`, separators in the label percent-encoded."""
    return ";".join(f"{o['id']}:{_escape(o['label'])}" for o in options)


def ids_cell(ids: list[str] | None) -> str:
    """Option ids joined by `;` (ids never hold `;`), empty for null."""
    return "" if ids is None else ";".join(ids)


def json_cell(value: Any) -> str:
    """A JSON document as a CSV cell (compact), empty for null."""
    return "" if value is None else msgspec.json.encode(value).decode()


VOTE_COLUMNS = (
    Column("id", "uuid", nullable=False, description="The vote's identifier."),
    Column("question", "string", nullable=False, description="The question put to the vote."),
    Column(
        "options",
        "options",
        nullable=False,
        description=(
            "The options in ballot order. JSON: a list of `{id, label}`. CSV: `id:label` joined "
            "by `;`, with `%`, `:` and `;` in the label percent-encoded."
        ),
        csv=options_cell,
    ),
    Column("method", "string", nullable=False, description="How ballots are counted."),
    Column(
        "status",
        "string",
        nullable=False,
        description="`draft`, `open`, `closed` (tallied), `certified` or `cancelled`.",
    ),
    Column("secret", "boolean", nullable=False, description="Whether ballots are secret."),
    Column("opens_at", "timestamp", nullable=False, description="When voting opens."),
    Column("closes_at", "timestamp", nullable=False, description="When voting closes."),
    Column(
        "electorate_size",
        "integer",
        nullable=True,
        description="How many people may vote, fixed when it opened (null while a draft).",
    ),
    Column("ballot_count", "integer", nullable=False, description="Ballots cast (one each)."),
    Column(
        "quorum", "integer", nullable=True, description="Ballots needed for the result to stand."
    ),
    Column(
        "winners",
        "ids",
        nullable=True,
        description="The elected option ids once tallied. CSV: joined by `;`.",
        csv=ids_cell,
    ),
    Column(
        "outcome",
        "string",
        nullable=True,
        description="Once certified: `elected`, or `quorum_not_reached`.",
    ),
    Column(
        "result",
        "json",
        nullable=True,
        description=(
            "The tally once closed: winners, ranking, ties and the method's detail (merit "
            "profiles, pairwise matrices, rounds). CSV: the same JSON, compact."
        ),
        csv=json_cell,
    ),
    Column(
        "origin_id",
        "uuid",
        nullable=True,
        description="What asked for the vote, e.g. the petition whose quorum drafted it.",
    ),
    Column("version", "integer", nullable=False, description="How many events the vote has had."),
    Column(
        "position",
        "integer",
        nullable=False,
        description="Where it was drafted in the log; rows are in this order.",
    ),
)


def vote_rows(ledger: Ledger, *, page_size: int = PAGE_SIZE) -> Iterator[Row]:
    """Every vote in drafting order with its result, without personal data (no electorate, no
    ballots: those are at `GET /votes/{id}/ballots` once it is closed)."""
    c = votes.c
    after: int | None = None
    while True:
        page = read_page(ledger.engine, select(votes), c.position, after, page_size)
        for row in page.items:
            result = row["result"]
            yield {
                "id": str(row["id"]),
                "question": row["question"],
                "options": [{"id": o["id"], "label": o["label"]} for o in row["rules"]["options"]],
                "method": row["method"],
                "status": row["status"],
                "secret": bool(row["rules"]["secret"]),
                "opens_at": iso_utc(row["opens_at"]),
                "closes_at": iso_utc(row["closes_at"]),
                "electorate_size": row["electorate_size"],
                "ballot_count": row["ballot_count"],
                "quorum": row["quorum"],
                "winners": None if result is None else result["winners"],
                "outcome": row["outcome"],
                "result": result,
                "origin_id": None if row["origin_id"] is None else str(row["origin_id"]),
                "version": row["version"],
                "position": row["position"],
            }
        if page.next is None:
            return
        after = page.next


VOTES = Dataset(
    name="votes",
    description=(
        "Every vote, in drafting order: its question, options, method, dates, turnout, and "
        "once tallied its result in full. No personal data."
    ),
    columns=VOTE_COLUMNS,
    rows=vote_rows,
)

# -- consultations ----------------------------------------------------------------------------


def list_cell(values: list[str] | None) -> str:
    """Slugs (themes, option ids) joined by `;` (they never hold `;`), empty for null."""
    return "" if values is None else ";".join(values)


def answer_cell(answer: Any) -> str:
    """An answer as a CSV cell: a list of option ids joined by `;`, else its text."""
    return list_cell(answer) if isinstance(answer, list) else plain_cell(answer)


CONTRIBUTION_COLUMNS = (
    Column("id", "uuid", nullable=False, description="The contribution's identifier."),
    Column("consultation_id", "uuid", nullable=False, description="The consultation it is to."),
    Column("kind", "string", nullable=False, description="`proposal` or `observation`."),
    Column("title", "string", nullable=False, description="Its title."),
    Column("text", "string", nullable=False, description="Its text."),
    Column(
        "themes",
        "ids",
        nullable=False,
        description="Its theme tags. CSV: joined by `;`.",
        csv=list_cell,
    ),
    Column("submitted_at", "timestamp", nullable=False, description="When it was submitted."),
    Column("endorsement_count", "integer", nullable=False, description="Endorsements standing."),
    Column("comment_count", "integer", nullable=False, description="Visible comments."),
    Column(
        "outcome",
        "string",
        nullable=True,
        description="What the synthesis did with it: `taken_up`, `merged` or `set_aside`.",
    ),
    Column("outcome_reason", "string", nullable=True, description="Why, says the synthesis."),
    Column(
        "position",
        "integer",
        nullable=False,
        description="Where it was submitted in the log; rows are in this order.",
    ),
)


def contribution_rows(ledger: Ledger, *, page_size: int = PAGE_SIZE) -> Iterator[Row]:
    """Every visible contribution to every consultation, in submission order: those hidden by
    moderation are left out, and so are their authors (see docs/open-data.md)."""
    c = consultation_contributions.c
    query = select(consultation_contributions).where(c.hidden.is_(False))
    after: int | None = None
    while True:
        page = read_page(ledger.engine, query, c.position, after, page_size)
        for row in page.items:
            yield {
                "id": str(row["id"]),
                "consultation_id": str(row["consultation_id"]),
                "kind": row["kind"],
                "title": row["title"],
                "text": row["text"],
                "themes": list(row["themes"]),
                "submitted_at": iso_utc(row["submitted_at"]),
                "endorsement_count": row["endorsement_count"],
                "comment_count": row["comment_count"],
                "outcome": row["outcome"],
                "outcome_reason": row["outcome_reason"],
                "position": row["position"],
            }
        if page.next is None:
            return
        after = page.next


CONSULTATION_CONTRIBUTIONS = Dataset(
    name="consultation-contributions",
    description=(
        "Every contribution to a consultation that moderation left public, in submission "
        "order, with its endorsements and what the synthesis did with it. No personal data."
    ),
    columns=CONTRIBUTION_COLUMNS,
    rows=contribution_rows,
)

ANSWER_COLUMNS = (
    Column("consultation_id", "uuid", nullable=False, description="The consultation."),
    Column(
        "respondent",
        "integer",
        nullable=False,
        description="The answer set's number in the consultation (1..n, in the order first "
        "submitted): the same number on each of its rows, and no other clue to who answered.",
    ),
    Column("question_id", "string", nullable=False, description="The question answered."),
    Column(
        "question_kind",
        "string",
        nullable=False,
        description="`open`, `single`, `multiple`, `ranking` or `scale`.",
    ),
    Column(
        "answer",
        "answer",
        nullable=False,
        description=(
            "The answer standing: a text (open), an option id (single), option ids (multiple; "
            "ranking, best first) or an integer (scale). CSV: option ids joined by `;`."
        ),
        csv=answer_cell,
    ),
)


def answer_rows(ledger: Ledger, *, page_size: int = PAGE_SIZE) -> Iterator[Row]:
    """One row per answer of every answer set standing, consultation by consultation, in the
    order of the questionnaire; no participant's id (see docs/open-data.md)."""
    a = consultation_answers.c
    kinds: dict[Any, dict[str, str]] = {}
    with ledger.engine.connect() as connection:
        for consultation_id, questions in connection.execute(
            select(consultations.c.id, consultations.c.questions)
        ):
            kinds[consultation_id] = {q["id"]: q["kind"] for q in questions}
    after: int | None = None
    query = select(a.consultation_id, a.respondent, a.answers, a.position)
    while True:
        page = read_page(ledger.engine, query, a.position, after, page_size)
        for row in page.items:
            questions = kinds.get(row["consultation_id"], {})
            for question_id, kind in questions.items():
                if question_id in row["answers"]:
                    yield {
                        "consultation_id": str(row["consultation_id"]),
                        "respondent": row["respondent"],
                        "question_id": question_id,
                        "question_kind": kind,
                        "answer": row["answers"][question_id],
                    }
        if page.next is None:
            return
        after = page.next


CONSULTATION_ANSWERS = Dataset(
    name="consultation-answers",
    description=(
        "Every answer to a consultation's questionnaire standing now, one row per question "
        "answered, respondents numbered per consultation. No personal data."
    ),
    columns=ANSWER_COLUMNS,
    rows=answer_rows,
)

DATASETS = (PETITIONS, VOTES, CONSULTATION_CONTRIBUTIONS, CONSULTATION_ANSWERS)
