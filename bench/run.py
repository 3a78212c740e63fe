"""Benchmark the pages that must stay fast at the planned scale.

    python -m bench.run                 # 4 organizations x 10 teams (8,000 cards), about 20 s
    python -m bench.run --full          # DESIGN.md's scale: 16 x 30 teams, 96,000 cards

A temporary SQLite database is migrated, filled by lean.scale.seed_scale and then asked
for the board, the board with every done card, a card page and the htmx move, each as a
logged-in supervisor through Flask's test client. LEAN_BENCH_DATABASE_URL points the run at
another database (PostgreSQL, or a kept SQLite file); one that has data already is reused
as it is. Only the standard library and the app's own packages are used.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, func, select

from lean import create_app
from lean.extensions import db
from lean.models import Event, Improvement, Membership, Organization, Team, TeamRole, User
from lean.scale import SCALE_PASSWORD, seed_scale

SMALL = {"organizations": 4, "teams_per_organization": 10}
FULL = {"organizations": 16, "teams_per_organization": 30}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="DESIGN.md's scale: 16 x 30 teams")
    parser.add_argument("--organizations", type=int)
    parser.add_argument("--teams-per-organization", type=int)
    parser.add_argument("--people-per-team", type=int, default=10)
    parser.add_argument("--cards-per-team", type=int, default=200)
    parser.add_argument("--events-per-card", type=int, default=10)
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="unmeasured requests first")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary SQLite database and print its path"
    )
    arguments = parser.parse_args()
    sizes = FULL if arguments.full else SMALL
    for name, value in sizes.items():
        if getattr(arguments, name) is None:
            setattr(arguments, name, value)
    return arguments


class QueryCounter:
    """Counts the SQL statements the engine runs and the time spent in them.

    SQLite's BEGIN (IMMEDIATE) is transaction control, not a query of the page.
    """

    def __init__(self, engine):
        self.value = 0
        self.seconds = 0.0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.value = 0
        self.seconds = 0.0

    def _before(self, connection, cursor, statement, *args) -> None:
        if not statement.startswith("BEGIN"):
            self.value += 1
        connection.info["bench_started"] = time.perf_counter()

    def _after(self, connection, cursor, statement, *args) -> None:
        self.seconds += time.perf_counter() - connection.info.pop("bench_started")


class Measurement:
    def __init__(self, label: str):
        self.label = label
        self.milliseconds: list[float] = []
        self.queries: list[int] = []
        self.sql_milliseconds: list[float] = []
        self.kilobytes = 0.0

    def row(self) -> list[str]:
        times = sorted(self.milliseconds)
        p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]  # nearest rank
        low, high = min(self.queries), max(self.queries)
        return [
            self.label,
            f"{statistics.median(times):.1f}",
            f"{p95:.1f}",
            f"{times[-1]:.1f}",
            str(low) if low == high else f"{low}-{high}",
            f"{statistics.median(self.sql_milliseconds):.1f}",
            f"{self.kilobytes:.0f}",
        ]


def measure(
    label: str, send: Callable, counter: QueryCounter, requests: int, warmups: int
) -> Measurement:
    result = Measurement(label)
    for number in range(warmups + requests):
        counter.reset()
        started = time.perf_counter()
        response = send(number)
        elapsed = (time.perf_counter() - started) * 1000
        expected = 304 if "(304)" in label else 200
        if response.status_code != expected:
            raise SystemExit(f"{label}: HTTP {response.status_code}")
        if number >= warmups:
            result.milliseconds.append(elapsed)
            result.queries.append(counter.value)
            result.sql_milliseconds.append(counter.seconds * 1000)
            result.kilobytes = len(response.data) / 1024
    return result


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [header, ["-" * width for width in widths], *rows]
    for line in lines:
        cells = [line[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))


def data_sizes() -> dict[str, int]:
    models = {
        "organizations": Organization,
        "teams": Team,
        "users": User,
        "memberships": Membership,
        "improvements": Improvement,
        "events": Event,
    }
    return {
        label: db.session.scalar(select(func.count()).select_from(model))
        for label, model in models.items()
    }


def pick_subjects() -> dict:
    """A team in the middle of the network, its supervisor and two of its cards."""
    team_ids = list(db.session.scalars(select(Team.id).order_by(Team.id)))
    team_id = team_ids[len(team_ids) // 2]
    supervisor = db.session.scalar(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team_id, Membership.role == TeamRole.SUPERVISOR)
        .order_by(User.id)
    )
    if supervisor is None:
        raise SystemExit(f"team {team_id} has no supervisor to log in as")

    def card_in(stages: tuple[str, ...]) -> int | None:
        return db.session.scalar(
            select(Improvement.id)
            .where(
                Improvement.team_id == team_id,
                Improvement.archived.is_(False),
                Improvement.stage.in_(stages),
            )
            .order_by(Improvement.id)
        )

    organization_id = db.session.get(Team, team_id).organization_id
    coordinator = db.session.scalar(
        select(User.email)
        .where(User.organization_id == organization_id, User.is_coordinator.is_(True))
        .order_by(User.id)
    )
    detail_card = card_in(("check", "act", "do")) or card_in(("idea", "plan", "done"))
    move_card = card_in(("do",)) or card_in(("idea", "plan", "check", "act", "done"))
    if detail_card is None or move_card is None:
        raise SystemExit(f"team {team_id} has no cards: run with --cards-per-team > 0")
    return {
        "team": team_id,
        "supervisor": supervisor,
        "coordinator": coordinator,
        "detail": detail_card,
        "move": move_card,
    }


def main() -> None:
    arguments = parse_arguments()
    url = os.environ.get("LEAN_BENCH_DATABASE_URL")
    folder = None
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="vertaa-bench-"))
        url = f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(
        {
            "ENV": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "WTF_CSRF_ENABLED": False,
        }
    )
    try:
        run(app, url, arguments)
    finally:
        if folder is not None:
            if arguments.keep:
                print(f"\nDatabase kept: LEAN_BENCH_DATABASE_URL={url}")
            else:
                shutil.rmtree(folder, ignore_errors=True)


def run(app, url: str, arguments: argparse.Namespace) -> None:
    print(f"Database: {url.split('@')[-1]}")
    with app.app_context():
        upgrade()
        if db.session.scalar(select(func.count(User.id))):
            print("The database has data already: reusing it, the size options are ignored.")
        else:
            started = time.perf_counter()
            seed_scale(
                organizations=arguments.organizations,
                teams_per_organization=arguments.teams_per_organization,
                people_per_team=arguments.people_per_team,
                cards_per_team=arguments.cards_per_team,
                events_per_card=arguments.events_per_card,
            )
            print(f"Seeded in {time.perf_counter() - started:.1f} s.")
        sizes = data_sizes()
        subjects = pick_subjects()
        team_cards = db.session.scalar(
            select(func.count(Improvement.id)).where(Improvement.team_id == subjects["team"])
        )
        counter = QueryCounter(db.engine)
        db.session.remove()

    print("\nData: " + ", ".join(f"{count:,} {table}" for table, count in sizes.items()))
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        megabytes = sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20
        print(f"SQLite file: {megabytes:,.0f} MB")
    print(
        f"Team {subjects['team']} ({team_cards} cards), as {subjects['supervisor']}; "
        f"card page {subjects['detail']}, moved card {subjects['move']}"
    )

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/login", data={"email": subjects["supervisor"], "password": SCALE_PASSWORD}
    )
    if response.status_code != 303:
        raise SystemExit(f"login failed: HTTP {response.status_code}")

    # The dashboard of the same organization, as its coordinator.
    coordinator = app.test_client()
    coordinator.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if subjects["coordinator"]:
        response = coordinator.post(
            "/login", data={"email": subjects["coordinator"], "password": SCALE_PASSWORD}
        )
        if response.status_code != 303:
            raise SystemExit(f"coordinator login failed: HTTP {response.status_code}")

    board = f"/teams/{subjects['team']}/board"
    move_url = f"/improvements/{subjects['move']}/move"
    stages = ("check", "do")  # back and forth: every request really moves the card
    # An open board's freshness check while nothing changed: measured before the moves.
    polled = {"HX-Request": "true"}
    board_tag = client.get(board, headers=polled).headers.get("ETag", "")
    pages = [
        ("GET board", lambda n: client.get(board)),
        ("GET board?done=all", lambda n: client.get(f"{board}?done=all")),
        ("GET card page", lambda n: client.get(f"/improvements/{subjects['detail']}")),
        (
            "GET board check (304)",
            lambda n: client.get(board, headers={**polled, "If-None-Match": board_tag}),
        ),
        (
            "POST move (htmx)",
            lambda n: client.post(
                move_url,
                data={"stage": stages[n % 2], "from": "board"},
                headers={"HX-Request": "true"},
            ),
        ),
    ]
    if subjects["coordinator"]:
        pages += [
            ("GET dashboard (term)", lambda n: coordinator.get("/dashboard")),
            ("GET dashboard?period=year", lambda n: coordinator.get("/dashboard?period=year")),
            ("GET dashboard/report", lambda n: coordinator.get("/dashboard/report")),
            ("GET improvements.csv", lambda n: coordinator.get("/dashboard/improvements.csv")),
        ]
    results = [
        measure(label, send, counter, arguments.requests, arguments.warmups)
        for label, send in pages
    ]
    print(f"\n{arguments.requests} requests each after {arguments.warmups} warm-ups:\n")
    print_table(
        ["request", "median ms", "p95 ms", "max ms", "SQL/request", "SQL exec ms", "KB"],
        [result.row() for result in results],
    )


if __name__ == "__main__":
    main()
