"""The Finnish demo network that `flask seed-demo` loads: realistic boards with history."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from lean.a3.demo import seed_a3_demo
from lean.boards import services
from lean.boards.checklist_demo import seed_checklist_demo
from lean.boards.files_demo import seed_files_demo
from lean.boards.limits_demo import seed_limits_demo
from lean.core.extensions import db
from lean.kaizen.services import log_kaizen
from lean.models import (
    Event,
    Improvement,
    Membership,
    Organization,
    Stage,
    Team,
    TeamRole,
    Theme,
    User,
)
from lean.models.base import utcnow
from lean.network.demo import seed_network_demo
from lean.shared.events import EventKind
from lean.standups.demo import seed_standups_demo

DEMO_PASSWORD = "Vertaa-demo-2026"
# One demo user per role, for the README, the screenshots and the browser tests.
DEMO_LOGINS = {
    "member": "maija.jasen@vertaa.example",
    "supervisor": "sanna.esihenkilo@vertaa.example",
    "coordinator": "kaisa.koordinaattori@vertaa.example",
    "admin": "admin@vertaa.example",
}

ORGANIZATIONS: dict[str, dict[str, Any]] = {
    "Järvilaakson koulutuskuntayhtymä": {
        "coordinating": True,
        "teams": ["Opintotoimisto", "Rakennusalan koulutus", "Sosiaali- ja terveysala"],
    },
    "Rannikon ammattiopisto": {
        "coordinating": False,
        "teams": ["Opiskelijapalvelut", "Tekniikan koulutus", "Hyvinvointiala"],
    },
    "Pohjoisen osaamiskeskus": {
        "coordinating": False,
        "teams": ["Hakeutumispalvelut", "Logistiikan koulutus"],
    },
}

# email, name, organization, team roles, coordinator, admin
PEOPLE = [
    (
        "maija.jasen@vertaa.example",
        "Maija Virtanen",
        0,
        {"Opintotoimisto": "member", "Sosiaali- ja terveysala": "member"},
        False,
        False,
    ),
    (
        "sanna.esihenkilo@vertaa.example",
        "Sanna Korhonen",
        0,
        {"Opintotoimisto": "supervisor"},
        False,
        False,
    ),
    ("kaisa.koordinaattori@vertaa.example", "Kaisa Mäkinen", 0, {}, True, False),
    ("admin@vertaa.example", "Antti Ylläpitäjä", 0, {}, False, True),
    (
        "pekka.rannikko@vertaa.example",
        "Pekka Nieminen",
        1,
        {"Opiskelijapalvelut": "member"},
        False,
        False,
    ),
    (
        "juha.rakennus@vertaa.example",
        "Juha Heikkinen",
        0,
        {"Rakennusalan koulutus": "supervisor", "Opintotoimisto": "member"},
        False,
        False,
    ),
    (
        "leena.sote@vertaa.example",
        "Leena Laine",
        0,
        {"Sosiaali- ja terveysala": "supervisor"},
        False,
        False,
    ),
    (
        "mikko.opettaja@vertaa.example",
        "Mikko Järvinen",
        0,
        {"Rakennusalan koulutus": "member"},
        False,
        False,
    ),
    (
        "tiina.rannikko@vertaa.example",
        "Tiina Lehtonen",
        1,
        {"Opiskelijapalvelut": "supervisor", "Tekniikan koulutus": "member"},
        True,
        False,
    ),
    (
        "ville.tekniikka@vertaa.example",
        "Ville Salminen",
        1,
        {"Tekniikan koulutus": "supervisor"},
        False,
        False,
    ),
    (
        "aino.hyvinvointi@vertaa.example",
        "Aino Koskinen",
        1,
        {"Hyvinvointiala": "supervisor"},
        False,
        False,
    ),
    (
        "olli.pohjoinen@vertaa.example",
        "Olli Mattila",
        2,
        {"Hakeutumispalvelut": "supervisor", "Logistiikan koulutus": "member"},
        True,
        False,
    ),
    (
        "riikka.logistiikka@vertaa.example",
        "Riikka Hämäläinen",
        2,
        {"Logistiikan koulutus": "supervisor"},
        False,
        False,
    ),
]

# title, theme key, stage, days in the stage, due in days (negative: overdue), blocked reason, problem
CARDS = [
    (
        "Opiskelijan asiointi yhdellä yhteydenotolla",
        "service_process",
        "idea",
        3,
        None,
        "",
        "Opiskelija ohjataan nyt kolmen eri palvelupisteen välillä ennen kuin asia ratkeaa.",
    ),
    (
        "Palautekysely jokaisen asioinnin jälkeen",
        "service_process",
        "idea",
        8,
        None,
        "",
        "Emme tiedä, saako opiskelija samanlaista palvelua kaikilla aloilla.",
    ),
    (
        "Esihenkilöiden muutosvalmennus",
        "change_leadership",
        "idea",
        1,
        None,
        "",
        "Uudet esihenkilöt eivät ole saaneet tukea muutosten johtamiseen.",
    ),
    (
        "Viikkopalaverin rakenne tiimeille",
        "change_leadership",
        "plan",
        12,
        10,
        "",
        "Palaverit venyvät eikä päätöksiä kirjata.",
    ),
    (
        "HOKS-päivitysten jonon purku",
        "service_process",
        "plan",
        20,
        -5,
        "Odotamme rehtorin päätöstä lisäresurssista.",
        "Henkilökohtaistamisen suunnitelmien päivitys on jonossa kuukauden.",
    ),
    (
        "Ennakointikatsaus työelämäyhteistyöstä",
        "change_leadership",
        "do",
        9,
        21,
        "",
        "Työelämän muutostarpeet tulevat tietoon liian myöhään.",
    ),
    (
        "Yhteinen ohjausmalli kaikille aloille",
        "service_process",
        "do",
        25,
        -2,
        "",
        "Ohjauksen laatu vaihtelee aloittain.",
    ),
    (
        "Jaettu vastuu tiimin aamupalaverista",
        "change_leadership",
        "check",
        6,
        7,
        "",
        "Esihenkilö vetää kaikki palaverit itse.",
    ),
    (
        "Todistusten toimitusaika puoleen",
        "service_process",
        "check",
        15,
        None,
        "Mittausdata puuttuu kahdelta alalta.",
        "Todistuksen saaminen kestää kaksi viikkoa.",
    ),
    (
        "Pedagogisen mallin vastuutaulukko",
        "service_process",
        "act",
        4,
        30,
        "",
        "Kukaan ei tiedä, kuka omistaa mallin osat.",
    ),
    (
        "Perehdytyskansio uusille opettajille",
        "change_leadership",
        "done",
        40,
        None,
        "",
        "Uudet opettajat kysyvät samoja asioita.",
    ),
    (
        "Opintotoimiston aukioloajat näkyviin",
        "service_process",
        "done",
        70,
        None,
        "",
        "Opiskelijat tulivat suljetulle ovelle.",
    ),
]

STAGE_PATH = ["idea", "plan", "do", "check", "act", "done"]

# title, theme key, before, after, effect, hours saved per month, days ago
KAIZENS = [
    (
        "Tulostin opintotoimiston viereen",
        "service_process",
        "Todistukset haettiin toisesta kerroksesta.",
        "Tulostin siirrettiin palvelupisteen viereen.",
        "Asiakas odottaa 3 minuuttia vähemmän.",
        "4",
        2,
    ),
    (
        "Aamupalaverin taulu käytävälle",
        "change_leadership",
        "Palaverin asiat olivat vain esihenkilön muistiossa.",
        "Taulu on käytävällä, kaikki näkevät sovitut asiat.",
        "Vähemmän kyselyjä päivän aikana.",
        "2",
        5,
    ),
    (
        "Yhteinen sähköpostipohja hakijoille",
        "service_process",
        "Jokainen kirjoitti vastaukset itse.",
        "Valmis pohja kolmella kielellä.",
        "Vastaukset yhtenäisiä kaikilla aloilla.",
        "6",
        9,
    ),
    (
        "Työmaavaatteiden koot listaan",
        "service_process",
        "Opiskelijat sovittivat vaatteita varastolla.",
        "Koot kysytään ilmoittautumisessa.",
        "",
        "3",
        14,
    ),
    (
        "Vuorovastuu tiimin viikkotiedotteesta",
        "change_leadership",
        "Esihenkilö kirjoitti tiedotteen aina itse.",
        "Tiimiläiset kirjoittavat vuorollaan.",
        "Jaettu johtajuus näkyy arjessa.",
        None,
        21,
    ),
    (
        "Ohjauskeskustelun muistilista",
        "service_process",
        "Ohjauskeskustelut vaihtelivat opettajittain.",
        "Yhteinen muistilista kaikille aloille.",
        "Opiskelija saa saman ohjauksen alasta riippumatta.",
        "5",
        35,
    ),
]


def seed_demo() -> None:
    themes = {theme.key: theme for theme in db.session.scalars(select(Theme))}
    organizations, teams = [], {}
    for name, spec in ORGANIZATIONS.items():
        organization = Organization(name=name, is_coordinating=spec["coordinating"])
        db.session.add(organization)
        organizations.append(organization)
        for team_name in spec["teams"]:
            teams[team_name] = Team(name=team_name, organization=organization)
            db.session.add(teams[team_name])

    people = []
    for email, name, org_index, roles, coordinator, admin in PEOPLE:
        user = User(
            email=email,
            name=name,
            organization=organizations[org_index],
            is_coordinator=coordinator,
            is_admin=admin,
            language="fi",
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        people.append(user)
        for team_name, role in roles.items():
            db.session.add(Membership(user=user, team=teams[team_name], role=TeamRole(role)))
    db.session.flush()

    now = utcnow()
    for team_index, team in enumerate(teams.values()):
        members = [m.user for m in team.memberships] or people[:1]
        # Each team gets most of the cards, so every board is alive and no two are alike.
        for card_index, (title, theme_key, stage, days, due, blocked, problem) in enumerate(CARDS):
            if (card_index + team_index) % 5 == 4:
                continue
            owner = members[card_index % len(members)]
            improvement = services.create_improvement(
                owner, team, title=title, theme=themes[theme_key], problem=problem, owner=owner
            )
            _replay_history(improvement, owner, stage, days, now)
            _fill_fields(improvement, stage, due, blocked, now)
        for kaizen_index, (title, theme_key, before, after, effect, hours, days_ago) in enumerate(
            KAIZENS
        ):
            if (kaizen_index + team_index) % 4 == 3:
                continue
            log_kaizen(
                members[kaizen_index % len(members)],
                team,
                title=title,
                before=before,
                after=after,
                effect=effect,
                theme=themes[theme_key],
                hours_saved_per_month=Decimal(hours) if hours else None,
                done_on=(now - timedelta(days=days_ago)).date(),
            )
    seed_standups_demo(teams["Opintotoimisto"])
    seed_a3_demo()
    seed_network_demo()
    seed_checklist_demo(teams["Opintotoimisto"])
    seed_files_demo(teams["Opintotoimisto"])
    seed_limits_demo(teams["Opintotoimisto"])


def _replay_history(improvement: Improvement, actor: User, stage: str, days: int, now) -> None:
    """Walk the card through the stages with back-dated events, as if done over weeks."""
    steps = STAGE_PATH.index(stage)
    created_at = now - timedelta(days=days + 9 * steps + 2)
    improvement.created_at = created_at
    db.session.execute(
        update(Event)
        .where(Event.subject_type == "improvement", Event.subject_id == improvement.id)
        .values(at=created_at)
    )
    for step in range(1, steps + 1):
        services.move_improvement(actor, improvement, Stage(STAGE_PATH[step]))
    moves = db.session.scalars(
        select(Event)
        .where(Event.subject_id == improvement.id, Event.kind == EventKind.MOVED)
        .order_by(Event.id)
    ).all()
    for step, event in enumerate(moves, start=1):
        event.at = (
            now - timedelta(days=days + 9 * (steps - step))
            if step == steps
            else created_at + timedelta(days=9 * step)
        )
    services.refresh_stage_times(Improvement.id == improvement.id)


def _fill_fields(improvement: Improvement, stage: str, due, blocked: str, now) -> None:
    index = STAGE_PATH.index(stage)
    if due is not None:
        improvement.due_date = (now + timedelta(days=due)).date()
    if blocked:
        improvement.blocked = True
        improvement.blocked_reason = blocked
    if index >= 1:
        improvement.expected_effect = (
            "Asiointiaika lyhenee ja opiskelija saa saman palvelun alasta riippumatta."
        )
    if index >= 2:
        improvement.what_was_tried = (
            "Kokeilimme uutta toimintatapaa kahden viikon ajan yhdessä tiimissä."
        )
    if index >= 3:
        improvement.measured_result = (
            "Odotusaika lyheni 10 päivästä 4 päivään; palaute parani 3,4 → 4,2."
        )
    if index >= 4:
        improvement.standard = (
            "Toimintatapa kirjattiin laatukäsikirjaan ja otetaan käyttöön kaikilla aloilla."
        )
    if stage == "done":
        improvement.hours_saved_per_month = Decimal("12.5")
        improvement.money_saved_per_year = Decimal("4800")
        improvement.quality_change = "Opiskelijapalaute +0,8 (asteikko 1–5)"
