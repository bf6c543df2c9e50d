"""Reading Pabulib `.pb` files: sections, quoted fields, vote types, errors that name the line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from application.ballot_files.pabulib import BallotFileError, parse_pabulib, read_pabulib

PABULIB = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "pabulib"

APPROVAL = """META
key;value
description;"A test; with a semicolon"
num_projects;3
budget;1000.0
vote_type;approval
PROJECTS
project_id;cost;votes;name;selected
p1;600;2;"Park; north side";1
p2;500.0;1;Library;0
p3;300;1;Bikes;1
VOTES
voter_id;vote;age
v1;p1,p3;30
v2;p1;41
v3;p2;None
"""


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


class TestApprovalFile:
    def test_reads_meta_projects_and_one_paper_per_vote(self) -> None:
        """Given an approval file, each vote becomes a 0/1 paper in the PROJECTS order."""
        election = parse_pabulib(APPROVAL)
        assert election.meta["description"] == "A test; with a semicolon"
        assert election.project_ids == ("p1", "p2", "p3")
        assert election.names == ("Park; north side", "Library", "Bikes")
        assert election.costs == (600, 500, 300)
        assert election.budget == 1000
        assert election.vote_type == "approval"
        assert election.voters == 3
        assert election.papers.tolist() == [[1, 0, 1], [1, 0, 0], [0, 1, 0]]
        assert election.selected == (True, False, True)
        assert election.project_rows[0]["votes"] == "2"

    def test_gives_the_rules_a_budgeting_tally_needs(self) -> None:
        """The file's projects, costs and budget make the vote's rules."""
        rules = parse_pabulib(APPROVAL).rules()
        assert rules.options == ("p1", "p2", "p3")
        assert rules.costs == (600, 500, 300)
        assert rules.budget == 1000

    def test_reads_crlf_and_a_byte_order_mark_from_disk(self, tmp_path: Path) -> None:
        """A file with Windows line ends and a UTF-8 byte-order mark reads the same."""
        path = tmp_path / "x.pb"
        path.write_bytes(b"\xef\xbb\xbf" + APPROVAL.replace("\n", "\r\n").encode())
        from_disk, from_text = read_pabulib(path), parse_pabulib(APPROVAL)
        assert from_disk.meta == from_text.meta
        assert from_disk.names == from_text.names
        assert np.array_equal(from_disk.papers, from_text.papers)

    def test_without_a_selected_column_there_are_no_flags(self) -> None:
        """`selected` is None when the publisher gave no outcome."""
        text = _with(APPROVAL, "votes;name;selected", "votes;name;other")
        assert parse_pabulib(text).selected is None

    def test_an_empty_vote_is_a_blank_paper(self) -> None:
        """A voter who chose nothing counts, with a paper of zeros."""
        text = _with(APPROVAL, "v3;p2;None", "v3;;None")
        assert parse_pabulib(text).papers[2].tolist() == [0, 0, 0]


class TestOtherVoteTypes:
    def test_cumulative_papers_keep_the_points(self) -> None:
        """A cumulative vote's paper holds the points given to each project."""
        text = APPROVAL.replace("vote_type;approval", "vote_type;cumulative")
        text = text.split("VOTES")[0] + "VOTES\nvoter_id;vote;points\nv1;p3,p1;7,3\nv2;p2;10\n"
        election = parse_pabulib(text)
        assert election.papers.tolist() == [[3, 0, 7], [0, 10, 0]]

    def test_ordinal_papers_hold_places(self) -> None:
        """An ordinal vote's paper holds each project's place, 1 first, 0 unranked."""
        text = _with(APPROVAL, "vote_type;approval", "vote_type;ordinal")
        text = _with(text, "v1;p1,p3;30", "v1;p3,p1;30")
        assert parse_pabulib(text).papers[0].tolist() == [2, 0, 1]

    def test_refuses_an_unknown_vote_type(self) -> None:
        """A vote type the reader cannot turn into papers is refused by name."""
        with pytest.raises(BallotFileError, match="vote_type 'quadratic'"):
            parse_pabulib(_with(APPROVAL, "vote_type;approval", "vote_type;quadratic"))

    def test_refuses_points_that_do_not_match_the_projects(self) -> None:
        """A cumulative vote needs one number of points per project, and says where it lacks one."""
        text = APPROVAL.replace("vote_type;approval", "vote_type;cumulative")
        text = text.split("VOTES")[0] + "VOTES\nvoter_id;vote;points\nv1;p3,p1;7\n"
        with pytest.raises(BallotFileError, match="line 14: 2 projects but 1 points"):
            parse_pabulib(text)


