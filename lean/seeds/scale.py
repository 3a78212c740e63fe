"""Scale data: `flask seed-scale` fills an empty database at the size DESIGN.md plans for.

Rows go in with SQLAlchemy bulk inserts, a few thousand per statement, never through the
services: the full network (480 teams, 4,800 people, 96,000 cards, 960,000 events) loads
in minutes. The data is random but repeatable (a fixed seed) and shaped like years of use:
most cards are done, active ones are recent, every card has a walk of moves through the
stages, and the ids of cards and events grow with time as they would in production.
"""

from __future__ import annotations

import heapq
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from lean.core import unit_of_work
from lean.core.extensions import db
from lean.models import (
    STAGES,
    Event,
    FocusArea,
    Improvement,
    KaizenEntry,
    Membership,
    Organization,
    Team,
    TeamRole,
    Theme,
    User,
)
from lean.models.base import utcnow
from lean.shared.events import EventKind

SCALE_PASSWORD = "Vertaa-scale-2026"  # noqa: S105 - the documented password of scale data
EMAIL_DOMAIN = "scale.vertaa.example"
CHUNK_ROWS = 5_000
# Unlike everything else, scale data commits in batches: a million rows in one transaction
# would hold SQLite's write-ahead log (and PostgreSQL's memory for the transaction) growing
# until the end, and a failure late in a run would throw the minutes before it away.
COMMIT_ROWS = 100_000
HISTORY_DAYS = 3 * 365  # done cards finished any time in these years
FOUNDED_DAYS_AGO = HISTORY_DAYS + 365  # the organizations predate every card
DAY = 86_400.0

STAGE_KEYS = [stage.value for stage in STAGES]
# Where the cards of a team stand after a few years: most of them are done.
STAGE_WEIGHTS = {"idea": 10, "plan": 6, "do": 6, "check": 4, "act": 3, "done": 71}

FIRST_NAMES = [
    "Aino", "Eero", "Helmi", "Juha", "Kaisa", "Lauri", "Leena", "Mikko", "Noora", "Olli",
    "Pekka", "Riikka", "Sanna", "Tiina", "Ville", "Anna", "Matti", "Elina", "Janne", "Satu",
]  # fmt: skip
LAST_NAMES = [
    "Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine",
    "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Salminen", "Mattila", "Lindqvist",
]  # fmt: skip
TEAM_NAMES = [
    "Opintotoimisto", "Opiskelijapalvelut", "Rakennusala", "Sosiaali- ja terveysala",
    "Tekniikka", "Logistiikka", "Hyvinvointiala", "Kaupan ala", "Ravintola-ala", "Kirjasto",
    "Hakeutumispalvelut", "Työelämäpalvelut", "Talous", "Tietohallinto", "Kiinteistöt",
]  # fmt: skip
TITLES = [
    "Asiointi yhdellä yhteydenotolla", "Palautekysely asioinnin jälkeen",
    "Viikkopalaverin rakenne", "HOKS-päivitysten jonon purku", "Yhteinen ohjausmalli",
    "Todistusten toimitusaika puoleen", "Perehdytyskansio uusille", "Aukioloajat näkyviin",
    "Vastuutaulukko", "Jaettu vastuu aamupalaverista", "Ennakointikatsaus",
    "Sähköinen ajanvaraus", "Materiaalitilausten keskitys", "Poissaolojen seuranta",
]  # fmt: skip

KAIZEN_TITLES = [
    "Lomakepohja jaettuun kansioon", "Tarratulostin lähemmäs", "Muistilista vastaanottoon",
    "Yhteinen kalenteri", "Pikaohje seinälle", "Avainten säilytys", "Sähköpostipohja",
]  # fmt: skip


@dataclass
class ScaleCard:
    """One card before it is written: its team, its walk through the stages and when."""

    team_id: int
    organization_id: int
    owner: int
    stages: list[str]  # the stage after each event: created, then every move
    times: list[float]  # POSIX seconds of each event, increasing
    actors: list[int]
    title: str
    theme_id: int
    focus_area_id: int | None
    id: int = 0
    position: int = 0


