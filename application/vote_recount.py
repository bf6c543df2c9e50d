"""Recount every closed vote from its ballots, as an auditor would: the papers standing, the
frozen rules and the tie-break order drawn at opening must give the very result recorded."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from application.tables import audit_events, ballots, votes
from application.votes import result_data, tally
from domain.ballot import ballot_id
from domain.vote import VoteRules, VoteStatus

CLOSED = "Vote.Closed"


def recount_votes(connection: Connection) -> tuple[str, int | None] | None:
    """The first discrepancy among the closed votes, with the position of the event it concerns
    (the vote's `Closed`), or None when every tally, quorum and outcome holds."""
    for vote in connection.execute(
        # By status: a JSON column's None is stored as JSON null, which IS NOT NULL matches.
        select(votes)
        .where(votes.c.status.in_((VoteStatus.CLOSED, VoteStatus.CERTIFIED)))
        .order_by(votes.c.position)
    ).mappings():
        problem = _recount(connection, vote)
        if problem is not None:
            position = connection.scalar(
                select(audit_events.c.position).where(
                    audit_events.c.aggregate_id == vote["id"], audit_events.c.type == CLOSED
                )
            )
            return f"vote {vote['id']}: {problem}", position
    return None


def _recount(connection: Connection, vote: Any) -> str | None:
    rows = connection.execute(
        select(ballots.c.id, ballots.c.tag, ballots.c.paper)
        .where(ballots.c.vote_id == vote["id"])
        .order_by(ballots.c.position)
    ).all()
    forged = next((r for r in rows if r.id != ballot_id(vote["id"], r.tag)), None)
    if forged is not None:  # two ballots under one tag would need two ids for the same pair
        return f"ballot {forged.id} is not the ballot of its tag {forged.tag}"
    if vote["electorate_size"] is not None and len(rows) > vote["electorate_size"]:
        return f"{len(rows)} ballots for an electorate of {vote['electorate_size']}"
    rules = VoteRules.from_event(vote["rules"]).tally_rules(tuple(vote["tie_order"] or ()))
    recounted = result_data(tally(vote["method"], rules, [r.paper for r in rows]))
    if json.loads(json.dumps(recounted)) != vote["result"]:
        return (
            f"its {len(rows)} ballots recount to {_summary(recounted)}, "
            f"the log records {_summary(vote['result'])}"
        )
    if vote["ballot_count"] != len(rows):
        return f"the view counts {vote['ballot_count']} ballots, the log holds {len(rows)}"
    if vote["outcome"] is not None:
        expected = "elected" if len(rows) >= (vote["quorum"] or 0) else "quorum_not_reached"
        if vote["outcome"] != expected:
            return (
                f"certified {vote['outcome']}, but {len(rows)} ballots against a quorum of "
                f"{vote['quorum']} make it {expected}"
            )
    return None


def _summary(result: dict[str, Any]) -> str:
    return f"winners {result['winners']} of {result['ballots']} ballots"
