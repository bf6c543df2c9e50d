"""The demo's fourth act: the Sillon Lorrain's territories, their competences over time, and the
directory of the actors of its ecosystem.

The pole groups the intercommunalities of Metz, Nancy, Thionville and Épinal; the Region and its
departments hold their own competences; two road networks move from the cities to their new
metropolises on their legal dates. Thirty organisations are registered with their know-how,
equipment, topics and problems; a partnership linked to the pole's charter is recorded; the
decision-makers' view matches one problem with the know-how on offer. Every step is an ordinary
command.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import click

from application.system import CivicLedger
from domain.account import Role
from domain.events import Cause
from domain.organisation import OrganisationKind, Section
from domain.territory import TerritoryKind
from interfaces.demo_sillon import Outcome

PUBLIC, BUSINESS, ASSOCIATION, RESEARCH, CITIZENS = (
    OrganisationKind.PUBLIC_BODY,
    OrganisationKind.BUSINESS,
    OrganisationKind.ASSOCIATION,
    OrganisationKind.RESEARCH_EDUCATION,
    OrganisationKind.CITIZEN_GROUP,
)
# key, name, kind, members (keys registered before)
TERRITORIES = [
    ("metz", "Metz", TerritoryKind.COMMUNE, []),
    ("nancy", "Nancy", TerritoryKind.COMMUNE, []),
    ("thionville", "Thionville", TerritoryKind.COMMUNE, []),
    ("epinal", "Épinal", TerritoryKind.COMMUNE, []),
    ("grenoble", "Grenoble", TerritoryKind.COMMUNE, []),
    ("gam", "Grenoble-Alpes Métropole", TerritoryKind.INTERCOMMUNALITY, ["grenoble"]),
    ("em", "Eurométropole de Metz", TerritoryKind.INTERCOMMUNALITY, ["metz"]),
    ("gn", "Métropole du Grand Nancy", TerritoryKind.INTERCOMMUNALITY, ["nancy"]),
    ("pf", "Communauté d'agglomération Portes de France-Thionville", TerritoryKind.INTERCOMMUNALITY,
     ["thionville"]),
    ("cae", "Communauté d'agglomération d'Épinal", TerritoryKind.INTERCOMMUNALITY, ["epinal"]),
    ("moselle", "Moselle", TerritoryKind.DEPARTMENT, ["em", "pf"]),
    ("mm", "Meurthe-et-Moselle", TerritoryKind.DEPARTMENT, ["gn"]),
    ("vosges", "Vosges", TerritoryKind.DEPARTMENT, ["cae"]),
    ("ge", "Région Grand Est", TerritoryKind.REGION, ["moselle", "mm", "vosges"]),
    ("sillon", "Pôle métropolitain du Sillon Lorrain", TerritoryKind.METROPOLITAN_POLE,
     ["em", "gn", "pf", "cae"]),
]  # fmt: skip
NOTRE = "loi NOTRe du 7 août 2015"
LOM = "loi d'orientation des mobilités (LOM) du 24 décembre 2019"
DEFFERRE = "loi du 22 juillet 1983 (répartition des compétences)"
MAPTAM = "loi MAPTAM du 27 janvier 2014"
# territory keys, competence, label, law, since
COMPETENCES = [
    (["metz", "nancy", "thionville", "epinal", "grenoble"], "ecoles",
     "Écoles maternelles et élémentaires", DEFFERRE, date(1983, 7, 22)),
    (["metz", "nancy"], "voirie", "Voirie communale", None, date(1982, 3, 2)),
    (["em", "gn", "pf", "cae", "gam"], "mobilite", "Organisation de la mobilité (AOM)", LOM,
     date(2021, 7, 1)),
    (["em", "gn", "pf", "cae"], "dechets", "Collecte et traitement des déchets ménagers", NOTRE,
     date(2017, 1, 1)),
    (["moselle", "mm", "vosges"], "colleges", "Collèges", DEFFERRE, date(1986, 1, 1)),
    (["moselle", "mm", "vosges"], "action-sociale", "Action sociale et RSA", None,
     date(2004, 1, 1)),
    (["ge"], "developpement-economique", "Développement économique (SRDEII)", NOTRE,
     date(2016, 1, 1)),
    (["ge"], "lycees", "Lycées", DEFFERRE, date(1986, 1, 1)),
    (["ge"], "transport-ferroviaire", "Transport ferroviaire régional (TER)", NOTRE,
     date(2017, 1, 1)),
    (["gam"], "eau", "Eau potable et assainissement", MAPTAM, date(2015, 1, 1)),
    (["sillon"], "attractivite", "Promotion et attractivité du territoire", MAPTAM,
     date(2014, 1, 27)),
]  # fmt: skip
TRANSFERS = [  # from, to, competence, on, reason
    ("nancy", "gn", "voirie", date(2016, 7, 1),
     "le Grand Nancy devient métropole (décret du 20 avril 2016)"),
    ("metz", "em", "voirie", date(2018, 1, 1),
     "Metz Métropole devient métropole (décret du 20 avril 2017)"),
]  # fmt: skip
# name, kind, territory, core business, [(section, text, tags)]
Entries = list[tuple[Section, str, list[str]]]
ORGANISATIONS: list[tuple[str, OrganisationKind, str, str, Entries]] = [
    ("Université de Lorraine", RESEARCH, "nancy", "Enseignement supérieur et recherche", [
        (Section.KNOW_HOW, "Transfert de technologie vers les PME", ["innovation", "industrie"]),
        (Section.EQUIPMENT, "Plateformes d'essais matériaux", ["materiaux"]),
        (Section.TOPIC, "Vallée de l'hydrogène", ["hydrogene"])]),
    ("Institut Jean Lamour", RESEARCH, "nancy", "Science des matériaux", [
        (Section.KNOW_HOW, "Stockage de l'hydrogène", ["hydrogene", "energie"]),
        (Section.TOPIC, "Matériaux décarbonés", ["materiaux", "climat"])]),
    ("LORIA", RESEARCH, "nancy", "Recherche en informatique", [
        (Section.KNOW_HOW, "Audit de cybersécurité", ["cyber", "numerique"]),
        (Section.TOPIC, "Données ouvertes des collectivités", ["donnees"])]),
    ("Georgia Tech Lorraine", RESEARCH, "metz", "Ingénierie, campus de Metz", [
        (Section.KNOW_HOW, "Réseaux électriques intelligents", ["energie", "numerique"])]),
    ("CentraleSupélec Metz", RESEARCH, "metz", "Formation d'ingénieurs", [
        (Section.KNOW_HOW, "Cybersécurité des systèmes industriels", ["cyber", "industrie"])]),
    ("Lycée Fabert", RESEARCH, "metz", "Lycée et classes préparatoires", [
        (Section.TOPIC, "Orientation vers les sciences", ["formation"])]),
    ("ENSTIB", RESEARCH, "epinal", "École nationale supérieure des technologies du bois", [
        (Section.KNOW_HOW, "Construction bois", ["bois", "batiment"]),
        (Section.EQUIPMENT, "Halle d'essais bois", ["bois"])]),
    ("CCI Grand Est", PUBLIC, "metz", "Chambre de commerce et d'industrie", [
        (Section.KNOW_HOW, "Accompagnement à l'export", ["export"]),
        (Section.TOPIC, "Reprise d'entreprises", ["entreprendre"])]),
    ("ALEC du Pays Messin", PUBLIC, "metz", "Agence locale de l'énergie et du climat", [
        (Section.KNOW_HOW, "Conseil en rénovation énergétique", ["energie", "batiment"]),
        (Section.TOPIC, "Sobriété énergétique", ["climat", "energie"])]),
    ("Agence d'urbanisme Agape", PUBLIC, "thionville", "Études urbaines et transfrontalières", [
        (Section.KNOW_HOW, "Observation des mobilités transfrontalières", ["mobilite", "donnees"]),
        (Section.TOPIC, "Travailleurs frontaliers", ["mobilite"])]),
    ("Pôle emploi Thionville", PUBLIC, "thionville", "Service public de l'emploi", [
        (Section.KNOW_HOW, "Recrutement par simulation", ["recrutement"])]),
    ("Office de tourisme d'Épinal", PUBLIC, "epinal", "Promotion touristique", [
        (Section.TOPIC, "Tourisme vert dans les Vosges", ["tourisme"])]),
    ("Arcelor Florange", BUSINESS, "thionville", "Sidérurgie", [
        (Section.PROBLEM, "Décarboner les hauts fourneaux", ["hydrogene", "energie"]),
        (Section.EQUIPMENT, "Laboratoire d'analyse des aciers", ["materiaux"])]),
    ("Start-up H2 Moselle", BUSINESS, "metz", "Électrolyseurs compacts", [
        (Section.PROBLEM, "Trouver un site d'essai", ["hydrogene"]),
        (Section.TOPIC, "Mobilité hydrogène", ["hydrogene", "mobilite"])]),
    ("Transports Le Met'", BUSINESS, "metz", "Réseau de bus et Mettis", [
        (Section.PROBLEM, "Recruter des conducteurs", ["recrutement"]),
        (Section.TOPIC, "Bus à hydrogène", ["hydrogene", "mobilite"])]),
    ("Scierie des Vosges", BUSINESS, "epinal", "Sciage et bois d'œuvre", [
        (Section.PROBLEM, "Valoriser les connexes de scierie", ["bois", "recyclage"]),
        (Section.EQUIPMENT, "Séchoirs à bois", ["bois"])]),
    ("Boulangeries Fève", BUSINESS, "epinal", "Boulangerie artisanale", [
        (Section.PROBLEM, "Facture d'énergie des fours", ["energie"])]),
    ("Data Lorraine", BUSINESS, "nancy", "Hébergement de données", [
        (Section.KNOW_HOW, "Hébergement souverain", ["numerique", "donnees"]),
        (Section.PROBLEM, "Chaleur fatale des serveurs", ["energie", "recyclage"])]),
    ("Imprimerie Solidaire", BUSINESS, "thionville", "Imprimerie", [
        (Section.PROBLEM, "Rançongiciel en 2025", ["cyber"])]),
    ("Recyclerie du Sillon", ASSOCIATION, "metz", "Réemploi et recyclage", [
        (Section.KNOW_HOW, "Réemploi des matériaux", ["recyclage", "materiaux"]),
        (Section.EQUIPMENT, "Atelier de réparation", ["recyclage"])]),
    ("Lorraine Nature Environnement", ASSOCIATION, "nancy", "Protection de la nature", [
        (Section.KNOW_HOW, "Inventaires de biodiversité", ["biodiversite"]),
        (Section.TOPIC, "Trames vertes", ["biodiversite", "climat"])]),
    ("Association des usagers du TER", ASSOCIATION, "metz", "Défense des usagers", [
        (Section.PROBLEM, "Correspondances manquées à Nancy", ["mobilite"])]),
    ("Compagnons bâtisseurs", ASSOCIATION, "nancy", "Auto-réhabilitation accompagnée", [
        (Section.KNOW_HOW, "Chantiers participatifs", ["batiment", "insertion"]),
        (Section.PROBLEM, "Isoler les logements anciens", ["energie", "batiment"])]),
    ("Vélo Épinal", ASSOCIATION, "epinal", "Promotion du vélo", [
        (Section.TOPIC, "Véloroute Moselle", ["mobilite", "tourisme"])]),
    ("Jardins de Cocagne Thionville", ASSOCIATION, "thionville", "Maraîchage d'insertion", [
        (Section.KNOW_HOW, "Insertion par l'activité", ["insertion"]),
        (Section.PROBLEM, "Irrigation en été", ["eau"])]),
    ("Conseil citoyen de Borny", CITIZENS, "metz", "Quartier prioritaire de Metz", [
        (Section.PROBLEM, "Logements mal isolés", ["energie", "batiment"])]),
    ("Collectif Zéro Déchet Nancy", CITIZENS, "nancy", "Réduction des déchets", [
        (Section.TOPIC, "Composteurs de quartier", ["recyclage"])]),
    ("Habitants de la Côte des Roses", CITIZENS, "thionville", "Comité de quartier", [
        (Section.PROBLEM, "Pas de bus le dimanche", ["mobilite"])]),
    ("Fab Lab Épinal", CITIZENS, "epinal", "Atelier de fabrication numérique", [
        (Section.EQUIPMENT, "Imprimantes 3D et découpe laser", ["numerique", "industrie"])]),
    ("Régie des eaux de Thionville", PUBLIC, "thionville", "Eau potable", [
        (Section.KNOW_HOW, "Gestion économe de l'eau", ["eau"])]),
]  # fmt: skip
SHOWN_PROBLEM = "Décarboner les hauts fourneaux"


def _cause(actor: UUID, reason: str | None = None) -> Cause:
    return Cause(actor=str(actor), correlation_id=f"demo-{uuid4()}", reason=reason)


def register_territories(civic: CivicLedger) -> dict[str, UUID]:
    """Register the territories and their competences, first: every petition, vote, committee,
    consultation and charter of the demo names its own. Returns their ids by key."""
    operator = Cause(actor="system:demo", correlation_id=f"demo-{uuid4()}")
    sig, _ = civic.accounts.open(
        name="Service SIG du Sillon Lorrain", roles=[Role.ADMIN], cause=operator
    )
    ids: dict[str, UUID] = {}
    for key, name, kind, members in TERRITORIES:
        ids[key] = civic.territories.register(
            name=name, kind=kind, members=[ids[m] for m in members], cause=_cause(sig)
        )
    for keys, competence, label, law, since in COMPETENCES:
        for key in keys:
            civic.territories.add_competence(
                ids[key],
                competence=competence,
                label=label,
                law=law,
                since=since,
                cause=_cause(sig),
            )
    for giver, receiver, competence, on, reason in TRANSFERS:
        civic.territories.transfer_competence(
            ids[giver], competence=competence, to=ids[receiver], on=on, cause=_cause(sig, reason)
        )
    return ids


def play_directory(civic: CivicLedger, sillon: Outcome, ids: dict[str, UUID]) -> None:
    """Register the directory's organisations and their entries, and a partnership under the
    pole's charter."""
    operator = Cause(actor="system:demo", correlation_id=f"demo-{uuid4()}")
    agency, _ = civic.accounts.open(
        name="Agence d'attractivité du Sillon Lorrain", roles=[Role.COMMITTEE], cause=operator
    )
    organisations: dict[str, UUID] = {}
    with civic.ledger.transaction():
        for name, org_kind, where, core, entries in ORGANISATIONS:
            organisation_id = civic.organisations.register(
                name=name, kind=org_kind, territory_id=ids[where], core_business=core,
                cause=_cause(agency),
            )  # fmt: skip
            organisations[name] = organisation_id
            for section, text, tags in entries:
                civic.organisations.add_entry(
                    organisation_id, section=section, text=text, tags=tags, cause=_cause(agency)
                )
    civic.organisations.change_entry(
        organisations["Boulangeries Fève"],
        1,
        text="Facture d'énergie des fours, multipliée par trois depuis 2022",
        tags=["energie", "batiment"],
        cause=_cause(agency),
    )
    civic.organisations.record_partnership(
        organisations["Institut Jean Lamour"],
        partners=[organisations["Arcelor Florange"], organisations["Start-up H2 Moselle"]],
        name="Vallée de l'hydrogène du Sillon Lorrain",
        objectives=[
            "Un démonstrateur d'acier décarboné à Florange",
            "Une station de recharge hydrogène pour les bus de Metz",
        ],
        starts_on=date(2026, 1, 1),
        ends_on=date(2029, 12, 31),
        charter_id=sillon.charter_id,
        committee_id=sillon.committee_id,
        cause=_cause(agency),
    )