def seed_scale(
    organizations: int = 16,
    teams_per_organization: int = 30,
    people_per_team: int = 10,
    cards_per_team: int = 200,
    events_per_card: int = 10,
    kaizens_per_team: int = 50,
    *,
    seed: int = 2026,
    echo: Callable[[str], None] = print,
) -> dict[str, int]:
    """Fill an empty database; return how many rows of each kind were written."""
    if organizations < 1 or teams_per_organization < 1 or people_per_team < 1:
        raise ValueError("seed_scale needs at least one organization, team and person.")
    if cards_per_team < 0 or events_per_card < 1:
        raise ValueError("seed_scale needs cards_per_team >= 0 and events_per_card >= 1.")
    for model in (Organization, Team, User, Improvement, Event):
        if db.session.scalar(select(func.count()).select_from(model)):
            raise RuntimeError("seed_scale needs an empty database (apart from the themes).")
    themes = list(db.session.scalars(select(Theme.id).where(Theme.retired.is_(False))))
    if not themes:
        raise RuntimeError("No themes: run the migrations (flask init-db) first.")
    focus_areas = defaultdict(list)
    for area_id, theme_id in db.session.execute(select(FocusArea.id, FocusArea.theme_id)):
        focus_areas[theme_id].append(area_id)

    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not security
    started = time.perf_counter()
    now = utcnow().replace(microsecond=0)
    counts: dict[str, int] = {}

    def say(message: str) -> None:
        echo(f"[{time.perf_counter() - started:6.1f} s] {message}")

    def bulk(model, rows: list[dict], label: str) -> None:
        """Insert rows a chunk at a time, committing now and then, with progress."""
        total = len(rows)
        for start in range(0, total, CHUNK_ROWS):
            db.session.execute(insert(model.__table__), rows[start : start + CHUNK_ROWS])
            done = min(start + CHUNK_ROWS, total)
            if done % COMMIT_ROWS < CHUNK_ROWS or done == total:
                unit_of_work.commit()  # a batch (COMMIT_ROWS says why)
                say(f"{label}: {done:,}/{total:,}")
        counts[label] = counts.get(label, 0) + total

    _speed_up_sqlite()

    # Organizations, teams, people and memberships: small, written in one go each.
    founded = now - timedelta(days=FOUNDED_DAYS_AGO)
    organization_rows: list[dict] = []
    team_rows: list[dict] = []
    user_rows: list[dict] = []
    membership_rows: list[dict] = []
    team_members: dict[int, list[int]] = {}
    team_organization: dict[int, int] = {}
    password_hash = generate_password_hash(SCALE_PASSWORD)
    special_users = []
    for o in range(1, organizations + 1):
        organization_rows.append(
            {
                "id": o,
                "name": f"Skaala-oppilaitos {o:02d}",
                "is_coordinating": o == 1,
                "active": True,
                "created_at": founded,
            }
        )
        for t in range(1, teams_per_organization + 1):
            team_id = len(team_rows) + 1
            team_name = f"{TEAM_NAMES[(t - 1) % len(TEAM_NAMES)]} {t:02d}"
            team_rows.append(
                {
                    "id": team_id,
                    "organization_id": o,
                    "name": team_name,
                    "archived": False,
                    "created_at": founded,
                }
            )
            team_organization[team_id] = o
            team_members[team_id] = []
            for p in range(1, people_per_team + 1):
                user_id = len(user_rows) + 1
                # In every organization one coordinator; in the coordinating one an admin.
                coordinator = t == 1 and p == 2
                admin = o == 1 and t == 1 and p == 3
                email = f"o{o:02d}.t{t:02d}.p{p:02d}@{EMAIL_DOMAIN}"
                if o == 1 and t == 1 and p <= 4:
                    role = ("supervisor", "coordinator", "admin", "member")[p - 1]
                    special_users.append((role, email))
                user_rows.append(
                    {
                        "id": user_id,
                        "email": email,
                        "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {user_id}",
                        "password_hash": password_hash,
                        "language": "sv" if user_id % 10 == 0 else "fi",
                        "organization_id": o,
                        "is_coordinator": coordinator,
                        "is_admin": admin,
                        "active": True,
                        "session_token": secrets.token_urlsafe(24),
                        "created_at": founded,
                    }
                )
                membership_rows.append(
                    {
                        "id": user_id,
                        "user_id": user_id,
                        "team_id": team_id,
                        "role": TeamRole.SUPERVISOR if p == 1 else TeamRole.MEMBER,
                    }
                )
                team_members[team_id].append(user_id)
    bulk(Organization, organization_rows, "organizations")
    bulk(Team, team_rows, "teams")
    bulk(User, user_rows, "users")
    bulk(Membership, membership_rows, "memberships")
    del organization_rows, team_rows, user_rows, membership_rows

    # Cards: drawn team by team, then numbered in the order they were created.
    now_ts = now.timestamp()
    stage_population = list(STAGE_WEIGHTS)
    stage_weights = list(STAGE_WEIGHTS.values())
    cards: list[ScaleCard] = []
    for team_id, members in team_members.items():
        for target in rng.choices(stage_population, stage_weights, k=cards_per_team):
            cards.append(
                _draw_card(rng, team_id, team_organization[team_id], members, target,
                           events_per_card, now_ts, themes, focus_areas)
            )  # fmt: skip
    cards.sort(key=lambda card: card.times[0])
    columns: dict[tuple[int, str], list[ScaleCard]] = defaultdict(list)
    for number, card in enumerate(cards, start=1):
        card.id = number
        columns[(card.team_id, card.stages[-1])].append(card)
    for column in columns.values():
        # A move puts a card at the end of its column: positions follow the time of entry.
        column.sort(key=lambda card: (card.times[-1], card.id))
        for position, card in enumerate(column, start=1):
            card.position = position
    say(f"drew {len(cards):,} cards")

    today = now.date()
    improvement_rows = [_improvement_row(rng, card, today) for card in cards]
    bulk(Improvement, improvement_rows, "improvements")
    del improvement_rows

    # Events in the order they happened across the whole network, as production appends them.
    total_events = sum(len(card.times) for card in cards)
    ordered = heapq.merge(*(_event_stream(index, card) for index, card in enumerate(cards)))
    rows: list[dict] = []
    written = 0
    for moment, index, step in ordered:
        card = cards[index]
        if step == 0:
            kind, data = EventKind.CREATED, {"stage": card.stages[0]}
        else:
            kind, data = EventKind.MOVED, {"from": card.stages[step - 1], "to": card.stages[step]}
        rows.append(
            {
                "at": datetime.fromtimestamp(moment, UTC),
                "actor_id": card.actors[step],
                "organization_id": card.organization_id,
                "team_id": card.team_id,
                "subject_type": "improvement",
                "subject_id": card.id,
                "kind": kind.value,
                "data": data,
            }
        )
        if len(rows) == CHUNK_ROWS:
            db.session.execute(insert(Event.__table__), rows)
            written += len(rows)
            rows = []
            if written % COMMIT_ROWS == 0:
                unit_of_work.commit()  # a batch (COMMIT_ROWS says why)
                say(f"events: {written:,}/{total_events:,}")
    if rows:
        db.session.execute(insert(Event.__table__), rows)
        written += len(rows)
    unit_of_work.commit()  # the last batch of events (COMMIT_ROWS says why)
    say(f"events: {written:,}/{total_events:,}")
    counts["events"] = written

    _advance_postgresql_sequences()
    _seed_kaizens(rng, team_members, kaizens_per_team, themes, now, bulk)
    _seed_network(rng, team_members, team_organization, counts, now)
    say("done. " + ", ".join(f"{count:,} {label}" for label, count in counts.items()))
    for role, email in special_users:
        echo(f"  {role}: {email}")
    echo(f"  every user's password: {SCALE_PASSWORD}")
    return counts


