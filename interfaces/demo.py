"""`civic demo`: Grenoble's citizen-interpellation scheme, played on a fresh SQLite file.

26 petitions are lodged; 16 are refused as outside the municipality's competence, 10 admitted;
three of them reach the 2,000-signature quorum that obliges the city to organise a citizen vote,
and the first such vote is held by majority judgment, in secret, then certified. Then the Sillon
Lorrain metropolitan pole's steering committee answers a petition in a meeting (demo_sillon.py)
and consults the four cities on its mobility plan (demo_consultation.py).
Every step goes through the application's ordinary commands, so the log it leaves is real.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import timedelta
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4

import click

from application.settings import Settings
from application.system import CivicLedger, utc_now
from domain.account import Role
from domain.events import Cause
from domain.petition import Threshold
from domain.vote import Option, VoteRules, citizen_vote_id
from domain.voting.majority_judgment import GRADES
from interfaces.demo_consultation import play_consultation, report_consultation
from interfaces.demo_sillon import Outcome, play_sillon, report_sillon
from interfaces.demo_territories import play_directory, register_territories, report_territories

T = TypeVar("T")
QUORUM = 2_000
BATCH = 500  # commands per transaction while the demo fills the log

ADMITTED = [
    "Des arbres et de l'ombre place Victor-Hugo",
    "Ouvrir les bibliothèques municipales le dimanche",
    "Une cantine 100 % bio dans les écoles de la ville",
    "Des toilettes publiques gratuites au jardin de Ville",
    "Rénover le gymnase du quartier Mistral",
    "Des bancs et des fontaines le long des quais de l'Isère",
    "Un budget participatif pour la Villeneuve",
    "Éclairer le parc Paul-Mistral la nuit",
    "Des jardins partagés sur les délaissés urbains",
    "Une maison des associations à l'Abbaye",
]
# Subjects that Grenoble's deliberating council found outside the municipality's competence.
REFUSED = [
    ("Rouvrir la ligne ferroviaire Grenoble-Gap", "the State and the Region run rail lines"),
    ("Baisser le péage de l'A48", "motorway tolls are set by the State"),
    ("Moins d'élèves par classe au lycée Champollion", "high schools belong to the Region"),
    ("Gratuité du tram pour les étudiants", "public transport is run by the Metropolis"),
    ("Interdire les vols courts à l'aéroport Grenoble-Isère", "air traffic is a State matter"),
    ("Rétablir la police de proximité nationale", "the national police is a State service"),
    ("Une seconde faculté de médecine", "universities are a State competence"),
    ("Élargir la rocade sud", "the ring road belongs to the Department and the State"),
    ("Réduire la TVA sur l'énergie", "taxation is set by Parliament"),
    ("Ouvrir un collège bilingue à Saint-Bruno", "middle schools belong to the Department"),
    ("Reprendre la gestion de l'eau de la Métropole", "water supply is a Metropolis competence"),
    ("Un hôpital de plus dans le sud grenoblois", "hospitals are run by the State health agency"),
    ("Limiter les loyers dans toute l'agglomération", "rent control is decided by the State"),
    ("Fermer la centrale nucléaire du Bugey", "energy policy is a State competence"),
    ("Une ligne de bus de nuit vers Voiron", "bus lines are run by the Metropolis"),
    ("Déneiger les routes du Vercors", "mountain roads belong to the Department"),
]
# Those the Metropolis holds: the refusal names it as the competent territory.
METROPOLIS_COMPETENCES = {
    "Gratuité du tram pour les étudiants": "mobilite",
    "Reprendre la gestion de l'eau de la Métropole": "eau",
}
VOTERS = 1_500
# The citizen vote on the first petition: how to bring shade to the place Victor-Hugo.
VOTE_OPTIONS = (
    Option("platanes", "Planter des platanes autour du bassin"),
    Option("micro-foret", "Une micro-forêt urbaine côté boulevard"),
    Option("pergolas", "Des pergolas végétalisées sur les allées"),
    Option("statu-quo", "Ne rien changer"),
)
# Each option's chance of each grade, best (excellent) to worst (reject): the demo's electorate.
GRADE_WEIGHTS = {
    "platanes": (14, 22, 24, 16, 12, 7, 5),
    "micro-foret": (18, 20, 16, 14, 12, 10, 10),
    "pergolas": (8, 14, 20, 22, 18, 10, 8),
    "statu-quo": (3, 5, 8, 12, 17, 25, 30),
}
SIGNATURES = [2_140, 2_023, 2_001, 1_650, 1_210, 860, 420, 310, 95, 12]  # per admitted petition


def batched(items: Iterable[T], size: int) -> Iterator[Sequence[T]]:
    """`itertools.batched`, which Python 3.11 lacks."""
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def run_demo(database: str) -> None:
    """Play the scenario on a fresh file and print what happened."""
    path = Path(database)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    civic = CivicLedger(Settings(database_url=f"sqlite:///{path}"))
    try:
        territories = register_territories(civic)
        sillon = _play(civic, territories)
        consultation = play_consultation(civic, sillon.committee_id, territories["sillon"])
        play_directory(civic, sillon, territories)
        _report(civic, path, time.perf_counter() - started)  # every act played: the whole log
        report_sillon(civic, sillon)
        report_consultation(civic, consultation)
        report_territories(civic, territories)
    finally:
        civic.close()


def _cause(actor: UUID, reason: str | None = None) -> Cause:
    return Cause(actor=str(actor), correlation_id=f"demo-{uuid4()}", reason=reason)


def _play(civic: CivicLedger, territories: dict[str, UUID]) -> Outcome:
    rng = random.Random(38_000)  # noqa: S311  # not secret: Grenoble's postcode, the same demo every time
    operator = Cause(actor="system:demo", correlation_id=f"demo-{uuid4()}")
    moderator, _ = civic.accounts.open(
        name="Service des pétitions", roles=[Role.MODERATOR], cause=operator
    )
    council, _ = civic.accounts.open(
        name="Comité de suivi des interpellations", roles=[Role.COMMITTEE], cause=operator
    )
    citizens: list[UUID] = []
    with click.progressbar(length=max(SIGNATURES) + 100, label="citizens") as bar:
        for numbers in batched(range(max(SIGNATURES) + 100), BATCH):
            with civic.ledger.transaction():
                for n in numbers:
                    account_id, _ = civic.accounts.open(
                        name=f"Citoyen·ne {n + 1:04d}", roles=[Role.CITIZEN], cause=operator
                    )
                    citizens.append(account_id)
            bar.update(len(numbers))

    deadline = utc_now() + timedelta(days=365)
    thresholds = [Threshold(QUORUM, "citizen_vote")]
    lodgings = [(title, None) for title in ADMITTED] + list(REFUSED)
    rng.shuffle(lodgings)
    admitted: list[UUID] = []
    for n, (title, refusal) in enumerate(lodgings):
        petition_id = civic.petitions.lodge(
            title=title,
            text=f"Nous, habitantes et habitants de Grenoble, demandons : {title.lower()}.",
            deadline=deadline,
            thresholds=thresholds,
            cause=_cause(citizens[n]),
            territory_id=territories["grenoble"],
        )
        if refusal is None:
            civic.petitions.decide_admissibility(
                petition_id, admissible=True, cause=_cause(moderator)
            )
            admitted.append(petition_id)
        else:
            civic.petitions.decide_admissibility(
                petition_id,
                admissible=False,
                cause=_cause(moderator, f"outside the municipality's competence: {refusal}"),
                outside_competence=METROPOLIS_COMPETENCES.get(title),
            )

    order = {title: n for n, title in enumerate(ADMITTED)}
    admitted.sort(key=lambda pid: order[civic.petitions.get(pid)["title"]])
    total = sum(SIGNATURES)
    with click.progressbar(length=total, label="signatures") as bar:
        for petition_id, count in zip(admitted, SIGNATURES, strict=True):
            for chunk in batched(rng.sample(citizens, count), BATCH):
                with civic.ledger.transaction():
                    for signer in chunk:
                        civic.petitions.sign(petition_id, signer=str(signer), cause=_cause(signer))
                bar.update(len(chunk))

    for petition_id in admitted[:3]:
        civic.petitions.respond(
            petition_id,
            text="Le quorum est atteint : la Ville organisera une votation citoyenne.",
            cause=_cause(council),
        )
    _citizen_vote(civic, rng, council, citizens, admitted[0])
    return play_sillon(civic, rng, citizens, moderator, territories)


def _citizen_vote(
    civic: CivicLedger, rng: random.Random, council: UUID, citizens: list[UUID], petition: UUID
) -> None:
    """The vote the first petition's quorum drafted: redrafted as a majority judgment on four
    options, opened, voted in secret, closed and certified."""
    vote_id = citizen_vote_id(petition, QUORUM)
    draft = civic.votes.get(vote_id)
    now = utc_now()
    rules = VoteRules(
        question=f"{draft['question']} : quel projet retenir ?",
        options=VOTE_OPTIONS,
        method="majority_judgment",
        opens_at=now,
        closes_at=now + timedelta(days=14),
        electorate={"kind": "role", "role": "citizen"},
        quorum_share=0.25,
        origin=draft["rules"]["origin"],
    )
    civic.votes.redraft(vote_id, rules=rules, cause=_cause(council, "les options du projet"))
    civic.votes.open(vote_id, cause=_cause(council))
    grades = [grade.key for grade in reversed(GRADES)]  # best first, as GRADE_WEIGHTS
    with click.progressbar(length=VOTERS, label="ballots") as bar:
        for chunk in batched(rng.sample(citizens, VOTERS), BATCH):
            with civic.ledger.transaction():
                for elector in chunk:
                    choice = {
                        option.id: rng.choices(grades, weights=GRADE_WEIGHTS[option.id])[0]
                        for option in VOTE_OPTIONS
                    }
                    civic.votes.cast(
                        vote_id, elector=str(elector), choice=choice, cause=_cause(elector)
                    )
            bar.update(len(chunk))
    reason = "démonstration : clos sans attendre les deux semaines"
    civic.votes.close(vote_id, cause=_cause(council, reason))
    civic.votes.certify(vote_id, cause=_cause(council))


def _names(civic: CivicLedger) -> dict[str, str]:
    return {str(p.id): p.name for p in civic.accounts.list()}


def _all_petitions(civic: CivicLedger) -> Iterator[dict[str, object]]:
    after = None
    while True:
        page = civic.petitions.list(status=None, after=after, limit=100)
        yield from page.items
        if page.next is None:
            return
        after = page.next


def _report(civic: CivicLedger, path: Path, seconds: float) -> None:
    names = _names(civic)
    petitions = list(_all_petitions(civic))
    by_status: dict[str, int] = {}
    for p in petitions:
        by_status[str(p["status"])] = by_status.get(str(p["status"]), 0) + 1
    positions = civic.ledger.recorder.max_notification_id() or 0
    click.echo()
    click.echo(f"Grenoble's petitions and the Sillon Lorrain, played on {path} in {seconds:.1f} s")
    click.echo(f"  {len(petitions)} lodged: " + ", ".join(f"{n} {s}" for s, n in by_status.items()))
    click.echo(f"  {positions} events in the log")
    click.echo(f"  petitions that reached the {QUORUM:,}-signature quorum (citizen vote due):")
    for p in petitions:
        reached = [
            t
            for t in p["thresholds"]  # type: ignore[attr-defined]
            if t["reached_at"] and t["consequence"] == "citizen_vote"
        ]
        if reached:
            click.echo(f"    {p['signature_count']:>6,} signatures  {p['title']}")
    rejection = civic.audit.events(event_type="Petition.AdmissibilityDecided", limit=100).items
    click.echo(
        "  from the audit trail, a rejection, and each quorum with the signature that reached it:"
    )
    entries = [next(e for e in rejection if e["data"]["admissible"] is False)]
    entries += civic.audit.events(event_type="Petition.ThresholdReached", limit=10).items
    for entry in entries:
        _print_entry(entry, names)
        if entry["type"] == "Petition.ThresholdReached":
            for caused in civic.audit.events(correlation_id=entry["correlation_id"]).items:
                if caused["position"] != entry["position"]:
                    _print_entry(caused, names, indent="      reached by ")
    _report_vote(civic)
    click.echo("  the tail of the audit trail:")
    for entry in civic.audit.events(after=max(positions - 4, 0), limit=4).items:
        _print_entry(entry, names)


def _report_vote(civic: CivicLedger) -> None:
    vote = civic.votes.list(status="certified", after=None, limit=1).items[0]
    result = vote["result"]
    labels = {o["id"]: o["label"] for o in vote["rules"]["options"]}
    click.echo(f"  citizen vote by majority judgment: {vote['question']}")
    click.echo(
        f"    {vote['ballot_count']:,} secret ballots of {vote['electorate_size']:,} electors "
        f"(quorum {vote['quorum']:,}): {vote['outcome']}"
    )
    for rank, group in enumerate(result["ranking"], start=1):
        for option in group:
            grade = result["detail"]["majority_grades"][option]
            click.echo(f"    {rank}. {labels[option]:<42} majority grade: {grade}")


def _print_entry(entry: dict[str, Any], names: dict[str, str], indent: str = "    ") -> None:
    actor = names.get(entry["actor"], entry["actor"])
    reason = f"  why: {entry['reason']}" if entry["reason"] else ""
    click.echo(
        f"{indent}#{entry['position']:<6} {entry['timestamp']:%Y-%m-%d %H:%M:%S}  "
        f"{entry['type']:<26} by {actor}{reason}  [{entry['correlation_id']}]"
    )
