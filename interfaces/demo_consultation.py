"""The demo's third act: the Sillon Lorrain's steering committee consults the people of the four
cities on its mobility plan ("plan de mobilité"), then answers them.

An information phase is cut short by decision, three dozen citizens contribute, comment, endorse
and answer the questionnaire, a moderator hides one insulting contribution (it stays in the
log), the consultation closes early for the demo, the synthesis says what was taken up, merged
or set aside, and the official response cites the decision the committee took on it.
"""

from __future__ import annotations

import random
from datetime import timedelta
from uuid import UUID, uuid4

import click

from application.consultations import Reader
from application.system import CivicLedger, utc_now
from domain.account import Role
from domain.consultation import Activity, Outcome, OutcomeKind, Phase
from domain.consultation_contribution import ContributionKind
from domain.consultation_questions import Question, QuestionKind
from domain.events import Cause
from domain.majority import Choice

PROPOSALS = [
    ("Un TER toutes les 30 minutes entre Metz et Nancy aux heures de pointe", "train"),
    ("Des parkings-relais gratuits aux gares de Thionville et d'Épinal", "parking"),
    ("Une piste cyclable continue le long de la Moselle", "velo"),
    ("Un billet unique bus, tram et TER dans les quatre villes", "tarifs"),
    ("Des navettes de nuit le week-end entre Metz et Thionville", "bus"),
    ("Des abris vélos sécurisés dans chaque gare du Sillon", "velo"),
    ("Le covoiturage domicile-travail aidé par le pôle", "covoiturage"),
    ("Une voie réservée aux bus sur l'A31 aux heures de pointe", "bus"),
    ("Des trains directs Épinal-Metz sans changement à Nancy", "train"),
    ("Des horaires de bus calés sur ceux des trains", "bus"),
    ("Des tarifs réduits pour les demandeurs d'emploi", "tarifs"),
    ("Un service de vélos en libre-service à Thionville", "velo"),
]
OBSERVATIONS = [
    ("L'A31 est saturée chaque matin entre Thionville et Metz", "route"),
    ("Les correspondances à Nancy sont trop courtes", "train"),
    ("Il n'y a pas de bus après 21 h dans les communes rurales", "bus"),
    ("Les gares ne sont pas accessibles aux fauteuils roulants", "accessibilite"),
    ("Le prix du TER pèse sur les budgets des étudiants", "tarifs"),
    ("Les pistes cyclables s'arrêtent aux limites des communes", "velo"),
]
INSULT = ("Tous des incapables au pôle métropolitain !", "route")
QUESTIONS = [
    Question(
        "mode",
        "Comment vous déplacez-vous le plus souvent ?",
        QuestionKind.SINGLE,
        (("voiture", "Voiture"), ("train", "Train"), ("bus", "Bus ou tram"), ("velo", "Vélo")),
        required=True,
    ),
    Question(
        "priorites",
        "Classez ces priorités",
        QuestionKind.RANKING,
        (("frequence", "Plus de trains"), ("tarifs", "Des tarifs communs"), ("velo", "Le vélo")),
    ),
    Question(
        "satisfaction",
        "Êtes-vous satisfait·e des transports aujourd'hui ?",
        QuestionKind.SCALE,
        scale_min=1,
        scale_max=5,
    ),
]
RESPONDENTS = 30


def _cause(actor: UUID | str, reason: str | None = None) -> Cause:
    return Cause(actor=str(actor), correlation_id=f"demo-{uuid4()}", reason=reason)


