"""The PrefLib reader, and Schulze on the real Debian votes PrefLib publishes (dataset 00002)."""

from __future__ import annotations

from pathlib import Path

import pytest

from application.ballot_files.preflib import (
    BallotFile,
    BallotFileError,
    parse_preflib,
    read_preflib,
)
from domain.voting.base import Rules
from domain.voting.ranked import pairwise
from domain.voting.schulze import SCHULZE

DEBIAN = Path(__file__).resolve().parents[4] / "shared" / "data" / "preflib"

HEADER = """# FILE NAME: test.{kind}
# TITLE: Tram or bus
# DATA TYPE: {kind}
# NUMBER ALTERNATIVES: 3
# NUMBER VOTERS: {voters}
# ALTERNATIVE NAME 1: Tram
# ALTERNATIVE NAME 2: Bus
# ALTERNATIVE NAME 3: Bike
"""


def read_text(kind: str, lines: str, voters: int) -> BallotFile:
    """A small file of this data type, parsed."""
    return parse_preflib(HEADER.format(kind=kind, voters=voters) + lines, source="test")


class TestOrders:
    def test_a_soc_file_gives_ranks_names_and_counts(self) -> None:
        """Given two complete orders, then each paper holds the ranks and weights the counts."""
        ballots = read_text("soc", "3: 2,1,3\n1: 3,2,1\n", 4)
        assert ballots.data_type == "soc"
        assert ballots.title == "Tram or bus"
        assert ballots.option_ids == ("1", "2", "3")
        assert ballots.option_names == ("Tram", "Bus", "Bike")
        assert ballots.papers.tolist() == [[2, 1, 3], [3, 2, 1]]
        assert ballots.weights.tolist() == [3, 1]
        assert ballots.voters == 4

    def test_a_soi_order_leaves_the_rest_unranked(self) -> None:
        """A partial order ranks its alternatives and leaves the others at 0."""
        assert read_text("soi", "2: 3\n", 2).papers.tolist() == [[0, 0, 1]]

    def test_a_toc_group_shares_one_place(self) -> None:
        """`{1,3}` after 2 puts 1 and 3 equal second."""
        assert read_text("toc", "1: 2,{1,3}\n", 1).papers.tolist() == [[2, 1, 2]]

    def test_a_toi_order_may_tie_and_stop_early(self) -> None:
        """A .toi order may both tie and leave alternatives out."""
        assert read_text("toi", "1: {1,2}\n", 1).papers.tolist() == [[1, 1, 0]]


class TestCategories:
    def test_a_cat_paper_holds_each_alternative_category_plus_one(self) -> None:
        """`{1},{},{3}`: 1 in the first category, 3 in the third, 2 in none (0)."""
        text = HEADER.format(kind="cat", voters=2) + "# NUMBER CATEGORIES: 3\n"
        text += "# CATEGORY NAME 1: Yes\n# CATEGORY NAME 2: Maybe\n# CATEGORY NAME 3: No\n"
        ballots = parse_preflib(text + "2: {1},{},{3}\n")
        assert ballots.papers.tolist() == [[1, 0, 3]]
        assert ballots.categories == ("Yes", "Maybe", "No")

    def test_refuses_a_line_with_the_wrong_number_of_categories(self) -> None:
        """A categorical line must hold one group per category."""
        text = HEADER.format(kind="cat", voters=1) + "# NUMBER CATEGORIES: 3\n1: {1},{2}\n"
        with pytest.raises(BallotFileError, match="line 10: 2 categories, the header says 3"):
            parse_preflib(text, source="test")


class TestMalformed:
    @pytest.mark.parametrize(
        ("kind", "line", "message"),
        [
            ("soi", "1 2,3", "expected 'count: preferences'"),
            ("soi", "x: 2,3", "expected 'count: preferences'"),
            ("soi", "1: 2,4", "no alternative 4"),
            ("soi", "1: 2,2", "alternative 2 appears twice"),
            ("soi", "1: 2,a", "cannot read 'a'"),
            ("soi", "1: {1,2}", "strict and cannot tie"),
            ("soc", "1: 1,2", "must rank every alternative"),
            ("toc", "1: 1,{}", "empty group"),
        ],
    )
    def test_names_the_line_and_the_problem(self, kind: str, line: str, message: str) -> None:
        """A malformed data line raises BallotFileError naming line 9 and what is wrong."""
        with pytest.raises(BallotFileError, match=f"test, line 9: .*{message}"):
            read_text(kind, line + "\n", 1)

    def test_refuses_counts_that_do_not_add_up_to_the_voters(self) -> None:
        """The header's NUMBER VOTERS must equal the sum of the counts."""
        with pytest.raises(BallotFileError, match="header says 5 voters, the lines hold 2"):
            read_text("soi", "2: 1\n", 5)

    def test_refuses_an_unknown_data_type(self) -> None:
        """Only soc, soi, toc, toi and cat are read."""
        with pytest.raises(BallotFileError, match="unknown data type 'wmd'"):
            read_text("wmd", "", 0)

    def test_is_a_value_error(self) -> None:
        """Callers that catch ValueError catch a malformed ballot file."""
        assert issubclass(BallotFileError, ValueError)