def report_territories(civic: CivicLedger, ids: dict[str, UUID]) -> None:
    """Print the competences moved, the holder rule, and the ecosystem's matching."""
    click.echo("  the Sillon Lorrain's territories and the actors of its ecosystem:")
    before, after = date(2017, 12, 31), date(2018, 1, 1)
    for day in (before, after):
        held = [
            c["competence"] for c in civic.territories.get(ids["metz"], as_of=day)["competences"]
        ]
        click.echo(f"    Metz holds on {day}: {', '.join(held)}")
    for key, competence in (("metz", "lycees"), ("sillon", "ecoles"), ("metz", "voirie")):
        answer = civic.territories.holder(ids[key], competence, on=after)
        name = civic.territories.get(ids[key])["name"]
        holders = ", ".join(f"{h['name']} ({h['relation']})" for h in answer["holders"]) or "none"
        click.echo(f"    who holds {competence!r} for {name}? {holders}")
    for key in ("grenoble", "sillon"):
        listed = civic.petitions.list(status=None, after=None, limit=1000, territory_id=ids[key])
        name = civic.territories.get(ids[key])["name"]
        click.echo(f"    petitions addressed to {name} or its members: {len(listed.items)}")
    refused = civic.petitions.list(
        status="rejected", after=None, limit=1000, territory_id=ids["metz"]
    )
    for petition in refused.items:
        grounds = petition["outside_competence"]
        competent = ", ".join(f"{c['name']} ({c['relation']})" for c in grounds["competent"])
        click.echo(
            f"    « {petition['title']} » to Metz: rejected as outside its competences "
            f"({grounds['competence']}: {grounds['label']}); competent: {competent}"
        )
    eco = civic.territories.ecosystem(ids["sillon"])
    kinds = ", ".join(f"{n} {k}" for k, n in eco["by_kind"].items())
    top = sorted(eco["by_topic"].items(), key=lambda item: (-item[1], item[0]))[:4]
    click.echo(
        f"    {eco['organisations']} organisations in {eco['territories']} territories: {kinds}"
    )
    click.echo("    topics most shared: " + ", ".join(f"{t} ({n})" for t, n in top))
    lab = civic.organisations.search(know_how="hydrogene", territory=ids["sillon"]).items[0]
    for partnership in civic.organisations.partnerships(lab["id"]):
        partners = ", ".join(p["name"] for p in partnership["partners"])
        charter = civic.charters.get(partnership["charter_id"])["title"]
        click.echo(
            f"    partnership {partnership['name']!r} ({partners}), under the charter {charter!r}"
        )
    problem = next(p for p in eco["problems"] if p["text"] == SHOWN_PROBLEM)
    click.echo(f"    problem of {problem['organisation']}: {problem['text']} {problem['tags']}")
    for offer in problem["offered_by"]:
        click.echo(f"      know-how offered by {offer['name']} ({offer['kind']}): {offer['tags']}")
