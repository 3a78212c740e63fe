"""Empty optional fields read as a word or a dash in the user's language, never "None"."""

import re

import pytest

from lean.a3 import services as a3_services
from tests.conftest import make_improvement, make_kaizen

NONE_SHOWN = re.compile(r">\s*None\s*<|:\s*None\b|\bNone\s*·")


@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_pages_with_empty_optional_fields_show_no_none(world, login_as, db, role):
    member = world.users["member"]
    card = make_improvement(world.team, member, title="Tyhjä kortti", stage="plan")
    make_kaizen(world.team, member, title="Tyhjä kaizen")
    sheet = a3_services.start_a3(member, card)
    client = login_as(role)
    paths = [
        f"/teams/{world.team.id}/board",
        f"/improvements/{card.id}",
        f"/teams/{world.team.id}/kaizen",
        f"/teams/{world.team.id}/standups",
        f"/improvements/{card.id}/a3",
        "/network",
        "/profile",
    ]
    if role == "coordinator":
        paths += ["/dashboard", "/admin/audit", f"/admin/users/{member.id}"]
    paths += [f"/a3/{sheet.id}/print", f"/improvements/{card.id}/a3"]
    shown = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 302), path
        found = NONE_SHOWN.findall(response.get_data(as_text=True))
        if found:
            shown[path] = found
    assert shown == {}