def _seed_kaizens(rng, team_members, per_team, themes, now, bulk) -> None:
    """Each team's kaizen log: small improvements done over the last two years."""
    rows = []
    for team_id, members in team_members.items():
        for number in range(per_team):
            done = now - timedelta(days=rng.uniform(0, 730))
            rows.append(
                {
                    "team_id": team_id,
                    "author_id": rng.choice(members),
                    "done_on": done.date(),
                    "title": f"{rng.choice(KAIZEN_TITLES)} {number + 1}",
                    "before": "Tieto haettiin kolmesta paikasta.",
                    "after": "Tieto löytyy yhdeltä sivulta.",
                    "effect": "Säästää aikaa joka viikko.",
                    "theme_id": rng.choice(themes),
                    "hours_saved_per_month": Decimal(rng.randint(0, 8)) / 2 or None,
                    "version": 1,
                    "created_at": done,
                    "updated_at": done,
                }
            )
    bulk(KaizenEntry, rows, "kaizens")


def _seed_network(rng, team_members, team_organization, counts, now) -> None:
    """Practices shared in the network, with comments and adoptions, through the services.

    Every second team publishes one of its finished cards; each practice gets comments from
    other organizations, and every third is adopted by a team of another organization (a new
    card in Plan, as adoption makes it).
    """
    from lean.network import services as network
    from lean.network.snapshot import Shares

    users = {user.id: user for user in db.session.scalars(select(User))}
    teams = {team.id: team for team in db.session.scalars(select(Team))}
    team_ids = sorted(team_members)
    practices = comments = adoptions = 0
    for index, team_id in enumerate(team_ids[::2]):
        source = db.session.scalar(
            select(Improvement)
            .where(Improvement.team_id == team_id, Improvement.stage == "done")
            .order_by(Improvement.completed_at.desc())
            .limit(1)
        )
        if source is None:
            continue
        publisher = users[team_members[team_id][0]]
        practice = network.publish_practice(
            publisher,
            source,
            network.PracticeText(
                title=source.title,
                summary="Kokeilimme uutta tapaa ja tulokset kirjattiin.",
                learnings="Pienet kokeilut ensin, sitten koko tiimi.",
                theme=source.theme,
                focus_area=source.focus_area,
                shares=Shares(),
            ),
        )
        practices += 1
        others = [t for t in team_ids if team_organization[t] != team_organization[team_id]]
        if not others:
            continue
        for _ in range(2):
            commenter = users[rng.choice(team_members[rng.choice(others)])]
            network.comment_on_practice(commenter, practice, "Miten mittasitte tuloksen?")
            comments += 1
        if index % 3 == 0:
            adopting_team = teams[rng.choice(others)]
            adopter = users[team_members[adopting_team.id][0]]
            network.adopt_practice(adopter, practice, adopting_team)
            adoptions += 1
    counts.update(practices=practices, practice_comments=comments, adoptions=adoptions)


