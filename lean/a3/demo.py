"""Two A3 sheets on the demo boards: one in Do coached by the supervisor, one in Check
coached by a peer from another organization, with whys, causes, actions and comments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from lean.a3 import services
from lean.core.extensions import db
from lean.models import A3Sheet, Improvement, Team, User
from lean.shared.web import today

KINDS = services.ITEM_KINDS


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _card_in(team: Team, stage: str) -> Improvement | None:
    return db.session.scalar(
        select(Improvement)
        .where(Improvement.team_id == team.id, Improvement.stage == stage)
        .order_by(Improvement.id)
    )


def seed_a3_demo() -> None:
    team = db.session.scalar(select(Team).where(Team.name == "Opintotoimisto"))
    member = _user("maija.jasen@vertaa.example")
    supervisor = _user("sanna.esihenkilo@vertaa.example")
    peer = _user("pekka.rannikko@vertaa.example")
    if team is None or member is None or supervisor is None:
        return
    in_do, in_check = _card_in(team, "do"), _card_in(team, "check")
    if in_do is not None:
        _sheet_in_do(in_do, member, supervisor)
    if in_check is not None:
        _sheet_in_check(in_check, member, peer or supervisor)


def _save(actor: User, sheet_id: int, key: str, values: dict) -> None:
    sheet = db.session.get_one(A3Sheet, sheet_id)
    services.update_section(actor, sheet, key, getattr(sheet, f"{key}_version"), values)


def _sheet_in_do(card: Improvement, member: User, coach: User) -> None:
    sheet = services.start_a3(member, card)
    sheet_id = sheet.id
    _save(member, sheet_id, "header", {"title": card.title, "coach_id": coach.id})
    _save(
        member,
        sheet_id,
        "background",
        {
            "background": "Opiskelija saa eri vastauksen sen mukaan, mihin palvelupisteeseen hän "
            "ottaa yhteyttä. Palveluprosessien johtaminen edellyttää yhtenäistä palvelua."
        },
    )
    _save(
        member,
        sheet_id,
        "current_condition",
        {
            "current_condition": "Syyskuussa 62 % yhteydenotoista ohjattiin eteenpäin vähintään "
            "kerran. Keskimääräinen ratkaisuaika 6 työpäivää."
        },
    )
    _save(
        member,
        sheet_id,
        "goal",
        {
            "target_condition": "Asia ratkeaa ensimmäisellä yhteydenotolla.",
            "measure": "Eteenpäin ohjatut yhteydenotot",
            "unit": "%",
            "baseline": Decimal("62"),
            "target": Decimal("20"),
            "target_date": today() + timedelta(days=90),
        },
    )
    sheet = db.session.get_one(A3Sheet, sheet_id)
    for text in (
        "Miksi opiskelija ohjataan eteenpäin? Palvelupiste ei tiedä vastausta.",
        "Miksi ei tiedä? Ohjeet ovat kunkin alan omissa kansioissa.",
        "Miksi omissa kansioissa? Yhteistä ohjepankkia ei ole sovittu kenenkään vastuulle.",
    ):
        services.add_item(member, sheet, KINDS["whys"], {"text": text})
    services.add_item(
        member, sheet, KINDS["causes"], {"category": "methods", "text": "Ei yhteistä ohjepankkia"}
    )
    services.add_item(
        member, sheet, KINDS["causes"], {"category": "people", "text": "Perehdytys vaihtelee"}
    )
    services.add_item(
        member,
        sheet,
        KINDS["countermeasures"],
        {
            "option": "Yhteinen ohjepankki intranetiin",
            "pros": "Kaikki näkevät saman ohjeen",
            "cons": "Vaatii ylläpitäjän",
            "chosen": True,
        },
    )
    services.add_item(
        member,
        sheet,
        KINDS["countermeasures"],
        {"option": "Yksi yhteinen palvelunumero", "pros": "Selkeä", "cons": "Kallis"},
    )
    for what, days, done in (
        ("Kootaan nykyiset ohjeet yhteen", -5, True),
        ("Nimetään ohjepankin ylläpitäjä", -1, False),
        ("Perehdytetään palvelupisteet", 14, False),
    ):
        action = services.add_item(
            member,
            sheet,
            KINDS["actions"],
            {"what": what, "who_id": member.id, "due_on": today() + timedelta(days=days)},
        )
        if done:
            services.toggle_item(member, sheet, KINDS["actions"], action)
    question = services.add_comment(
        coach, sheet, "current_condition", "Mistä 62 % on laskettu – kaikista kanavista?"
    )
    services.add_comment(
        member, sheet, "current_condition", "Puhelin ja sähköposti, syyskuu.", question
    )
    services.add_comment(coach, sheet, "root_cause", "Onko kolmas miksi jo juurisyy?")


def _sheet_in_check(card: Improvement, member: User, coach: User) -> None:
    sheet = services.start_a3(member, card)
    sheet_id = sheet.id
    _save(member, sheet_id, "header", {"title": card.title, "coach_id": coach.id})
    _save(
        member,
        sheet_id,
        "current_condition",
        {"current_condition": "Odotusaika 10 päivää, palaute 3,4 / 5."},
    )
    _save(
        member,
        sheet_id,
        "effect",
        {
            "effect_planned": Decimal("5"),
            "effect_planned_on": today() - timedelta(days=7),
            "effect_actual": Decimal("4"),
            "effect_actual_on": today() - timedelta(days=2),
            "target_reached": True,
            "effect_note": "Odotusaika lyheni neljään päivään.",
        },
    )
    sheet = db.session.get_one(A3Sheet, sheet_id)
    services.add_item(member, sheet, KINDS["whys"], {"text": "Miksi odotetaan? Jono on yhteinen."})
    services.add_comment(coach, sheet, "effect", "Pysyykö tulos myös kevään ruuhkassa?")
