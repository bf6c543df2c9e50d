"""How fast can an auditor export and verify a large log, and how far is that from the floor?

Goals (issue 3): verify a log of 1,000,000 events (leaf hashes, Merkle roots and checkpoint
signatures) in under 5 s, and replay it in full (projections, policies, tallies) at over 50,000
events/s, on the 2-core machine.

The script builds a real log on a fresh SQLite file in a temporary directory: petitions lodged
and opened through the application, then N signatures (2% of them later withdrawn) made by the
real `Signature` aggregate, encoded by the ledger's own mapper and inserted into the event store
in bulk; then `civic projections rebuild`'s code derives every view, the Merkle tree and the
threshold events, and a checkpoint is signed every 10,000 leaves. It then measures:

1. export: `civic audit export`'s code, events/s;
2. the floor, in the same run: reading the export file and hashing each line with SHA-256
   (no parsing): what any hash-based check of this file costs at least;
3. hashing: decoding every event record and computing its RFC 9162 leaf hash, in one process;
4. chain: `civic audit verify` without the replay (leaves, tree, every checkpoint signature and
   root), the figure for the 5 s goal; its ratio to the floor says how much is our overhead;
5. full verify: the same (in a companion process, which also stores the events and builds the
   audit rows of the first ones) plus the replay into a private database, the recount of every
   petition and the comparison with the exported views. The replay's time runs from the start
   to the moment the store is attached and the policies have acted (reading, storing,
   projecting; ADRs 21 and 22); its events/s is the 50,000/s goal.

`--repeat N` verifies N times and reports the median of each phase (the machine is shared).

Run `python benchmarks/audit.py --help`; `--quick` is a smoke run on 20,000 events.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import insert

from application.settings import Settings
from application.system import CivicLedger
from application.transparency import frontier_at
from application.verification import export, export_chunks, hash_chunk, verify_file
from domain.events import Cause
from domain.petition import Petition, Threshold
from domain.signature import Signature

PETITIONS = 20
CHECKPOINT_EVERY = 10_000
INSERT_BATCH = 20_000
WITHDRAWN_SHARE = 50  # one signature in 50 is withdrawn again


@dataclass
class Figures:
    """What one run measured (seconds, and events per second)."""

    events: int
    export_bytes: int
    build_seconds: float
    rebuild_seconds: float
    export_seconds: float
    floor_seconds: float
    hashing_seconds: float
    chain_seconds: float
    verify_seconds: float
    replay_seconds: float

    def rate(self, seconds: float) -> float:
        """Events per second for a phase that took `seconds`."""
        return self.events / seconds if seconds else float("inf")


def cause(actor: str) -> Cause:
    """The envelope of a generated command."""
    return Cause(actor=actor, correlation_id=str(uuid4()))


def build_log(civic: CivicLedger, signatures: int) -> None:
    """Petitions through the application, then `signatures` signature events inserted in bulk."""
    now = datetime.now(UTC)
    petition_ids = [
        civic.petitions.lodge(
            title=f"Petition {n}",
            text="A generated petition for the audit benchmark.",
            deadline=now + timedelta(days=365),
            thresholds=[Threshold(1_000, "debate"), Threshold(10_000, "citizen_vote")],
            cause=cause("citizen:author"),
        )
        for n in range(PETITIONS)
    ]
    for petition_id in petition_ids:
        civic.petitions.decide_admissibility(
            petition_id, admissible=True, cause=Cause("moderator:mo", str(uuid4()), "admissible")
        )
    petitions: list[Petition] = [civic.ledger.repository.get(i) for i in petition_ids]
    ledger = civic.ledger
    table = ledger.events_table
    position = ledger.recorder.max_notification_id() or 0
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        with ledger.transaction() as session:
            session.execute(insert(table), rows)
        rows.clear()

    made = 0
    counts = [0] * PETITIONS
    while made < signatures:
        which = made % PETITIONS
        petition = petitions[which]
        signer = f"citizen:{made}"
        signature = Signature.sign(petition=petition, signer=signer, cause=cause(signer), now=now)
        counts[which] += 1
        # As the live threshold policy does, in the signature's own transaction.
        petition.record_threshold_reached(
            signature_count=counts[which],
            signature_id=str(signature.id),
            cause=Cause("system:thresholds", str(uuid4()), f"{counts[which]} signatures reached"),
        )
        if made % WITHDRAWN_SHARE == 1 and made + 1 < signatures:
            signature.withdraw(petition=petition, cause=cause(signer), now=now)
            counts[which] -= 1
        for event in [*signature.collect_events(), *petition.collect_events()]:
            stored = ledger.mapper.to_stored_event(event)
            position += 1
            made += 1
            rows.append(
                {
                    "id": position,
                    "originator_id": stored.originator_id,
                    "originator_version": stored.originator_version,
                    "topic": stored.topic,
                    "state": stored.state,
                }
            )
        if len(rows) >= INSERT_BATCH:
            flush()
    if rows:
        flush()


def sign_checkpoints(civic: CivicLedger) -> int:
    """A checkpoint every `CHECKPOINT_EVERY` leaves and one at the end, as a server would."""
    with civic.ledger.engine.connect() as connection:
        size = civic.ledger.recorder.max_notification_id() or 0
        sizes = [*range(CHECKPOINT_EVERY, size, CHECKPOINT_EVERY), size]
        roots = [(s, frontier_at(connection, s).root()) for s in sizes]
    for s, root in roots:
        civic.transparency.sign_snapshot(s, root)
    return len(roots)


def floor(path: Path) -> float:
    """Read the file and SHA-256 every line: the least a hash-based check can cost."""
    started = time.perf_counter()
    sha256 = hashlib.sha256
    with path.open("rb") as file:
        for line in file:
            sha256(line).digest()
    return time.perf_counter() - started


def hashing(path: Path) -> float:
    """Decode every event record and compute its leaf hash, in one process, as the chain check's
    workers do (chunks of lines, checked against the recorded hashes)."""
    started = time.perf_counter()
    with path.open("rb") as file:
        for chunk, lines_before in export_chunks(file):
            assert hash_chunk(chunk, lines_before).problem is None
    return time.perf_counter() - started


def run(events: int, workdir: Path, repeat: int = 1) -> Figures:
    """Build, export and verify a log of about `events` events in `workdir`; the reading and
    verifying phases run `repeat` times, and each figure is their median."""
    database = workdir / "bench.sqlite"
    civic = CivicLedger(Settings(f"sqlite:///{database}"))
    try:
        started = time.perf_counter()
        build_log(civic, max(events - 2 * PETITIONS, 1))
        built = time.perf_counter()
        civic.read_models.rebuild()
        rebuilt = time.perf_counter()
        checkpoints = sign_checkpoints(civic)
        log(
            f"built {events:,} events in {built - started:.1f} s, rebuilt the views in "
            f"{rebuilt - built:.1f} s, signed {checkpoints} checkpoints"
        )
        path = workdir / "log.jsonl"
        started = time.perf_counter()
        with path.open("wb") as file:
            exported = export(civic.ledger, civic.transparency, file)
        export_seconds = time.perf_counter() - started
        key = civic.transparency.verifier
    finally:
        civic.close()
    size = path.stat().st_size / 1e6
    log(f"exported {exported:,} events ({size:.0f} MB) in {export_seconds:.1f} s")
    floors, hashings, chains, fulls, replays = [], [], [], [], []
    for _ in range(repeat):
        floors.append(floor(path))
        hashings.append(hashing(path))
        chain = verify_file(path, key, replay=False)
        assert chain.ok, chain.problem
        chains.append(chain.seconds["total"])
        log(f"chain verified in {chains[-1]:.2f} s")
        full = verify_file(path, key)
        assert full.ok, full.problem
        fulls.append(full.seconds["total"])
        replays.append(full.seconds["replay"])
        seconds = ", ".join(f"{name} {value:.2f} s" for name, value in full.seconds.items())
        log(f"verified in full: {seconds}")
    return Figures(
        events=exported,
        export_bytes=path.stat().st_size,
        build_seconds=built - started,
        rebuild_seconds=rebuilt - built,
        export_seconds=export_seconds,
        floor_seconds=statistics.median(floors),
        hashing_seconds=statistics.median(hashings),
        chain_seconds=statistics.median(chains),
        verify_seconds=statistics.median(fulls),
        replay_seconds=statistics.median(replays),
    )


def log(message: str) -> None:
    """Progress on stderr."""
    print(message, file=sys.stderr, flush=True)


def report(figures: Figures) -> str:
    """The figures as a table, with the goals and the ratios to the floor."""
    f = figures
    scale = 1_000_000 / f.events
    rows = [
        ("rebuild of every view (projections, tree, policy)", f.rebuild_seconds),
        ("export", f.export_seconds),
        ("floor: read + SHA-256 per line", f.floor_seconds),
        ("hashing: decode + leaf hash", f.hashing_seconds),
        ("chain: leaves, roots, signatures", f.chain_seconds),
        ("replay: projections + policy in a fresh database", f.replay_seconds),
        ("full verify", f.verify_seconds),
    ]
    lines = [
        f"{f.events:,} events, export {f.export_bytes / 1e6:.0f} MB; "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}",
        f"{'phase':<52}{'seconds':>9}{'events/s':>12}{'s per 1M':>10}{'x floor':>9}",
    ]
    for name, seconds in rows:
        lines.append(
            f"{name:<52}{seconds:>9.2f}{f.rate(seconds):>12,.0f}{seconds * scale:>10.1f}"
            f"{seconds / f.floor_seconds:>9.1f}"
        )
    chain_1m = f.chain_seconds * scale
    replay_rate = f.rate(f.replay_seconds)
    lines += [
        f"goal: chain of 1M events < 5 s: {chain_1m:.1f} s "
        f"({'met' if chain_1m < 5 else 'NOT met'}, {chain_1m / 5:.2f}x the goal)",
        f"goal: replay > 50,000 events/s: {replay_rate:,.0f}/s "
        f"({'met' if replay_rate > 50_000 else 'NOT met'}, {replay_rate / 50_000:.2f}x the goal)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="log size (default 1M)")
    parser.add_argument("--quick", action="store_true", help="a smoke run on 20,000 events")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the files here")
    parser.add_argument(
        "--repeat", type=int, default=1, help="verify this many times, report medians (default 1)"
    )
    options = parser.parse_args(argv)
    events = 20_000 if options.quick else options.events
    if options.workdir is not None:
        options.workdir.mkdir(parents=True, exist_ok=True)
        figures = run(events, options.workdir, options.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="civic-audit-bench-") as directory:
            figures = run(events, Path(directory), options.repeat)
    print(report(figures))
    if options.json is not None:
        options.json.write_text(json.dumps(asdict(figures), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
