"""The demo's second act: the Sillon Lorrain metropolitan pole's steering committee answers a
citizens' petition in a meeting, with a quorum, a recusal and a roll-call decision, and adopts
its participatory charter after two amendments.

Metz, Nancy, Épinal and Thionville pool services through their pole; the committee has colleges
for the public bodies, businesses, associations and citizens. A petition for a single regional
train pass reaches its threshold, is referred to the committee by policy, taken up, decided, and
answered with the decision cited. In the same meeting two members' amendments to the charter are
accepted by decisions (the policy applies them), the charter is adopted and six organisations
sign it. Every step is an ordinary command.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice
from typing import TypeVar
from uuid import UUID, uuid4

import click

from application.system import CivicLedger, utc_now
from domain.account import Role
from domain.charter import AddArticle, Change, Organisation, OrganisationKind, ReplaceArticle
from domain.committee import College, MemberRole, ServesKind
from domain.events import Cause
from domain.majority import Choice, MajorityRule, QuorumRule
from domain.petition import COMMITTEE_AGENDA, CommitteeThreshold

T = TypeVar("T")
REFERRAL = 300  # signatures that put the petition on the committee's agenda
BATCH = 500

COLLEGES = [
    College("public", "Collectivités", 4),
    College("business", "Entreprises", 3),
    College("associations", "Associations", 3),
    College("citizens", "Citoyennes et citoyens", 3),
]
OUTSIDE_TITLE = "Prolonger le Mettis jusqu'à l'hôpital de Mercy"
MEMBERS = [  # name, college, role, vote on the petition (None: absent or recused)
    ("Ville de Metz", "public", MemberRole.CHAIR, Choice.FOR),
    ("Métropole du Grand Nancy", "public", MemberRole.SECRETARY, Choice.FOR),
    ("Ville d'Épinal", "public", MemberRole.MEMBER, Choice.FOR),
    ("Ville de Thionville", "public", MemberRole.MEMBER, None),  # absent
    ("CCI Grand Est", "business", MemberRole.MEMBER, Choice.ABSTAIN),
    ("Transports régionaux lorrains", "business", MemberRole.MEMBER, None),  # recused
    ("Réseau Entreprendre Lorraine", "business", MemberRole.OBSERVER, None),
    ("Lorraine Nature Environnement", "associations", MemberRole.MEMBER, Choice.FOR),
    ("Association des usagers du TER", "associations", MemberRole.MEMBER, Choice.FOR),
    ("Citoyenne tirée au sort (Metz)", "citizens", MemberRole.MEMBER, Choice.FOR),
    ("Citoyen tiré au sort (Nancy)", "citizens", MemberRole.MEMBER, Choice.AGAINST),
]
RECUSED = "Transports régionaux lorrains"
SIGNATORIES = [
    ("Ville de Metz", OrganisationKind.PUBLIC_BODY),
    ("Métropole du Grand Nancy", OrganisationKind.PUBLIC_BODY),
    ("Ville d'Épinal", OrganisationKind.PUBLIC_BODY),
    ("Ville de Thionville", OrganisationKind.PUBLIC_BODY),
    ("CCI Grand Est", OrganisationKind.BUSINESS),
    ("Lorraine Nature Environnement", OrganisationKind.ASSOCIATION),
]
ABSENT = "Ville de Thionville"
TITLE = "Un abonnement TER unique entre Thionville, Metz, Nancy et Épinal"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the act produced, for the report."""

    committee_id: UUID
    petition_id: UUID
    decision_id: UUID
    charter_id: UUID


def _batched(items: Iterable[T], size: int) -> Iterator[Sequence[T]]:
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def _cause(actor: UUID | str, reason: str | None = None) -> Cause:
    return Cause(actor=str(actor), correlation_id=f"demo-{uuid4()}", reason=reason)