needs_debian = pytest.mark.skipif(
    not DEBIAN.is_dir(), reason=f"the Debian PrefLib files are not at {DEBIAN}"
)

# Winners Debian announced; the 1999 logo vote chose the swirl.
KNOWN_WINNERS = {
    "00002-00000001.soi": "Bdale Garbee",  # 2002
    "00002-00000003.soi": "Branden Robinson",  # 2005
    "00002-00000005.soi": "Sam Hocevar",  # 2007
    "00002-00000006.soi": "Stefano Zacchiroli",  # 2010
    "00002-00000006.toc": "Stefano Zacchiroli",
    "00002-00000007.soi": "Stefano Zacchiroli",  # 2012
    "00002-00000007.toc": "Stefano Zacchiroli",
    "00002-00000008.soi": "Swirl",  # logo
    "00002-00000008.toc": "Swirl",
}


@needs_debian
class TestDebian:
    @pytest.mark.parametrize(("name", "winner"), KNOWN_WINNERS.items())
    def test_schulze_elects_the_winner_debian_announced(self, name: str, winner: str) -> None:
        """Schulze with unranked options tied at the bottom elects Debian's winner."""
        ballots = read_preflib(DEBIAN / name)
        result = SCHULZE.tally(Rules(options=ballots.option_ids), ballots.papers, ballots.weights)
        assert result.ballots == ballots.voters
        assert ballots.option_names[ballots.option_ids.index(result.winners[0])] == winner
        assert result.tied == ()

    @pytest.mark.parametrize("election", ["00002-00000006", "00002-00000007", "00002-00000008"])
    def test_the_soi_and_its_imbued_toc_give_the_same_pairwise_counts(self, election: str) -> None:
        """The .toc adds the unranked alternatives as a bottom tie: the same rule as ours."""
        matrices = []
        for suffix in (".soi", ".toc"):
            ballots = read_preflib(DEBIAN / (election + suffix))
            result = SCHULZE.tally(
                Rules(options=ballots.option_ids), ballots.papers, ballots.weights
            )
            matrices.append(result.detail["d"])
        assert matrices[0] == matrices[1]

    def test_2003_counts_match_debian_where_the_file_kept_the_voters_ties(self) -> None:
        """PrefLib's 2003 strict orders broke voters' equal ranks toward the lower number.

        Debian's published 2003 result has Martin Michlmayr (4) beating Bdale Garbee (2) 228 to
        224. Every count d[y][x] with y > x in the file equals Debian's; every d[x][y] with x < y
        is higher (d[2][4] is 252, not 224), so the file elects Bdale Garbee. The method is right,
        the file lost information: it is not among the known winners above (nor is 2006).
        """
        ballots = read_preflib(DEBIAN / "00002-00000002.soi")
        d = pairwise(ballots.papers, ballots.weights)
        # Debian's results: "x beats y: a b" gives d[x][y] = a and d[y][x] = b (1-based).
        debian = {(1, 5): 228, (5, 1): 202, (2, 1): 428, (1, 2): 34, (2, 3): 238, (3, 2): 221}
        debian |= {(2, 5): 449, (5, 2): 29, (3, 1): 385, (1, 3): 66, (3, 5): 405, (5, 3): 65}
        debian |= {(4, 1): 397, (1, 4): 38, (4, 2): 228, (2, 4): 224, (4, 3): 237, (3, 4): 226}
        debian |= {(4, 5): 424, (5, 4): 39}
        for (x, y), count in debian.items():
            if x > y:
                assert d[x - 1, y - 1] == count
            else:
                assert d[x - 1, y - 1] > count
