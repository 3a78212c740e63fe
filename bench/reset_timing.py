"""Does a password reset request answer as fast for an address with an account as without?

    python -m bench.reset_timing                  # 400 requests of each kind, interleaved
    python -m bench.reset_timing --requests 2000

The tests check that both kinds run the same SQL statements and answer the same page; this
measures what that is for: the time to the response. Requests for a known address
(member@…), an unknown one (nobody@…) and a deactivated account alternate in random order,
each from its own network address so that none is throttled, through Flask's test client on
a fresh SQLite database (LEAN_BENCH_DATABASE_URL for another). The responses are not closed:
what the app does after the response (storing the link, sending the mail) is not part of the
time a requester sees. Prints the median and p90 of each kind and the difference of the
medians with a bootstrap 95 % interval; an interval that holds 0 (or lies within --tolerance
ms) says the timing tells nothing, anything else fails the run.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from lean import create_app
from lean.core.extensions import db
from lean.models import Organization, User

KINDS = {
    "account": "member@reset-timing.example",
    "no account": "nobody@reset-timing.example",
    "deactivated": "left@reset-timing.example",
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="measured requests per kind")
    parser.add_argument("--warmups", type=int, default=30, help="unmeasured requests per kind")
    parser.add_argument(
        "--tolerance", type=float, default=0.5, help="ms the medians may differ by at most"
    )
    return parser.parse_args()


def reset_app(url: str):
    return create_app(
        {
            "ENV": "development",
            "SQLALCHEMY_DATABASE_URI": url,
            "DATABASE_URL": url,
            "SECRET_KEY": "reset-timing-" + "x" * 30,
            "WTF_CSRF_ENABLED": False,
            "COMPRESS_RESPONSES": False,
            # On, so that the form is offered; nothing is sent while no response is closed.
            "MAIL_SERVER": "127.0.0.1",
            "PASSWORD_RESET_MAX_PER_ACCOUNT": 10**9,
            "PASSWORD_RESET_MAX_PER_ADDRESS": 10**9,
        }
    )


def people() -> None:
    organization = Organization(name="Ajoitus")
    db.session.add(organization)
    for kind, email in KINDS.items():
        if kind == "no account":
            continue
        user = User(email=email, name=kind, organization=organization, active=kind != "deactivated")
        user.set_password("Vertaa-timing-2026")
        db.session.add(user)
    db.session.commit()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median_difference_interval(a: list[float], b: list[float], rounds: int = 2000):
    """The difference of the medians (a − b) and its bootstrap 95 % interval."""
    generator = random.Random(7)
    differences = sorted(
        statistics.median(generator.choices(a, k=len(a)))
        - statistics.median(generator.choices(b, k=len(b)))
        for _ in range(rounds)
    )
    return (
        statistics.median(a) - statistics.median(b),
        differences[int(0.025 * rounds)],
        differences[int(0.975 * rounds)],
    )


def measure(app, arguments: argparse.Namespace) -> dict[str, list[float]]:
    client = app.test_client()
    addresses = (str(ipaddress.IPv4Address(0x0A000000 + n)) for n in range(1, 2**24))
    order = [kind for kind in KINDS for _ in range(arguments.warmups + arguments.requests)]
    random.Random(42).shuffle(order)
    seen = dict.fromkeys(KINDS, 0)
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for kind in order:
        started = time.perf_counter()
        response = client.post(
            "/password-reset",
            data={"email": KINDS[kind]},
            environ_base={"REMOTE_ADDR": next(addresses), "HTTP_ACCEPT_LANGUAGE": "en"},
        )
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or "If the address is registered" not in response.text:
            sys.exit(f"FAILED: {kind} answered {response.status_code}")
        seen[kind] += 1
        if seen[kind] > arguments.warmups:
            times[kind].append(elapsed)
    return times


def main() -> None:
    arguments = parse_arguments()
    url = os.environ.get("LEAN_BENCH_DATABASE_URL")
    folder = None
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="vertaa-reset-timing-"))
        url = f"sqlite:///{folder / 'reset.sqlite'}"
    app = reset_app(url)
    try:
        with app.test_request_context():
            upgrade()
            if db.session.query(User).filter(User.email.in_(KINDS.values())).count() == 0:
                people()
        times = measure(app, arguments)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"{'kind':<12} {'median ms':>10} {'p90 ms':>8}")
    for kind, values in times.items():
        print(f"{kind:<12} {statistics.median(values):>10.2f} {percentile(values, 0.9):>8.2f}")
    failed = False
    for other in ("no account", "deactivated"):
        difference, low, high = median_difference_interval(times["account"], times[other])
        tells = low > arguments.tolerance or high < -arguments.tolerance
        failed |= tells
        print(
            f"account − {other}: {difference:+.2f} ms (95 % {low:+.2f} … {high:+.2f}) "
            + ("TELLS" if tells else "tells nothing")
        )
    if failed:
        sys.exit("FAILED: the time to answer tells whether the address has an account")


if __name__ == "__main__":
    main()
