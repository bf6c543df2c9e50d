"""The open datasets: rows that match the read model, page by page, without personal data, and
files that standard readers parse back (CSV per RFC 4180, JSON)."""

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import unquote
from uuid import UUID, uuid4

import pytest

import interfaces.http.opendata
from application.opendata import PETITIONS, VOTES, iso_utc, petition_rows, vote_rows
from application.system import CivicLedger
from domain.account import Role
from domain.events import Cause
from domain.petition import Threshold
from domain.vote import Option, VoteRules
from interfaces.http.opendata import csv_chunks, json_chunks

from .conftest import START, ManualClock

OpenPetition = Callable[..., UUID]

AWKWARD_TITLES = [
    'Trees, benches and "shade" for the market square',
    "Two lines:\nfirst, then second",
    "Windows line ends:\r\nkept as typed",
    'A lone " quote, a comma, and a; semicolon',
    "Des arbres place Victor-Hugo — été 2030 ☀",
]


def cause(actor: str, reason: str | None = None) -> Cause:
    """A cause with a fresh correlation id."""
    return Cause(actor=actor, correlation_id=str(uuid4()), reason=reason)


def every_state(civic: CivicLedger, open_petition: OpenPetition) -> list[UUID]:
    """Petitions in every state: lodged, rejected, open with a threshold reached, answered."""
    lodged = civic.petitions.lodge(
        title="Awaiting its admissibility",
        text="A text.",
        deadline=None,
        thresholds=[],
        cause=cause("citizen:ada"),
    )
    rejected = civic.petitions.lodge(
        title="Outside the town's remit",
        text="A text.",
        deadline=None,
        thresholds=[],
        cause=cause("citizen:ada"),
    )
    civic.petitions.decide_admissibility(
        rejected, admissible=False, cause=cause("moderator:mo", "a national matter")
    )
    reached = open_petition(
        thresholds=[
            Threshold(1, "committee_hearing"),
            Threshold(5, "citizen_vote: in spring; 100%"),
        ]
    )
    civic.petitions.sign(reached, signer="citizen:bea", cause=cause("citizen:bea"))
    answered = open_petition()
    civic.petitions.close(answered, cause=cause("committee:cy", "debated on 3 March"))
    civic.petitions.respond(answered, text="Twenty trees, in autumn.", cause=cause("committee:cy"))
    return [lodged, rejected, reached, answered]


def csv_text(civic: CivicLedger) -> str:
    """The petitions dataset as the CSV download sends it."""
    return "".join(csv_chunks(PETITIONS, civic.ledger))


def csv_records(text: str) -> list[list[str]]:
    """The records of a CSV file, parsed by the standard library."""
    return list(csv.reader(io.StringIO(text, newline="")))


def parse_thresholds(cell: str) -> list[dict[str, Any]]:
    """The `thresholds` CSV cell back into its parts, as docs/open-data.md tells readers to."""
    thresholds = []
    for item in cell.split(";") if cell else []:
        signatures, consequence, reached_at = item.split(":", 2)
        thresholds.append(
            {
                "signatures": int(signatures),
                "consequence": unquote(consequence),
                "reached_at": reached_at or None,
            }
        )
    return thresholds


