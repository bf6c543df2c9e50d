"""`civic tally` and `civic votes import` on standard ballot files: the same count from a file on
its own and from the vote it becomes, and clear errors for files a method cannot count."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .api import CivicApi, json_of
from .server import CIVIC, civic

TRAM = """\
# TITLE: Tram line consultation
# DATA TYPE: soi
# ALTERNATIVE NAME 1: North line
# ALTERNATIVE NAME 2: South line
# ALTERNATIVE NAME 3: No tram
45: 1,2,3
40: 2,1
15: 3,2
"""
DEBIAN_2002 = Path(__file__).parents[3] / "shared" / "data" / "preflib" / "00002-00000001.soi"


@pytest.fixture
def tram(tmp_path: Path) -> Path:
    """The README's three-option example: a Condorcet winner that plurality misses."""
    path = tmp_path / "tram.soi"
    path.write_text(TRAM)
    return path


def tally(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """`civic tally ARGS`, needing no database."""
    return subprocess.run(
        [str(CIVIC), "tally", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "CIVIC_DATABASE_URL": "sqlite:////nonexistent/never-opened.sqlite"},
    )


class TestTally:
    def test_schulze_and_plurality_on_the_readme_example(self, tram: Path) -> None:
        """South beats North 55 to 45 head to head; North has the most first choices."""
        schulze = tally("--method", "schulze", tram)
        assert schulze.returncode == 0, schulze.stderr
        assert "winner: South line" in schulze.stdout
        plurality = json.loads(tally("--method", "plurality", tram, "--json").stdout)
        assert plurality["winners"] == ["1"]
        assert plurality["detail"]["counts"] == {"1": 45, "2": 40, "3": 15}
        assert plurality["options"]["1"] == "North line"

    def test_the_schulze_matrices_are_in_the_json(self, tram: Path) -> None:
        """d[x][y]: ballots preferring x to y, in the options' order."""
        result = json.loads(tally("--method", "schulze", tram, "--json").stdout)
        assert result["detail"]["d"][1][0] == 55  # South over North
        assert result["detail"]["d"][0][1] == 45

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--method", "score"], "holds rankings"),
            (["--method", "dice"], "unknown method"),
        ],
    )
    def test_a_method_the_file_cannot_feed_is_a_clear_error(
        self, tram: Path, args: list[str], message: str
    ) -> None:
        """Exit 1 with one line naming the problem, no traceback."""
        completed = tally(*args, tram)
        assert completed.returncode == 1
        assert message in completed.stderr
        assert "Traceback" not in completed.stderr

    def test_a_malformed_file_is_named_by_its_line(self, tmp_path: Path) -> None:
        """A ballot line that is not `count: order` is refused with its line number."""
        path = tmp_path / "broken.soi"
        path.write_text(TRAM.replace("40: 2,1", "forty: 2,1"))
        completed = tally("--method", "schulze", path)
        assert completed.returncode == 1
        assert "line 7" in completed.stderr

    @pytest.mark.skipif(not DEBIAN_2002.exists(), reason="the shared Debian files are absent")
    def test_debians_2002_leader_election(self) -> None:
        """Bdale Garbee, as Debian announced."""
        assert "winner: Bdale Garbee" in tally("--method", "schulze", DEBIAN_2002).stdout


class TestVotesImport:
    def test_an_imported_file_becomes_a_closed_vote_with_the_same_result(
        self, api: CivicApi, tram: Path
    ) -> None:
        """One ballot event per voter, the file's voters as electorate, the tally `civic tally`
        gives, and the closing reason naming the file's SHA-256."""
        output = civic(
            api.database_url, api.workdir, "votes", "import", str(tram), "--method", "schulze"
        )
        vote_id = output.split()[1].rstrip(":")
        vote = json_of(api.client.get(f"/votes/{vote_id}"), 200)
        assert (vote["status"], vote["ballot_count"], vote["electorate_size"]) == (
            "closed",
            100,
            100,
        )
        expected = json.loads(tally("--method", "schulze", tram, "--json").stdout)
        assert vote["result"]["winners"] == expected["winners"] == ["2"]
        assert vote["result"]["detail"] == expected["detail"]
        history = json_of(api.client.get(f"/votes/{vote_id}/history"), 200)["items"]
        assert "SHA-256" in history[-1]["reason"]
        assert len(api.audit(parent_id=vote_id)) == 100