class TestMalformedFiles:
    @pytest.mark.parametrize(
        ("old", "new", "message"),
        [
            ("p2;500.0;1", "p2;500.5;1", r"<text>: line 10: cost '500.5' is not a whole"),
            ("p2;500.0;1", "p2;lots;1", r"line 10: cost 'lots' is not a number"),
            ("p3;300;1", "p1;300;1", r"line 11: project 'p1' is listed twice"),
            ("v2;p1;41", "v2;p9;41", r"line 15: unknown project 'p9'"),
            ("v2;p1;41", "v2;p1,p1;41", r"line 15: project 'p1' is voted for twice"),
            ("v2;p1;41", "v2", r"line 15: 1 fields where the header has 3"),
            ("budget;1000.0", "budget;1000.25", r"line 5: budget '1000.25'"),
            ("num_projects;3", "num_projects", r"line 4: 1 fields where the header has 2"),
            ("project_id;cost", "id;cost", r"line 8: the header has no 'project_id' column"),
        ],
    )
    def test_names_the_line_of_the_problem(self, old: str, new: str, message: str) -> None:
        """Every malformed line is refused with its number and what is wrong with it."""
        with pytest.raises(BallotFileError, match=message):
            parse_pabulib(_with(APPROVAL, old, new))

    def test_refuses_a_file_without_votes(self) -> None:
        """A file missing a section says which."""
        with pytest.raises(BallotFileError, match=r"x\.pb: no VOTES section"):
            parse_pabulib(APPROVAL.split("VOTES", maxsplit=1)[0], "x.pb")

    def test_refuses_a_section_given_twice(self) -> None:
        """Two PROJECTS sections are refused rather than one silently replacing the other."""
        with pytest.raises(BallotFileError, match="a section appears twice"):
            parse_pabulib(APPROVAL + "PROJECTS\nproject_id;cost\np4;1\n")

    def test_refuses_text_before_meta(self) -> None:
        """Anything before the first section is not Pabulib."""
        with pytest.raises(BallotFileError, match="line 1: text before the META section"):
            parse_pabulib("hello\n" + APPROVAL)

    def test_refuses_a_file_without_budget(self) -> None:
        """The budget is required."""
        with pytest.raises(BallotFileError, match="META has no budget"):
            parse_pabulib(_with(APPROVAL, "budget;1000.0\n", ""))

    def test_is_a_value_error(self) -> None:
        """Callers that catch ValueError catch a malformed ballot file too."""
        assert issubclass(BallotFileError, ValueError)


class TestRealFiles:
    @pytest.mark.parametrize(
        ("name", "vote_type", "voters", "projects", "budget"),
        [
            (
                "France_Toulouse_2022_10_-_Jolimont_Soupetard_Roseraie_Gloire_Gramont_Amouroux.pb",
                "approval",
                393,
                10,
                400_000,
            ),
            ("Poland_Czestochowa_2020_Stare_Miasto.pb", "cumulative", 524, 13, 273_332),
            ("Poland_Warszawa_2018_Falenica.pb", "approval", 498, 8, 162_175),
        ],
    )
    def test_reads_the_published_files(
        self, name: str, vote_type: str, voters: int, projects: int, budget: int
    ) -> None:
        """The shared Pabulib files read with the counts their META section announces."""
        path = PABULIB / name
        if not path.exists():
            pytest.skip(f"Pabulib data not found at {path} (the shared data folder is absent)")
        election = read_pabulib(path)
        assert election.vote_type == vote_type
        assert election.voters == voters == int(election.meta["num_votes"])
        assert len(election.project_ids) == projects == int(election.meta["num_projects"])
        assert election.budget == budget
        assert election.papers.dtype == np.int64
        if vote_type == "approval":
            assert set(np.unique(election.papers)) <= {0, 1}
        else:
            assert election.papers.sum(axis=1).max() <= int(election.meta["max_sum_points"])