class TestPetitionRows:
    """`petition_rows`: one dict per petition, in lodging order, in the published column order."""

    def test_rows_hold_the_published_columns_in_order(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Every row's keys are the dataset's column names, in the catalogue's order."""
        every_state(civic, open_petition)

        rows = list(petition_rows(civic.ledger))

        assert len(rows) == 4
        assert all(list(row) == [c.name for c in PETITIONS.columns] for row in rows)

    def test_rows_match_the_read_model(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Each row carries the petition view's values, timestamps as ISO 8601 UTC with `Z`."""
        ids = every_state(civic, open_petition)

        rows = {row["id"]: row for row in petition_rows(civic.ledger)}

        for petition_id in ids:
            view = civic.petitions.get(petition_id)
            row = rows[str(petition_id)]
            for name in ("title", "status", "signature_count", "version", "position"):
                assert row[name] == view[name], name
            for name in ("admissibility_reason", "closed_reason", "response"):
                assert row[name] == view[name], name
            for name in ("lodged_at", "deadline", "closed_at", "responded_at"):
                assert row[name] == iso_utc(view[name]), name
            assert row["thresholds"] == [
                {
                    "signatures": t["signatures"],
                    "consequence": t["consequence"],
                    "reached_at": iso_utc(t["reached_at"]),
                }
                for t in view["thresholds"]
            ]
        reached = rows[str(ids[2])]["thresholds"]
        assert reached[0]["reached_at"] is not None
        assert reached[0]["reached_at"].endswith("Z")
        assert reached[1]["reached_at"] is None
        assert rows[str(ids[1])]["status"] == "rejected"
        assert rows[str(ids[3])]["response"] == "Twenty trees, in autumn."

    def test_pages_through_the_read_model_in_lodging_order(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Small pages give the same rows as one page, in strictly increasing position."""
        for _ in range(5):
            open_petition()

        paged = list(petition_rows(civic.ledger, page_size=2))

        assert paged == list(petition_rows(civic.ledger))
        assert len(paged) == 5
        positions = [row["position"] for row in paged]
        assert positions == sorted(set(positions))

    def test_leaves_out_personal_data(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """No row names who lodged, signed or decided, nor which signature reached a threshold."""
        every_state(civic, open_petition)

        published = json.dumps(list(petition_rows(civic.ledger)))

        for actor in ("citizen:ada", "citizen:bea", "moderator:mo", "committee:cy"):
            assert actor not in published
        assert "lodged_by" not in published
        assert "signature_id" not in published

    def test_an_empty_read_model_gives_no_rows(self, civic: CivicLedger) -> None:
        """No petition, no row."""
        assert list(petition_rows(civic.ledger)) == []


class TestCsv:
    """The CSV download: RFC 4180, read back by Python's csv module to the same values."""

    @pytest.fixture(autouse=True)
    def small_chunks(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Chunks of a few hundred characters, so that records span several chunks."""
        monkeypatch.setattr(interfaces.http.opendata, "CHUNK_CHARACTERS", 300)

    def test_round_trips_commas_quotes_and_newlines(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Titles with commas, quotes, newlines and non-ASCII text come back exactly as lodged."""
        for title in AWKWARD_TITLES:
            open_petition(title=title, thresholds=[Threshold(3, 'vote: "yes"; 50%, then, no')])

        header, *records = csv_records(csv_text(civic))

        assert header == [c.name for c in PETITIONS.columns]
        assert [dict(zip(header, r, strict=True))["title"] for r in records] == AWKWARD_TITLES
        assert records == [PETITIONS.csv_record(row) for row in petition_rows(civic.ledger)]

    def test_thresholds_split_back_into_their_parts(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """`signatures:consequence:reached_at` joined by `;` parses back to the JSON list."""
        every_state(civic, open_petition)
        rows = list(petition_rows(civic.ledger))

        header, *records = csv_records(csv_text(civic))

        column = header.index("thresholds")
        assert [parse_thresholds(r[column]) for r in records] == [r["thresholds"] for r in rows]
        assert records[2][column].startswith("1:committee_hearing:2")
        assert records[2][column].endswith(";5:citizen_vote%3A in spring%3B 100%25:")

    def test_records_end_with_crlf_and_nulls_are_empty(
        self, civic: CivicLedger, open_petition: OpenPetition
    ) -> None:
        """Every record ends with CRLF; a null value is an empty cell."""
        open_petition(title="Plain")

        text = csv_text(civic)

        assert text.endswith("\r\n")
        assert text.count("\r\n") == 2  # the header and the one record
        assert "\n" not in text.replace("\r\n", "")
        header, record = csv_records(text)
        assert record[header.index("closed_at")] == ""
        assert record[header.index("deadline")] == ""

    def test_an_empty_dataset_is_its_header_row(self, civic: CivicLedger) -> None:
        """No petition: the header row alone."""
        assert csv_text(civic) == ",".join(c.name for c in PETITIONS.columns) + "\r\n"


class TestJson:
    """The JSON download: one array of the rows, however many chunks it is sent in."""

    def test_parses_back_to_the_rows(
        self, civic: CivicLedger, open_petition: OpenPetition, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The concatenated chunks are a JSON array equal to the rows."""
        monkeypatch.setattr(interfaces.http.opendata, "CHUNK_CHARACTERS", 300)
        for title in AWKWARD_TITLES:
            open_petition(title=title)

        chunks = list(json_chunks(PETITIONS, civic.ledger))

        assert len(chunks) > 2
        assert json.loads(b"".join(chunks)) == list(petition_rows(civic.ledger))

    def test_an_empty_dataset_is_an_empty_array(self, civic: CivicLedger) -> None:
        """No petition: `[]`."""
        assert json.loads(b"".join(json_chunks(PETITIONS, civic.ledger))) == []


class TestVoteRows:
    """`vote_rows`: each vote with its result, and no personal data."""

    def test_a_tallied_vote_is_published_with_its_result_and_no_electors(
        self, civic: CivicLedger, clock: ManualClock
    ) -> None:
        """Columns in the catalogue's order; winners and full result once closed; neither the
        drafter nor the electors nor their ballots appear."""
        electors = [
            str(civic.accounts.open(name=n, roles=[Role.CITIZEN], cause=cause("admin"))[0])
            for n in ("ada", "bea", "cyd")
        ]
        rules = VoteRules(
            question="Open the pool on Sundays?",
            options=(Option("yes", "Yes: a;b:c%"), Option("no", "No")),
            method="plurality",
            opens_at=START,
            closes_at=START + timedelta(days=1),
            electorate={"kind": "roll", "accounts": electors},
            secret=False,
        )
        vote_id = civic.votes.draft(rules=rules, cause=cause("committee:cy"))
        civic.votes.open(vote_id, cause=cause("committee:cy"))
        for elector, choice in zip(electors, ["yes", "yes", "no"], strict=True):
            civic.votes.cast(vote_id, elector=elector, choice=choice, cause=cause(elector))
        clock.now = START + timedelta(days=1)
        civic.votes.close(vote_id, cause=cause("system:vote-schedule"))

        (row,) = vote_rows(civic.ledger)

        assert list(row) == [c.name for c in VOTES.columns]
        assert (row["status"], row["ballot_count"], row["electorate_size"]) == ("closed", 3, 3)
        assert row["winners"] == ["yes"]
        assert row["result"]["detail"]["counts"] == {"yes": 2, "no": 1}
        assert VOTES.csv_record(row)[2] == "yes:Yes%3A a%3Bb%3Ac%25;no:No"
        assert VOTES.csv_record(row)[5] == "false"
        published = json.dumps(row)
        assert not any(elector in published for elector in electors)
        assert "committee:cy" not in published