def _event_stream(index: int, card: ScaleCard):
    """(time, card index, step) of each event of a card, in time order."""
    for step, moment in enumerate(card.times):
        yield moment, index, step


def _draw_card(rng, team_id, organization_id, members, target, events, now_ts, themes, areas):
    stages = _stage_walk(rng, STAGE_KEYS.index(target), events - 1)
    # Gaps between the events: hours to weeks.
    gaps = [rng.uniform(0.05, 1.0) ** 2 * 30 * DAY for _ in range(events - 1)]
    lifetime = sum(gaps)
    if target == "done":
        # Finished any time over the years.
        start = now_ts - lifetime - rng.uniform(0, HISTORY_DAYS * DAY)
    else:
        # Still on the board: most were touched in the last weeks, some stand still for months.
        idle = rng.expovariate(1 / (20 * DAY))
        start = now_ts - lifetime - min(idle, 400 * DAY)
    start = max(start, now_ts - (FOUNDED_DAYS_AGO - 1) * DAY)
    times = [start]
    for gap in gaps:
        times.append(times[-1] + gap)
    times = [min(t, now_ts - 60) for t in times]
    owner = rng.choice(members)
    actors = [owner] + [rng.choice((owner, rng.choice(members))) for _ in range(events - 1)]
    theme_id = rng.choice(themes)
    focus_choices = areas.get(theme_id)
    focus_area = rng.choice(focus_choices) if focus_choices and rng.random() < 0.6 else None
    return ScaleCard(
        team_id=team_id,
        organization_id=organization_id,
        owner=owner,
        stages=stages,
        times=times,
        actors=actors,
        title=rng.choice(TITLES),
        theme_id=theme_id,
        focus_area_id=focus_area,
    )


