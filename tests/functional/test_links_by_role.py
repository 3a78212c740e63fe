"""Each role sees the links and forms of what it may do, and starts on its own page.

The pages ask the policy; these are the answers a person of each role notices.
"""

from html.parser import HTMLParser

import pytest

from tests.conftest import make_kaizen

ROLES = ["member", "supervisor", "coordinator", "admin", "foreign_member"]


class _Links(HTMLParser):
    """The links inside the <nav> of a class, and the actions of the page's forms."""

    def __init__(self, nav_class: str):
        super().__init__()
        self.nav_class, self.depth = nav_class, 0
        self.links: list[str] = []
        self.actions: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav" and self.nav_class in (attributes.get("class") or "").split():
            self.depth = 1
        elif tag == "nav" and self.depth:
            self.depth += 1
        elif tag == "a" and self.depth:
            self.links.append(attributes.get("href") or "")
        elif tag == "form":
            self.actions.append(attributes.get("action") or "")

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1


def _links(client, url: str, nav_class: str) -> _Links:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = _Links(nav_class)
    parsed.feed(response.get_data(as_text=True))
    return parsed


MAIN_LINKS = {
    "member": ["/teams", "/network"],
    "supervisor": ["/teams", "/network"],
    "coordinator": ["/teams", "/network", "/dashboard", "/escalations", "/a3", "/admin/"],
    "admin": ["/teams", "/network", "/dashboard", "/admin/"],
    "foreign_member": ["/teams", "/network"],
}


@pytest.mark.parametrize("role", ROLES)
def test_the_main_links_are_those_of_the_role(world, login_as, role):
    assert _links(login_as(role), "/teams", "site-nav").links == MAIN_LINKS[role]


@pytest.mark.parametrize(
    ("role", "start"),
    [
        ("member", "/teams/{team}/board"),
        ("coordinator", "/dashboard"),
        ("admin", "/admin/"),
    ],
)
def test_each_role_starts_on_its_own_page(world, login_as, role, start):
    response = login_as(role).get("/")
    assert response.status_code == 302
    assert response.location == start.format(team=world.team.id)


def test_administration_links_an_admin_to_the_installation_and_a_coordinator_to_their_own(
    world, login_as
):
    organization = f"/admin/organizations/{world.organization.id}"
    assert _links(login_as("admin"), "/admin/audit", "admin-nav").links == [
        "/admin/organizations",
        "/admin/themes",
        "/admin/audit",
        "/admin/failed-mails",
    ]
    assert _links(login_as("coordinator"), "/admin/audit", "admin-nav").links == [
        organization,
        "/admin/audit",
        "/admin/failed-mails",
    ]


@pytest.mark.parametrize(("role", "edits"), [("coordinator", False), ("admin", True)])
def test_only_an_admin_renames_or_deactivates_an_organization(world, login_as, role, edits):
    page = _links(login_as(role), f"/admin/organizations/{world.organization.id}", "admin-nav")
    edit = f"/admin/organizations/{world.organization.id}/edit"
    assert (edit in page.actions) is edits


def test_only_an_admin_anonymises_and_never_themselves(world, login_as):
    member, admin = world.users["member"], world.users["admin"]
    anonymise = "/admin/users/{}/anonymise"
    for role, person, shown in [
        ("admin", member, True),
        ("admin", admin, False),
        ("coordinator", member, False),
    ]:
        page = _links(login_as(role), f"/admin/users/{person.id}", "admin-nav")
        assert (anonymise.format(person.id) in page.actions) is shown, (role, person.email)


@pytest.mark.parametrize(
    ("role", "settings"),
    [("member", False), ("supervisor", False), ("coordinator", True), ("admin", True)],
)
def test_network_settings_are_linked_for_who_decides_them(world, login_as, role, settings):
    links = _links(login_as(role), "/network", "network-nav").links
    assert (f"/network/organizations/{world.organization.id}/settings" in links) is settings


@pytest.mark.parametrize(
    ("role", "exports"), [("member", False), ("supervisor", False), ("coordinator", True)]
)
def test_the_organizations_kaizen_export_is_offered_to_coordinators(world, login_as, role, exports):
    make_kaizen(world.team, world.users["member"])
    html = login_as(role).get(f"/teams/{world.team.id}/kaizen").get_data(as_text=True)
    assert ('href="/kaizen/export.xlsx' in html) is exports


@pytest.mark.parametrize(("role", "named"), [("member", False), ("admin", True)])
def test_the_team_picker_names_each_teams_organization_for_admins(world, login_as, role, named):
    html = login_as(role).get("/teams").get_data(as_text=True)
    assert (world.foreign_organization.name in html) is named
    assert (f'href="/teams/{world.foreign_team.id}/board"' in html) is named
