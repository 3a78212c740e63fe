"""Profile one page of the bench's data in process: where its CPU time goes.

    LEAN_BENCH_DATABASE_URL=sqlite:///$PWD/instance/bench/full.sqlite \
        python -m bench.profile board20 --requests 200 [--sort tottime] [--lines 40]

Pages: board20 (the 20-card team's board), board (200 cards, Done folded), board-all, kaizen,
check (the board's unchanged 304), profile (a small logged-in page), csv (the dashboard's
export), dashboard. The data must have been prepared by `python -m bench.run` once. `--calls`
counts the Python function calls per request instead: a measure of the work that a shared
machine's load does not move, for comparing two versions of the code.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from sqlalchemy import select

from bench.run import SMALL_TEAM, bench_app, logged_in
from lean.core.extensions import db
from lean.models import Membership, Team, TeamRole, User


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("page")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=45)
    parser.add_argument("--no-profile", action="store_true", help="only time the requests")
    parser.add_argument(
        "--calls",
        action="store_true",
        help="the Python function calls per request: the same on a busy machine as on a quiet one",
    )
    arguments = parser.parse_args()
    if arguments.calls:
        arguments.no_profile = False  # the profiler counts them
    url = os.environ["LEAN_BENCH_DATABASE_URL"]
    app = bench_app(url)
    with app.app_context():
        small = db.session.scalar(select(Team).where(Team.name == SMALL_TEAM))
        supervisor = db.session.scalar(
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == small.id, Membership.role == TeamRole.SUPERVISOR)
        )
        team_ids = list(db.session.scalars(select(Team.id).order_by(Team.id)))
        team = team_ids[(len(team_ids) - 1) // 2]
        coordinator = db.session.scalar(
            select(User.email).where(
                User.organization_id == small.organization_id, User.is_coordinator.is_(True)
            )
        )
        db.session.remove()
    member = logged_in(app, supervisor)
    htmx = {"HX-Request": "true"}
    pages = {
        "board20": lambda: member.get(f"/teams/{small.id}/board"),
        "board": lambda: member.get(f"/teams/{team}/board"),
        "board-all": lambda: member.get(f"/teams/{team}/board?done=all"),
        "check": None,
        "profile": lambda: member.get("/profile"),
        "kaizen": lambda: member.get(f"/teams/{team}/kaizen"),
        "csv": lambda: logged_in(app, coordinator).get("/dashboard/improvements.csv"),
        "dashboard": lambda: logged_in(app, coordinator).get("/dashboard"),
    }
    if arguments.page == "check":
        tag = member.get(f"/teams/{small.id}/board", headers=htmx).headers["ETag"]
        pages["check"] = lambda: member.get(
            f"/teams/{small.id}/board", headers={**htmx, "If-None-Match": tag}
        )
    if arguments.page in ("csv", "dashboard"):
        client = logged_in(app, coordinator)
        path = "/dashboard/improvements.csv" if arguments.page == "csv" else "/dashboard"
        pages[arguments.page] = lambda: client.get(path)
    send = pages[arguments.page]
    for _ in range(5):
        assert send().status_code in (200, 304)
    profiler = cProfile.Profile(time.process_time)
    started = time.process_time()
    if not arguments.no_profile:
        profiler.enable()
    for _ in range(arguments.requests):
        send()
    if not arguments.no_profile:
        profiler.disable()
    elapsed = (time.process_time() - started) * 1000 / arguments.requests
    overhead = "" if arguments.no_profile else " (with the profiler's overhead)"
    print(f"{arguments.page}: {elapsed:.2f} ms CPU per request{overhead}")
    if arguments.calls:
        calls = pstats.Stats(profiler).total_calls // arguments.requests
        print(f"{arguments.page}: {calls:,} calls per request")
        return
    if not arguments.no_profile:
        pstats.Stats(profiler).sort_stats(arguments.sort).print_stats(arguments.lines)


if __name__ == "__main__":
    main()