def _stage_walk(rng: random.Random, target: int, moves: int) -> list[str]:
    """The stage after creation and after each move, ending in the target stage.

    Mostly one column forward; sometimes back. Every move changes the stage.
    """
    if moves == 0:
        return [STAGE_KEYS[target]]
    walk = [0]
    for remaining in range(moves, 0, -1):
        current = walk[-1]
        if remaining == 1:
            step = target
        else:
            neighbours = [s for s in (current + 1, current - 1) if 0 <= s < len(STAGE_KEYS)]
            if remaining == 2:
                # The last move must change the stage: do not stand on the target before it.
                options = [s for s in neighbours if s != target] or [
                    s for s in range(len(STAGE_KEYS)) if s not in (current, target)
                ]
                step = rng.choice(options)
            elif current < target and rng.random() < 0.75:
                step = current + 1
            elif current > target and rng.random() < 0.75:
                step = current - 1
            else:
                step = rng.choice(neighbours)
        walk.append(step)
    return [STAGE_KEYS[s] for s in walk]


def _improvement_row(rng: random.Random, card: ScaleCard, today) -> dict:
    stage = card.stages[-1]
    index = STAGE_KEYS.index(stage)
    active = stage != "done"
    created = datetime.fromtimestamp(card.times[0], UTC)
    updated = datetime.fromtimestamp(card.times[-1], UTC)
    blocked = active and rng.random() < 0.08
    due_date = None
    if active and rng.random() < 0.45:
        due_date = today + timedelta(days=rng.randint(-30, 60))
    elif not active and rng.random() < 0.3:
        due_date = (updated + timedelta(days=rng.randint(-10, 20))).date()
    done = stage == "done"
    started = next(
        (moment for moment, step in zip(card.times, card.stages, strict=True) if step != "idea"),
        None,
    )
    return {
        "id": card.id,
        "team_id": card.team_id,
        "title": f"{card.title} #{card.id}",
        "problem": "Nykyinen tapa vie aikaa ja vaihtelee tekijästä riippuen.",
        "theme_id": card.theme_id,
        "focus_area_id": card.focus_area_id,
        "owner_id": card.owner,
        "stage": stage,
        "position": card.position,
        "due_date": due_date,
        "blocked": blocked,
        "blocked_reason": "Odotamme päätöstä resursseista." if blocked else "",
        "expected_effect": "Asiointiaika lyhenee." if index >= 1 else "",
        "what_was_tried": "Kokeilimme uutta tapaa kaksi viikkoa." if index >= 2 else "",
        "measured_result": "Odotusaika lyheni 10 päivästä 4 päivään." if index >= 3 else "",
        "standard": "Kirjattu laatukäsikirjaan." if index >= 4 else "",
        "hours_saved_per_month": Decimal(rng.randint(1, 80)) / 2 if done else None,
        "money_saved_per_year": Decimal(rng.randint(0, 200) * 50) if done else None,
        "quality_change": "Palaute parani." if done else "",
        "archived": False,
        # The stage times the moves would have kept: the last event entered the card's stage.
        "stage_entered_at": updated,
        "first_started_at": datetime.fromtimestamp(started, UTC) if started is not None else None,
        "completed_at": updated if done else None,
        "version": 1,
        "created_by_id": card.owner,
        "created_at": created,
        "updated_at": updated,
    }


def _speed_up_sqlite() -> None:
    """A bigger page cache for this connection: the event indexes grow in random order."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("PRAGMA cache_size=-262144"))  # 256 MB


def _advance_postgresql_sequences() -> None:
    """The ids above were given explicitly; PostgreSQL's sequences must continue after them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (Organization, Team, User, Membership, Improvement):
        table = model.__tablename__
        # pg_get_serial_sequence takes the table's name as SQL text: quoted, since "user" is a
        # reserved word. Built from expressions, the statement carries no name in its SQL string.
        sequence = func.pg_get_serial_sequence(f'"{table}"', "id")
        last_id = select(func.max(model.id)).scalar_subquery()
        db.session.execute(select(func.setval(sequence, last_id)))
