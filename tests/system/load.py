"""A bounded load on app servers over loopback: what users do, and a ledger of what the servers
acknowledged, to be checked against the database afterwards.

Each simulated user logs in on one of the servers and, until the time is up (and never more than
`max_requests` requests), views the board, adds cards, moves its own cards along, edits a few
cards that every user edits (so conflicts happen across servers) and logs kaizens with a photo.
"""

from __future__ import annotations

import html.parser
import itertools
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

from tests.conftest import PASSWORD, TINY_PNG

FRIENDLY_503 = "Try again in a moment"
STAGES = ("idea", "plan", "do", "check", "act", "done")
CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


class FormReader(html.parser.HTMLParser):
    """The fields of the form whose action is `action`, as a browser would submit them."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.fields = action, False, {}
        self._textarea = self._select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("action", "").split("?")[0] == self.action
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("file", "submit"):
            if attributes.get("type") != "checkbox" or "checked" in attributes:
                self.fields[name] = attributes.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_fields(page: str, action: str) -> dict[str, str]:
    reader = FormReader(action)
    reader.feed(page)
    return reader.fields


@dataclass
class Ledger:
    """What the servers answered, shared by the simulated users."""

    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    added_cards: list[str] = field(default_factory=list)  # titles
    moves: list[tuple[int, str]] = field(default_factory=list)  # (card id, stage)
    edits: list[tuple[int, str]] = field(default_factory=list)  # (card id, problem text)
    kaizens: list[str] = field(default_factory=list)  # titles, each with one photo
    outage: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def summary(self) -> str:
        c = self.counts
        return (
            f"requests {c['requests']}, 5xx {c['5xx']} (friendly 503 during outages "
            f"{c['503 during outage']}), conflicts {c['conflicts']}, dropped connections "
            f"{c['dropped']}, cards added {len(self.added_cards)}, moves {len(self.moves)}, "
            f"edits {len(self.edits)}, kaizens {len(self.kaizens)}, failures {len(self.failures)}"
        )


_numbers = itertools.count(1)


class SimulatedUser:
    def __init__(self, base_url, email, team_id, theme_id, contested, ledger, lookup_card):
        self.base, self.email, self.team_id, self.theme_id = base_url, email, team_id, theme_id
        self.contested, self.ledger, self.lookup_card = contested, ledger, lookup_card
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "en"
        self.csrf = ""
        self.own_cards: list[tuple[int, str]] = []  # (id, stage)
        self.random = random.Random(email)

    def request(self, method: str, path: str, **kwargs) -> requests.Response | None:
        """One request; answers are classified, and a dropped connection gives None."""
        self.ledger.note("requests")
        headers = kwargs.pop("headers", {})
        if method == "POST":
            headers["X-CSRFToken"] = self.csrf
        try:
            response = self.http.request(
                method,
                self.base + path,
                headers=headers,
                timeout=60,
                allow_redirects=True,
                **kwargs,
            )
        except requests.RequestException as error:
            # A worker killed mid-request: the client sees the connection close, nothing else.
            self.ledger.note("dropped")
            self.ledger.note(f"dropped: {type(error).__name__}")
            return None
        body = response.text
        if "Traceback" in body or "Internal Server Error" in body:
            self.ledger.fail(
                f"{method} {path}: a stack trace or bare error page ({response.status_code})"
            )
        if response.status_code >= 500:
            self.ledger.note("5xx")
            friendly = response.status_code == 503 and FRIENDLY_503 in body
            if friendly and self.ledger.outage.is_set():
                self.ledger.note("503 during outage")
            else:
                self.ledger.fail(f"{method} {path}: {response.status_code} {body[:200]!r}")
            return None
        match = CSRF_TOKEN.search(body)
        if match:
            self.csrf = match.group(1) or match.group(2)
        return response

    def log_in(self) -> bool:
        if self.request("GET", "/login") is None:
            return False
        response = self.request("POST", "/login", data={"email": self.email, "password": PASSWORD})
        return response is not None and "/login" not in response.url

    def view_board(self):
        self.request("GET", f"/teams/{self.team_id}/board")

    def add_card(self):
        title = f"Load {self.email.split('@')[0]} {next(_numbers)}"
        response = self.request(
            "POST",
            f"/teams/{self.team_id}/improvements",
            data={"title": title, "theme_id": self.theme_id},
        )
        if response is not None and response.status_code == 200:
            with self.ledger.lock:
                self.ledger.added_cards.append(title)
            card_id = self.lookup_card(title)
            if card_id:
                self.own_cards.append((card_id, "idea"))

    def move_own_card(self):
        movable = [(i, card) for i, card in enumerate(self.own_cards) if card[1] != "done"]
        if not movable:
            return self.add_card()
        index, (card_id, stage) = self.random.choice(movable)
        to_stage = STAGES[STAGES.index(stage) + 1]
        response = self.request(
            "POST", f"/improvements/{card_id}/move", data={"stage": to_stage, "from": "board"}
        )
        if response is not None and response.status_code == 200:
            self.own_cards[index] = (card_id, to_stage)
            with self.ledger.lock:
                self.ledger.moves.append((card_id, to_stage))

    def move_contested_card(self):
        card_id = self.random.choice(self.contested)
        self.request(
            "POST",
            f"/improvements/{card_id}/move",
            data={"stage": self.random.choice(STAGES[:5]), "from": "board"},
        )

    def edit_contested_card(self):
        card_id = self.random.choice(self.contested)
        page = self.request("GET", f"/improvements/{card_id}/edit")
        if page is None:
            return
        fields = form_fields(page.text, f"/improvements/{card_id}/edit")
        problem = f"Problem {self.email.split('@')[0]} {next(_numbers)}"
        fields["problem"] = problem
        time.sleep(self.random.uniform(0, 0.3))  # a person types; others save meanwhile
        response = self.request("POST", f"/improvements/{card_id}/edit", data=fields)
        if response is None:
            return
        if response.status_code == 409:
            self.ledger.note("conflicts")
        elif response.status_code == 200 and f"/improvements/{card_id}" in response.url:
            with self.ledger.lock:
                self.ledger.edits.append((card_id, problem))
        else:
            self.ledger.fail(f"edit {card_id}: {response.status_code} at {response.url}")

    def log_kaizen(self):
        title = f"Kaizen {self.email.split('@')[0]} {next(_numbers)}"
        response = self.request(
            "POST",
            f"/teams/{self.team_id}/kaizen",
            data={"title": title, "before": "Ennen", "after": "Jälkeen", "theme_id": self.theme_id},
            files={"files-0-file": ("kuva.png", TINY_PNG, "image/png")},
        )
        if response is not None and response.status_code == 200:
            with self.ledger.lock:
                self.ledger.kaizens.append(title)

    def run(self, deadline: float, max_requests: int):
        while time.monotonic() < deadline and not self.log_in():
            time.sleep(0.5)
        actions = [
            (self.view_board, 35),
            (self.add_card, 15),
            (self.move_own_card, 15),
            (self.move_contested_card, 5),
            (self.edit_contested_card, 20),
            (self.log_kaizen, 10),
        ]
        functions, weights = zip(*actions, strict=True)
        while time.monotonic() < deadline and self.ledger.counts["requests"] < max_requests:
            self.random.choices(functions, weights)[0]()


def run_load(users: list[SimulatedUser], seconds: float, max_requests: int) -> None:
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=user.run, args=(deadline, max_requests), daemon=True)
        for user in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
