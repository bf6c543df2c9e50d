"""`civic audit export` and `civic audit verify` on the demo's log, as an auditor would run them."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from application import verification
from application.checkpoints import Verifier
from application.verification import Replay, Verification, compare_views

from .conftest import PlayedDemo
from .server import CIVIC, civic

VERIFIER_KEY = re.compile(r"--key (\S+)")


def run(
    workdir: Path, *args: str, database: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`civic ARGS` to completion, whatever its exit status."""
    env = {**os.environ}
    if database is not None:
        env["CIVIC_DATABASE_URL"] = f"sqlite:///{database}"
    return subprocess.run(
        [str(CIVIC), *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(played_demo: PlayedDemo) -> tuple[Path, Path, str]:
    """The demo played once, exported: (database, export file, the log's verifier key)."""
    workdir, database = played_demo.workdir, played_demo.database
    exported = workdir / "demo.jsonl"
    output = civic(f"sqlite:///{database}", workdir, "audit", "export", str(exported))
    assert re.search(r"exported \d+ events", output), output
    key = VERIFIER_KEY.search(output)
    assert key is not None, output
    return database, exported, key[1]


class TestExportAndVerify:
    def test_the_demos_export_verifies_with_no_database(
        self, demo: tuple[Path, Path, str], tmp_path: Path
    ) -> None:
        """Exit 0 from an empty directory and no database setting: signatures, roots, replay."""
        _, exported, key = demo
        completed = run(tmp_path, "audit", "verify", str(exported), "--key", key)
        assert completed.returncode == 0, completed.stderr
        assert "verified" in completed.stdout
        assert not list(tmp_path.iterdir())  # it wrote nothing, created no database

    @pytest.mark.parametrize("mode", [(), ("--chain-only",)], ids=["full", "chain-only"])
    def test_one_flipped_byte_fails_and_names_the_position(
        self, demo: tuple[Path, Path, str], tmp_path: Path, mode: tuple[str, ...]
    ) -> None:
        """One character of one signature changed: exit 1, naming that event's position."""
        _, exported, key = demo
        lines = exported.read_bytes().split(b"\n")
        number = next(i for i, line in enumerate(lines) if b"Signature.Signed" in line) + 100
        record = json.loads(lines[number])
        index = lines[number].index(b'"correlation_id":"') + len(b'"correlation_id":"') + 2
        flipped = bytearray(lines[number])
        flipped[index] = ord("0") if flipped[index] != ord("0") else ord("1")
        lines[number] = bytes(flipped)
        tampered = tmp_path / "tampered.jsonl"
        tampered.write_bytes(b"\n".join(lines))

        completed = run(tmp_path, "audit", "verify", str(tampered), "--key", key, *mode)

        assert completed.returncode == 1
        assert f"FAILED at position {record['position']}:" in completed.stderr
        assert "Traceback" not in completed.stderr

    def test_the_replay_of_the_export_holds_the_demos_views_row_by_row(
        self, demo: tuple[Path, Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Replayed from the file on two processes (the events stored by the second and its
        store attached, the audit rows of the first events built there too), every row of
        every view is the demo database's own."""
        database, exported, key = demo
        monkeypatch.setattr(verification, "REPLAY_BATCH", 1_000)  # the demo's log is small
        assert verification.audit_share(17_000) > 0
        replay = Replay(tmp_path / "replay", store_events=False)
        live = create_engine(f"sqlite:///{database}")
        try:
            report = Verification(Verifier.parse(key), replay).run_file(exported)
            assert report.ok, report.problem
            with live.connect() as theirs, replay.ledger.engine.connect() as mine:
                compare_views(theirs, mine)
        finally:
            live.dispose()
            replay.close()

    def test_the_live_database_verifies(self, demo: tuple[Path, Path, str], tmp_path: Path) -> None:
        """`verify --live` on the demo's database: exit 0."""
        database, _, _ = demo
        completed = run(tmp_path, "audit", "verify", "--live", database=database)
        assert completed.returncode == 0, completed.stderr

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            ((), "give either FILE or --live"),
            (("missing.jsonl",), "does not exist"),
            (("--live", "--key", "nonsense"), "not an Ed25519 verifier key"),
        ],
        ids=["nothing", "missing-file", "bad-key"],
    )
    def test_a_wrong_invocation_is_a_usage_error(
        self, tmp_path: Path, args: tuple[str, ...], message: str
    ) -> None:
        """Exit 2 with a one-line reason, never a traceback."""
        completed = run(tmp_path, "audit", "verify", *args)
        assert completed.returncode == 2
        assert message in completed.stderr
        assert "Traceback" not in completed.stderr
