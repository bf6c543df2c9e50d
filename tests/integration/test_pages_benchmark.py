"""`benchmarks/pages.py` runs as its users run it: it builds a store, finds the pages in the
app's route list, times each one and prints the table, exiting 0 when every page meets the goal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "pages.py"


def run_script(*options: str) -> subprocess.CompletedProcess[str]:
    """The script in a process of its own (as `python benchmarks/pages.py`)."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *options],
        capture_output=True,
        text=True,
        check=False,
        timeout=280,
    )


def figures(path: Path) -> dict[str, list[dict[str, object]]]:
    """The SQLite run of the figures the script wrote."""
    written = json.loads(path.read_text())
    run: dict[str, list[dict[str, object]]] = written["runs"][0]
    return run


class TestPagesBenchmark:
    """The script end to end, in-process."""

    def test_a_tiny_store_times_every_page_against_the_baseline(self, tmp_path: Path) -> None:
        """20 petitions and 500 signatures, 2 requests a page: every petition page is timed by
        each kind of visitor, and nothing answers 5xx."""
        out = tmp_path / "figures.json"

        done = run_script(
            *("--petitions", "20", "--signatures", "500", "--requests", "2", "--no-demo"),
            *("--json", str(out), "--limit-ms", "10000"),
        )

        assert done.returncode == 0, done.stdout + done.stderr
        assert "/health (baseline)" in done.stdout
        run = figures(out)
        timed = {(p["page"], p["visitor"]) for p in run["pages"]}
        for page in ("/", "/web/sign-in", "/web/petitions/BIG", "/web/petitions/BIG/count"):
            assert (page, "anonymous") in timed
        for visitor in ("anonymous", "signed", "not signed"):
            assert ("/web/petitions/BIG", visitor) in timed
        assert [p for p in run["pages"] if int(str(p["status"])) >= 500] == []

    @pytest.mark.slow
    def test_the_quick_run_meets_the_goal(self) -> None:
        """`--quick` (200 petitions, 20,000 signatures): every page's median under 100 ms. Slow:
        15 s on a quiet 2-core machine, a minute on a busy one."""
        done = run_script("--quick")

        assert done.returncode == 0, done.stdout + done.stderr
