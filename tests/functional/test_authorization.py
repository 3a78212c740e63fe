"""Every route × every role against the expected answer; a route without an entry fails."""

import pytest

from lean.extensions import db
from lean.models.base import utcnow
from tests.conftest import theme

ROLES = ["anonymous", "member", "supervisor", "coordinator", "admin", "foreign_member"]
LOGIN = 302  # anonymous users are sent to the login page

# The team's members and supervisors change; others of the organization may not; another
# organization does not even learn that the object exists.
WRITERS = {
    "anonymous": LOGIN,
    "member": 303,
    "supervisor": 303,
    "coordinator": 403,
    "admin": 403,
    "foreign_member": 404,
}
# Only the team's supervisors and the organization's coordinators.
SUPERVISORS = {**WRITERS, "member": 403, "supervisor": 303, "coordinator": 303}

# (endpoint, method): {role: status}; "*" covers the roles not named.
EXPECTED = {
    ("site.healthz", "GET"): {"*": 200},
    ("site.theme_styles", "GET"): {"*": 200},
    ("auth.login", "GET"): {"anonymous": 200, "*": 302},
    ("auth.login", "POST"): {"anonymous": 422, "*": 302},
    ("auth.logout", "POST"): {"anonymous": LOGIN, "*": 303},
    ("auth.change_password", "GET"): {"anonymous": LOGIN, "*": 200},
    ("auth.change_password", "POST"): {"anonymous": LOGIN, "*": 422},
    ("auth.set_language", "POST"): {"*": 303},
    ("boards.index", "GET"): {"*": 302},
    ("boards.team_picker", "GET"): {"anonymous": LOGIN, "*": 200},
    ("boards.show", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("boards.quick_add", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "supervisor": 303,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
    },
    ("boards.move", "POST"): {
        "anonymous": LOGIN,
        "member": 303,
        "supervisor": 303,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
    },
    ("boards.detail", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("boards.edit", "GET"): {
        "anonymous": LOGIN,
        "member": 200,
        "supervisor": 200,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
    },
    ("boards.edit", "POST"): {
        "anonymous": LOGIN,
        "member": 422,
        "supervisor": 422,
        "coordinator": 403,
        "admin": 403,
        "foreign_member": 404,
    },
    ("boards.archive", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 303,
        "coordinator": 303,
        "admin": 403,
        "foreign_member": 404,
    },
    ("boards.restore", "POST"): {
        "anonymous": LOGIN,
        "member": 403,
        "supervisor": 303,
        "coordinator": 303,
        "admin": 403,
        "foreign_member": 404,
    },
    ("kaizen.log", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("kaizen.create", "POST"): WRITERS,
    ("kaizen.edit", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("kaizen.edit", "POST"): {**WRITERS, "member": 422, "supervisor": 422},
    ("kaizen.delete", "GET"): {**WRITERS, "member": 200, "supervisor": 200},
    ("kaizen.delete", "POST"): WRITERS,
    ("kaizen.deleted", "GET"): {**SUPERVISORS, "supervisor": 200, "coordinator": 200},
    ("kaizen.restore", "POST"): SUPERVISORS,
    ("kaizen.promote", "POST"): WRITERS,
    ("kaizen.export_team", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("kaizen.export_organization", "GET"): {"anonymous": LOGIN, "coordinator": 200, "*": 403},
    ("kaizen.attachment", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
    ("kaizen.thumbnail", "GET"): {"anonymous": LOGIN, "foreign_member": 404, "*": 200},
}
# Served by Flask itself for anyone.
EXEMPT = {"static"}


def routes_of(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_has_an_expected_answer(app):
    missing = [
        f"{rule.endpoint} {method}"
        for rule, method in routes_of(app)
        if (rule.endpoint, method) not in EXPECTED
    ]
    assert missing == [], f"add these routes to EXPECTED: {missing}"


def form_for(endpoint: str) -> dict:
    """A valid submission where the route needs one, so the answer shows the permission."""
    return {
        "boards.quick_add": {"title": "Uusi idea", "theme_id": str(theme().id)},
        "boards.move": {"stage": "plan"},
        "kaizen.create": {
            "title": "Uusi",
            "before": "a",
            "after": "b",
            "theme_id": str(theme().id),
        },
        "auth.set_language": {"language": "en"},
    }.get(endpoint, {})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_route_answers_role_as_expected(app, world, login, endpoint, method, role):
    rule = next(r for r, m in routes_of(app) if r.endpoint == endpoint and m == method)
    values = {
        "team_id": world.team.id,
        "improvement_id": world.improvement.id,
        "kaizen_id": world.kaizen.id,
        "attachment_id": world.kaizen.attachments[0].id,
        "file_format": "csv",
    }
    url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
    client = app.test_client() if role == "anonymous" else login(world.users[role])
    if endpoint == "boards.restore":
        world.improvement.archived = True
    if endpoint == "kaizen.restore":
        world.kaizen.deleted_at = utcnow()
    db.session.commit()
    response = client.open(
        url, method=method, data=form_for(endpoint) if method == "POST" else None
    )
    response.get_data()
    response.close()  # attachments are streamed from files
    expected = EXPECTED[(endpoint, method)]
    assert response.status_code == expected.get(role, expected.get("*")), f"{role} {method} {url}"