def play_sillon(
    civic: CivicLedger,
    rng: random.Random,
    citizens: list[UUID],
    moderator: UUID,
    territories: dict[str, UUID],
) -> Outcome:
    """Create the committee, refer a petition to it, and answer the petition in a meeting;
    refuse a petition addressed to Metz about what its Eurométropole decides."""
    pole = territories["sillon"]
    operator = _cause("system:demo")
    accounts = {
        name: civic.accounts.open(name=name, roles=[Role.COMMITTEE], cause=operator)[0]
        for name, _, _, _ in MEMBERS
    }
    committee_id = civic.committees.create(
        name="Comité de pilotage du Sillon Lorrain",
        serves=ServesKind.ALLIANCE,
        serves_name="Pôle métropolitain du Sillon Lorrain (Metz, Nancy, Épinal, Thionville)",
        colleges=COLLEGES,
        quorum=QuorumRule(per_college=1),
        majority=MajorityRule(),
        cause=operator,
        territory_id=pole,
    )
    start = utc_now().date() - timedelta(days=90)
    for name, college, role, _ in MEMBERS:
        civic.committees.appoint(
            committee_id,
            member=str(accounts[name]),
            college=college,
            role=role,
            start=start,
            cause=operator,
        )

    petition_id = civic.petitions.lodge(
        title=TITLE,
        text=(
            "Nous demandons au pôle métropolitain un abonnement unique valable sur les trains "
            "et les réseaux urbains des quatre villes du Sillon Lorrain."
        ),
        deadline=utc_now() + timedelta(days=180),
        thresholds=[CommitteeThreshold(REFERRAL, COMMITTEE_AGENDA, committee_id)],
        cause=_cause(citizens[0]),
        territory_id=pole,
    )
    civic.petitions.decide_admissibility(petition_id, admissible=True, cause=_cause(moderator))
    signers = rng.sample(citizens, REFERRAL + 40)
    with click.progressbar(length=len(signers), label="Sillon Lorrain signatures") as bar:
        for chunk in _batched(signers, BATCH):
            with civic.ledger.transaction():
                for signer in chunk:
                    civic.petitions.sign(petition_id, signer=str(signer), cause=_cause(signer))
            bar.update(len(chunk))

    chair, secretary = accounts["Ville de Metz"], accounts["Métropole du Grand Nancy"]
    meeting_id = civic.committees.convene(
        committee_id,
        held_on=utc_now().date(),
        agenda=["Point sur la tarification régionale"],
        cause=_cause(chair),
    )
    item = civic.committees.take_up_petition(
        meeting_id, petition_id=petition_id, cause=_cause(chair)
    )
    present = [str(accounts[n]) for n, _, role, _ in MEMBERS if n != ABSENT]
    civic.committees.record_attendance(meeting_id, present=present, cause=_cause(secretary))
    civic.committees.declare_conflict(
        meeting_id,
        item=item,
        cause=_cause(accounts[RECUSED], "l'entreprise exploite des lignes concernées"),
    )
    votes = {str(accounts[n]): choice for n, _, _, choice in MEMBERS if choice is not None}
    decision_id = civic.committees.decide(
        meeting_id,
        item=item,
        votes=votes,
        rationale=(
            "Le comité retient le principe d'un abonnement unique et charge le pôle d'en chiffrer "
            "le coût avec la Région avant le prochain comité."
        ),
        answers=[],
        cause=_cause(chair),
    )
    charter_id = _charter(civic, meeting_id, accounts, votes, pole)
    _outside_competence(civic, citizens[1], moderator, territories["metz"])
    civic.committees.publish_minutes(
        meeting_id,
        text=(
            "Séance ouverte à 18 h. Pétition TER examinée ; décision adoptée. Charte "
            "participative : deux amendements acceptés, charte adoptée. Séance levée."
        ),
        cause=_cause(secretary),
    )
    civic.committees.close_meeting(meeting_id, cause=_cause(chair))
    civic.petitions.respond(
        petition_id,
        text="Le comité de pilotage a adopté le principe d'un abonnement unique ; étude en cours.",
        decision_id=decision_id,
        cause=_cause(chair),
    )
    return Outcome(
        committee_id=committee_id,
        petition_id=petition_id,
        decision_id=decision_id,
        charter_id=charter_id,
    )


def _outside_competence(civic: CivicLedger, citizen: UUID, moderator: UUID, metz: UUID) -> UUID:
    """A petition to Metz about the bus network: the Eurométropole has organised mobility since
    2021, so the city refuses it as outside its competences, naming the Eurométropole."""
    petition_id = civic.petitions.lodge(
        title=OUTSIDE_TITLE,
        text="Nous demandons à la Ville de Metz une ligne Mettis jusqu'à l'hôpital de Mercy.",
        deadline=None,
        thresholds=[],
        cause=_cause(citizen),
        territory_id=metz,
    )
    civic.petitions.decide_admissibility(
        petition_id,
        admissible=False,
        cause=_cause(moderator, "Le réseau de bus et de Mettis relève de l'Eurométropole."),
        outside_competence="mobilite",
    )
    return petition_id