def play_consultation(civic: CivicLedger, committee_id: UUID, territory_id: UUID) -> UUID:
    """Run the consultation from its draft to its official response, with the first acts'
    citizens, moderator and committee; returns its id."""
    rng = random.Random(57_000)  # noqa: S311  # not secret: Metz's postcode, the same demo every time
    accounts = civic.accounts.list()
    citizens = [a.id for a in accounts if Role.CITIZEN in a.roles]
    moderator = next(a.id for a in accounts if Role.MODERATOR in a.roles)
    members = civic.committees.members(committee_id)
    chair = next(m["member"] for m in members if m["role"] == "chair")
    now = utc_now()
    consultation_id = civic.consultations.draft(
        title="Plan de mobilité du Sillon Lorrain",
        description=(
            "Le pôle métropolitain prépare son plan de mobilité. Avant de décider, il demande "
            "aux habitantes et habitants de Metz, Nancy, Épinal et Thionville ce dont ils ont "
            "besoin pour se déplacer."
        ),
        territory=None,  # the territory's name
        territory_id=territory_id,
        committee_id=committee_id,
        opens_at=now,
        phases=[
            Phase("Information", now + timedelta(days=14)),
            Phase("Contributions et questionnaire", now + timedelta(days=60), frozenset(Activity)),
        ],
        questions=QUESTIONS,
        response_days=60,
        cause=_cause(chair),
    )
    civic.consultations.advance_phase(
        consultation_id, cause=_cause(chair, "démonstration : les réunions publiques ont eu lieu")
    )
    people = rng.sample(citizens, RESPONDENTS + 10)
    ideas = [(t, ContributionKind.PROPOSAL, th) for t, th in PROPOSALS]
    ideas += [(t, ContributionKind.OBSERVATION, th) for t, th in OBSERVATIONS]
    ideas += [(t, rng.choice(list(ContributionKind)), th) for t, th in PROPOSALS[:6]]
    contributions: list[UUID] = []
    with civic.ledger.transaction():
        for author, (title, kind, theme) in zip(people, ideas, strict=False):
            contributions.append(
                civic.consultations.contribute(
                    consultation_id,
                    kind=kind,
                    title=title,
                    text=f"{title}. Proposé lors de la concertation.",
                    themes=[theme],
                    cause=_cause(author),
                )
            )
        rude = civic.consultations.contribute(
            consultation_id,
            kind=ContributionKind.OBSERVATION,
            title=INSULT[0],
            text=INSULT[0],
            themes=[INSULT[1]],
            cause=_cause(people[-1]),
        )
        for person in people[:RESPONDENTS]:
            for contribution in rng.sample(contributions, 3):
                civic.consultations.endorse(
                    consultation_id, contribution, participant=str(person), cause=_cause(person)
                )
            civic.consultations.answer(
                consultation_id,
                participant=str(person),
                answers={
                    "mode": rng.choice(["voiture", "voiture", "train", "bus", "velo"]),
                    "priorites": rng.sample(["frequence", "tarifs", "velo"], 3),
                    "satisfaction": rng.randint(1, 5),
                },
                cause=_cause(person),
            )
        for person, contribution in zip(people[:8], contributions, strict=False):
            civic.consultations.comment(
                consultation_id,
                contribution,
                text="Tout à fait d'accord, c'est urgent.",
                cause=_cause(person),
            )
    civic.consultations.moderate_contribution(
        consultation_id, rude, hide=True, cause=_cause(moderator, "propos injurieux (charte §3)")
    )
    civic.consultations.advance_phase(
        consultation_id, cause=_cause(chair, "démonstration : clos sans attendre deux mois")
    )
    civic.consultations.publish_synthesis(
        consultation_id,
        text=(
            "Les habitants demandent d'abord des trains plus fréquents et un billet unique ; le "
            "vélo vient ensuite. Les demandes sur l'A31 relèvent de l'État."
        ),
        outcomes=[
            Outcome(contributions[0], OutcomeKind.TAKEN_UP, "la demande la plus soutenue"),
            Outcome(contributions[3], OutcomeKind.TAKEN_UP, "un billet unique sera étudié"),
            Outcome(contributions[18], OutcomeKind.MERGED, "fusionnée avec le billet unique"),
            Outcome(contributions[7], OutcomeKind.SET_ASIDE, "l'A31 relève de l'État"),
        ],
        cause=_cause(chair),
    )
    decision_id = _decision(civic, committee_id, consultation_id)
    civic.consultations.respond(
        consultation_id,
        text=(
            "Le comité retient la cadence à 30 minutes entre Metz et Nancy et l'étude d'un "
            "billet unique ; il saisit l'État de la voie réservée sur l'A31."
        ),
        decision_ids=[decision_id],
        cause=_cause(chair),
    )
    return consultation_id


def _decision(civic: CivicLedger, committee_id: UUID, consultation_id: UUID) -> UUID:
    """A meeting of the committee decides on the plan, answering the consultation."""
    voters = civic.committees.members(committee_id)
    voting = [m["member"] for m in voters if m["role"] != "observer"]
    chair = next(m["member"] for m in voters if m["role"] == "chair")
    meeting_id = civic.committees.convene(
        committee_id,
        held_on=utc_now().date(),
        agenda=["Plan de mobilité : suites de la concertation"],
        cause=_cause(chair),
    )
    civic.committees.record_attendance(meeting_id, present=voting, cause=_cause(chair))
    return civic.committees.decide(
        meeting_id,
        item=1,
        votes=dict.fromkeys(voting, Choice.FOR),
        rationale="Le plan de mobilité retient les demandes de la concertation.",
        answers=[{"kind": "consultation", "id": str(consultation_id)}],
        cause=_cause(chair),
    )


def report_consultation(civic: CivicLedger, consultation_id: UUID) -> None:
    """Print the consultation's course: contributions, moderation, results and response."""
    view = civic.consultations.get(consultation_id)
    everyone = civic.consultations.contributions(
        consultation_id, reader=Reader(sees_hidden=True), after=None, limit=500
    ).items
    hidden = [c for c in everyone if c["hidden"]]
    click.echo(
        f"  consultation « {view['title']} »: {view['contribution_count']} public contributions, "
        f"{view['hidden_count']} hidden by moderation, {view['answer_count']} answer sets; "
        f"status {view['status']}"
    )
    for c in hidden:
        click.echo(f"    hidden (kept in the log): « {c['title']} »  why: {c['hidden_reason']}")
    top = sorted(everyone, key=lambda c: -c["endorsement_count"])[:3]
    for c in top:
        click.echo(f"    {c['endorsement_count']:>3} endorsements  {c['title']}")
    results = civic.consultations.results(consultation_id)
    mode, ranking, _ = results["questions"]
    click.echo(f"    questionnaire: modes {mode['counts']}; priorities {ranking['ranking']}")
    outcomes = {o["outcome"] for o in view["synthesis_outcomes"]}
    click.echo(
        f"    synthesis names {len(view['synthesis_outcomes'])} contributions "
        f"({', '.join(sorted(outcomes))}); response cites decision "
        f"{view['response_decision_ids'][0]}"
    )
