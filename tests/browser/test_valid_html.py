"""The main pages are valid HTML: the Nu HTML checker (vnu, from npm's vnu-jar) finds no error.

The pages come from the demo network, as each role sees them. One run of the checker reads
them all, so the Java start-up is paid once.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from lean.core.extensions import db
from lean.seeds.demo import DEMO_LOGINS as ROLES
from lean.seeds.demo import DEMO_PASSWORD, seed_demo

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def pages_of(client, role: str) -> dict[str, str]:
    """name → path of the main pages of one role, found from its landing page."""
    landing = client.get("/")
    pages = {}
    board = re.search(r"/teams/(\d+)/board", landing.location or "")
    if board:
        team = board.group(1)
        html = client.get(f"/teams/{team}/board").get_data(as_text=True)
        card = re.search(r'<a href="(/improvements/\d+)">', html).group(1)
        pages |= {
            "board": f"/teams/{team}/board",
            "card": card,
            "edit": f"{card}/edit",
            "move": f"{card}/move",
            "kaizen": f"/teams/{team}/kaizen",
            "a3": f"/teams/{team}/a3",
            "standups": f"/teams/{team}/standups",
            "card-templates": f"/teams/{team}/templates",
        }
        if role == "supervisor":
            pages["card-template-form"] = f"/teams/{team}/templates/new"
            pages["wip-limits"] = f"/teams/{team}/board/limits"
    if role == "coordinator":
        pages |= {"dashboard": "/dashboard", "escalations": "/escalations", "teams": "/teams"}
        pages |= {"report": "/dashboard/report", "notices": "/network/notices"}
        pages |= {"profile": "/profile"}
    if role == "admin":
        pages |= {"admin": "/admin/organizations", "themes": "/admin/themes"}
    pages |= {
        "network": "/network",
        "network-dashboard": "/network/dashboard",
        "inbox": "/notifications",
        "my-work": "/me",
        "search": "/search?q=palaute",
        "accessibility": "/accessibility",
    }
    return pages


def test_the_main_pages_are_valid_html(app, tmp_path):
    assert VNU.exists(), "vnu-jar is missing: run `npm ci` (make lint and make test do)"
    seed_demo()
    db.session.commit()
    files = []
    for role, email in ROLES.items():
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 303
        for name, path in pages_of(client, role).items():
            response = client.get(path)
            assert response.status_code == 200, f"{role} {path}: {response.status_code}"
            target = tmp_path / f"{role}-{name}.html"
            target.write_bytes(response.data)
            files.append(str(target))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    messages = json.loads(result.stderr)["messages"]
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error"
    ]
    assert errors == [], "\n".join(errors)