def _charter(
    civic: CivicLedger,
    meeting_id: UUID,
    accounts: dict[str, UUID],
    votes: dict[str, Choice],
    pole: UUID,
) -> UUID:
    """The pole's participatory charter: drafted, two amendments proposed by members, each
    accepted by a decision of the meeting (the policy applies it), then adopted and signed."""
    chair = accounts["Ville de Metz"]
    charter_id = civic.charters.draft(
        title="Charte participative du Sillon Lorrain",
        preamble=(
            "Les collectivités, entreprises, associations et habitants du Sillon Lorrain "
            "s'engagent à décider ensemble de ce qu'ils partagent."
        ),
        articles=[
            "Les projets communs sont présentés au comité de pilotage avant toute décision.",
            "Chaque collège dispose d'un temps de parole égal en séance.",
            "Les décisions du comité sont publiées avec le vote nominatif de chaque membre.",
        ],
        cause=_cause(chair),
        territory_id=pole,
    )
    amendments: list[tuple[UUID, Change, str]] = [
        (
            accounts["Lorraine Nature Environnement"],
            AddArticle(
                "Les données des projets communs sont publiées en données ouvertes, sans "
                "données personnelles."
            ),
            "rendre les projets vérifiables par toutes et tous",
        ),
        (
            accounts["Citoyenne tirée au sort (Metz)"],
            ReplaceArticle(
                article_id=2,
                text=(
                    "Chaque collège dispose d'un temps de parole égal en séance ; les "
                    "citoyennes et citoyens tirés au sort s'expriment en premier."
                ),
            ),
            "donner la parole d'abord à celles et ceux qui n'en ont pas l'habitude",
        ),
    ]
    everyone = {**votes, str(accounts[RECUSED]): Choice.FOR}  # recused on the petition only
    for proposer, change, rationale in amendments:
        amendment_id = civic.charters.propose_amendment(
            charter_id, change=change, rationale=rationale, cause=_cause(proposer)
        )
        item = civic.committees.table_motion(
            meeting_id,
            title=f"Amendement à la charte : {rationale}",
            text=None,
            cause=_cause(proposer),
        )
        civic.committees.decide(
            meeting_id,
            item=item,
            votes=everyone,
            rationale="Amendement accepté.",
            answers=[{"kind": "charter_amendment", "id": str(amendment_id)}],
            cause=_cause(chair),
        )
    item = civic.committees.table_motion(
        meeting_id, title="Adoption de la charte", text=None, cause=_cause(chair)
    )
    adoption = civic.committees.decide(
        meeting_id,
        item=item,
        votes=everyone,
        rationale="La charte amendée est adoptée.",
        answers=[],
        cause=_cause(chair),
    )
    civic.charters.adopt(charter_id, decision_id=adoption, cause=_cause(chair))
    for name, kind in SIGNATORIES:
        civic.charters.sign(
            charter_id,
            organisation=Organisation(id=str(accounts[name]), name=name, kind=kind),
            commitments="Appliquer la charte dans ses propres projets et en rendre compte.",
            cause=_cause(accounts[name]),
        )
    return charter_id


def report_sillon(civic: CivicLedger, outcome: Outcome) -> None:
    """Print the committee, the decision with its named votes, and the petition it answered."""
    names = {str(p.id): p.name for p in civic.accounts.list()}
    committee = civic.committees.get(outcome.committee_id)
    members = civic.committees.members(outcome.committee_id)
    decision = civic.committees.decision(outcome.decision_id)
    petition = civic.petitions.get(outcome.petition_id)
    click.echo(f"  {committee['name']}: {len(members)} members in {len(COLLEGES)} colleges")
    counts = decision["counts"]
    verdict = "adopted" if decision["adopted"] else "rejected"
    click.echo(
        f"    petition « {petition['title']} » ({petition['signature_count']} signatures) "
        f"referred by policy, decided: {verdict}, {counts['for']} for, {counts['against']} "
        f"against, {counts['abstain']} abstaining"
    )
    for member, choice in sorted(decision["votes"].items(), key=lambda v: names.get(v[0], "")):
        click.echo(f"      {names.get(member, member):<36} {choice}")
    click.echo(f"    recused: {RECUSED}; absent: {ABSENT}; the observer does not vote")
    charter = civic.charters.get(outcome.charter_id)
    accepted = civic.charters.amendments(outcome.charter_id, status="accepted")
    signatories = civic.charters.signatories(outcome.charter_id)
    click.echo(
        f"    « {charter['title']} »: version {charter['latest_version']} adopted after "
        f"{len(accepted)} accepted amendments; {len(signatories)} signatories"
    )

    answered = civic.petitions.decisions(outcome.petition_id)
    click.echo(
        f"    GET /petitions/{outcome.petition_id} lists {len(answered)} decision(s) that "
        f"answered it; its response cites {petition['response_decision_id']}"
    )
