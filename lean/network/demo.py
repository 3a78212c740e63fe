"""Demo practices for `flask seed-demo`: published, discussed and adopted across organizations."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from sqlalchemy import select

from lean.boards.services import move_improvement
from lean.core.extensions import db
from lean.models import Adoption, Improvement, KaizenEntry, Stage, Team, User
from lean.models.base import utcnow
from lean.network import services
from lean.network.snapshot import Shares

# team, publisher's email, title, summary, what was learned, days ago
PRACTICES = [
    (
        "Opintotoimisto",
        "kaisa.koordinaattori@vertaa.example",
        "Aamupurku: hakemukset käsitellään kahdessa päivässä",
        "Opintotoimisto purkaa hakemusjonon joka aamu vartin palaverissa: jokainen hakemus saa "
        "käsittelijän heti, ja ongelmatapaukset ratkotaan yhdessä samana päivänä.",
        "Pelkkä ohje ei riittänyt: muutos alkoi toimia vasta, kun koko tiimi sopi yhteisen vartin. "
        "Ensimmäinen kokeilu ilman esihenkilön tukea kaatui kahdessa viikossa.",
        150,
    ),
    (
        "Sosiaali- ja terveysala",
        "kaisa.koordinaattori@vertaa.example",
        "Yhteinen ohjausmalli kaikille aloille",
        "Kaikki alat käyttävät samaa ohjauksen muistilistaa, joten opiskelija saa saman palvelun "
        "alasta riippumatta.",
        "Muistilista kannatti tehdä opiskelijoiden kanssa; opettajien oma versio oli liian pitkä.",
        95,
    ),
    (
        "Opiskelijapalvelut",
        "tiina.rannikko@vertaa.example",
        "Palautekysely kolmessa kysymyksessä",
        "Pitkä palautekysely vaihdettiin kolmen kysymyksen pikakyselyyn asioinnin päätteeksi; "
        "vastausprosentti nousi.",
        "Kysymysten määrää tärkeämpää oli, että palautteesta kerrottiin opiskelijoille takaisin.",
        60,
    ),
    (
        "Hakeutumispalvelut",
        "olli.pohjoinen@vertaa.example",
        "Hakijan polku yhdellä sivulla",
        "Hakeutumisen vaiheet koottiin yhdelle sivulle, jonka hakija ja ohjaaja käyvät "
        "läpi yhdessä.",
        "Sivu toimi parhaiten tulostettuna ensimmäisessä tapaamisessa.",
        40,
    ),
]


# The demo's own people, teams and cards: each one is there.
def _user(email: str) -> User:
    return cast(User, db.session.scalar(select(User).where(User.email == email)))


def _team(name: str) -> Team:
    return cast(Team, db.session.scalar(select(Team).where(Team.name == name)))


def _done_card(team: Team) -> Improvement:
    return cast(
        Improvement,
        db.session.scalar(
            select(Improvement)
            .where(Improvement.team_id == team.id, Improvement.stage == Stage.DONE.value)
            .order_by(Improvement.id)
        ),
    )


def seed_network_demo() -> None:
    """Practices of three organizations, with comments, answers, adoptions and a lineage."""
    now = utcnow()
    practices = []
    for team_name, email, title, summary, learnings, days_ago in PRACTICES:
        team, publisher = _team(team_name), _user(email)
        card = _done_card(team)
        practice = services.publish_practice(
            publisher,
            card,
            services.PracticeText(
                title=title,
                summary=summary,
                learnings=learnings,
                theme=card.theme,
                focus_area=card.focus_area,
                shares=Shares(),
            ),
        )
        practice.published_at = practice.updated_at = now - timedelta(days=days_ago)
        practices.append(practice)
    morning, model, feedback, path = practices

    kaizen = cast(
        KaizenEntry,
        db.session.scalar(
            select(KaizenEntry)
            .join(Team, Team.id == KaizenEntry.team_id)
            .where(Team.name == "Rakennusalan koulutus")
            .order_by(KaizenEntry.id)
        ),
    )
    services.publish_practice(
        _user("kaisa.koordinaattori@vertaa.example"),
        kaizen,
        services.PracticeText(
            title=kaizen.title,
            summary=kaizen.after,
            learnings="Pieni muutos, jonka jokainen tiimi voi tehdä viikossa.",
            theme=kaizen.theme,
            focus_area=None,
            shares=Shares(),
        ),
    )

    # Pekka agreed to show his name to other organizations; Olli did not.
    pekka, olli = _user("pekka.rannikko@vertaa.example"), _user("olli.pohjoinen@vertaa.example")
    pekka.show_name_to_network = True
    question = services.comment_on_practice(
        pekka, morning, "Miten saitte koko tiimin sitoutumaan aamuvarttiin?"
    )
    services.comment_on_practice(
        _user("kaisa.koordinaattori@vertaa.example"),
        morning,
        "Sovimme kokeilusta kuukaudeksi ja katsoimme luvut yhdessä joka perjantai.",
        answer_to=question,
    )
    services.comment_on_practice(
        olli, morning, "Meillä on samankaltainen hakijan polku.", similar=path
    )
    services.comment_on_practice(
        _user("riikka.logistiikka@vertaa.example"), model, "Onko muistilista jaettavissa?"
    )

    # Rannikko adopted the morning stand-up, finished it and published its own version,
    # which Pohjoinen adopted in turn: a lineage of three.
    adopted = services.adopt_practice(pekka, morning, _team("Opiskelijapalvelut"))
    tiina = _user("tiina.rannikko@vertaa.example")
    for stage in (Stage.DO, Stage.CHECK, Stage.ACT, Stage.DONE):
        move_improvement(tiina, adopted, stage)
    adopted.measured_result = "Hakemusten käsittelyaika lyheni 8 päivästä 3 päivään."
    version = services.publish_practice(
        tiina,
        adopted,
        services.PracticeText(
            title="Aamuvartti opiskelijapalveluissa",
            summary="Sovelsimme Järvilaakson aamupurkua: varttiin otetaan myös puhelinjono.",
            learnings="Puhelinjonon lisääminen vaati toisen vuoron.",
            theme=adopted.theme,
            focus_area=None,
            shares=Shares(),
        ),
    )
    version.published_at = version.updated_at = now - timedelta(days=20)
    later = [
        (services.adopt_practice(_user(email), practice, _team(team)), days_ago)
        for email, practice, team, days_ago in (
            ("riikka.logistiikka@vertaa.example", version, "Logistiikan koulutus", 10),
            ("ville.tekniikka@vertaa.example", model, "Tekniikan koulutus", 70),
            ("olli.pohjoinen@vertaa.example", feedback, "Hakeutumispalvelut", 30),
        )
    ]
    # Spread over the months, so that the dashboard's chart has a history to show.
    for card, days_ago in [(adopted, 120), *later]:
        adoption = cast(
            Adoption, db.session.scalar(select(Adoption).where(Adoption.improvement_id == card.id))
        )
        adoption.created_at = now - timedelta(days=days_ago)
