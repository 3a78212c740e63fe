"""What comes in and what goes out, read and written the same way everywhere: ids and versions
are ASCII digits within the database's integer columns, figures fit their columns, JSON has the
shape of a form, and plain-text mail shows names as they were typed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from lean.a3 import services as a3_services
from lean.conversation import digests
from lean.conversation import services as conversation_services
from lean.core.extensions import db
from lean.models.base import utcnow
from lean.standups import services as standup_services
from tests.conftest import make_kaizen, publish_world_card, theme
from tests.functional.test_links import link_in, smtp_server  # noqa: F401  (a real SMTP server)

HTMX = {"HX-Request": "true"}

# Digits that str.isdigit() takes but int() refuses ("²", "①") or reads as another script's
# digit ("٣", Arabic-Indic three); numbers past PostgreSQL's and SQLite's integer columns; and
# one past the 4,300 digits Python converts at all.
NOT_AN_ID = ["²", "①", "٣", str(2**31), str(2**63), str(10**30), "9" * 5000]


class Places:
    """The world with one of everything an id in a form or address can point at."""

    def __init__(self, world):
        self.world = world
        member, supervisor = world.users["member"], world.users["supervisor"]
        # Blocked, so that it is on the stand-up's agenda.
        world.improvement.blocked = True
        world.improvement.blocked_reason = "Odotetaan"
        self.comment = conversation_services.comment_on_card(
            member, world.improvement, "Huomio", []
        )
        self.sheet = a3_services.start_a3(member, world.improvement)
        self.why = a3_services.add_item(
            member, self.sheet, a3_services.ITEM_KINDS["whys"], {"text": "Miksi?"}
        )
        db.session.commit()
        self.standup, _created = standup_services.start_standup(supervisor, world.team)
        db.session.commit()
        self.kaizen = make_kaizen(world.team, member)
        db.session.commit()
        self.done_card = world.improvement
        self.practice = publish_world_card(world)
        db.session.commit()

    def fill(self, template: str, value: str) -> str:
        """`template` with {value} and the ids and current versions of the world's things."""
        world = self.world
        db.session.expire_all()
        return template.format(
            card_version=world.improvement.version,
            goal_version=self.sheet.goal_version,
            effect_version=self.sheet.effect_version,
            value=value,
            team=world.team.id,
            organization=world.organization.id,
            card=world.improvement.id,
            comment=self.comment.id,
            sheet=self.sheet.id,
            why=self.why.id,
            standup=self.standup.id,
            kaizen=self.kaizen.id,
            practice=self.practice.id,
            theme=theme().id,
        )


@pytest.fixture
def places(world) -> Places:
    return Places(world)


# (who, address with {value}) for the query strings that carry ids or counts.
QUERIES = [
    ("admin", "/dashboard?organization={value}"),
    ("coordinator", "/dashboard?theme={value}&teams={value}"),
    ("coordinator", "/dashboard/teams.csv?theme={value}&teams={value}"),
    ("coordinator", "/dashboard/improvements.csv?theme={value}&teams={value}"),
    ("coordinator", "/dashboard/report?theme={value}&teams={value}"),
    ("member", "/teams/{team}/board?theme={value}&owner={value}"),
    ("member", "/teams/{team}/a3?theme={value}&coach={value}"),
    ("coordinator", "/a3?theme={value}&coach={value}"),
    ("member", "/network?theme={value}&focus_area={value}&organization={value}&page={value}"),
    ("coordinator", "/network/notices?page={value}"),
    ("admin", "/admin/audit?actor={value}"),
    ("member", "/teams/{team}/kaizen?theme={value}&author={value}&page={value}"),
    ("supervisor", "/teams/{team}/standup?card={value}"),
]

# (who, address, the rest of the form, the field given the value, htmx) for every form field
# that carries an id, a version or a count; the rest of the form is valid, so that the value
# is what the view meets.
CARD = {"title": "Uusi", "theme_id": "{theme}", "version": "{card_version}"}
KAIZEN = {"title": "K", "before": "a", "after": "b", "theme_id": "{theme}", "version": "1"}
SETTINGS = {"minutes": "15", "plan": "14", "do": "14", "check": "14", "act": "14"}
FORMS = [
    ("member", "/improvements/{card}/place", {"stage": "plan"}, "after", True),
    ("member", "/improvements/{card}/place", {"stage": "plan"}, "after", False),
    (
        "member",
        "/improvements/{card}/move?theme={value}",
        {"stage": "do", "from": "board"},
        "",
        True,
    ),
    (
        "member",
        "/improvements/{card}/move?owner={value}",
        {"stage": "do", "from": "board"},
        "",
        True,
    ),
    ("member", "/teams/{team}/improvements", {"title": "Uusi"}, "theme_id", False),
    ("member", "/improvements/{card}/edit", CARD, "version", False),
    ("member", "/improvements/{card}/edit", CARD, "theme_id", False),
    ("member", "/improvements/{card}/edit", CARD, "focus_area_id", False),
    ("member", "/improvements/{card}/edit", CARD, "owner_id", False),
    ("member", "/improvements/{card}/comments", {"body": "Hei"}, "mention", False),
    ("member", "/comments/{comment}/edit", {"body": "Hei taas"}, "mention", False),
    ("member", "/a3/{sheet}/sections/background/comments", {"body": "Miksi?"}, "parent_id", False),
    ("member", "/a3/{sheet}/sections/background/edit", {"background": "Tausta"}, "version", True),
    (
        "member",
        "/a3/{sheet}/sections/header/edit",
        {"title": "A3", "version": "1"},
        "coach_id",
        True,
    ),
    ("member", "/a3/{sheet}/items/actions", {"what": "Tee"}, "who_id", True),
    ("member", "/a3/{sheet}/items/whys/{why}/edit", {"text": "Miksi näin?"}, "version", True),
    ("supervisor", "/standups/{standup}/cards/{card}/owner", {}, "owner_id", True),
    ("supervisor", "/standups/{standup}/finish", {}, "version", False),
    ("supervisor", "/standups/{standup}/finish", {"version": "1"}, "attendees", False),
    ("supervisor", "/teams/{team}/standup/settings", SETTINGS, "weekdays", False),
    ("supervisor", "/teams/{team}/standup/settings", SETTINGS, "minutes", False),
    ("supervisor", "/teams/{team}/standup/settings", SETTINGS, "plan", False),
    ("coordinator", "/admin/teams/{team}/members", {"role": "member"}, "user_id", False),
    (
        "coordinator",
        "/organizations/{organization}/invitations",
        {"email": "uusi@example.fi", "role": "member"},
        "team",
        False,
    ),
    (
        "member",
        "/teams/{team}/kaizen",
        {"title": "K", "before": "a", "after": "b"},
        "theme_id",
        False,
    ),
    ("member", "/kaizen/{kaizen}/edit", KAIZEN, "version", False),
    ("member", "/kaizen/{kaizen}/edit", KAIZEN, "remove_attachments", False),
    (
        "foreign_member",
        "/network/practices/{practice}/comments",
        {"body": "Vastaus"},
        "answer_to",
        False,
    ),
    (
        "foreign_member",
        "/network/practices/{practice}/comments",
        {"body": "Samoin"},
        "similar_practice_id",
        False,
    ),
    ("foreign_member", "/network/practices/{practice}/adopt", {}, "team_id", False),
    (
        "coordinator",
        "/network/practices/{practice}/update",
        {"title": "T", "summary": "S", "theme_id": "{theme}", "version": "1"},
        "focus_area_id",
        False,
    ),
    (
        "coordinator",
        "/network/publish/improvements/{card}",
        {"title": "T", "summary": "S"},
        "theme_id",
        False,
    ),
]


def _server_errors(send, values=NOT_AN_ID) -> list[tuple[str, object]]:
    """The values that `send(value)` answered with a 5xx (or an exception)."""
    failures = []
    for value in values:
        try:
            status = send(value).status_code
        except Exception as error:  # the test client raises what the app did not handle
            db.session.rollback()
            failures.append((value[:20], repr(error)[:120]))
            continue
        if status >= 500:
            failures.append((value[:20], status))
    return failures


@pytest.mark.parametrize(("role", "address"), QUERIES)
def test_an_id_in_the_address_that_is_no_id_is_never_a_server_error(
    places, login_as, role, address
):
    client = login_as(role)
    failures = _server_errors(lambda value: client.get(places.fill(address, value)))
    assert not failures, failures


@pytest.mark.parametrize(("role", "address", "form", "field", "htmx"), FORMS)
def test_an_id_in_a_form_that_is_no_id_is_never_a_server_error(
    places, login_as, role, address, form, field, htmx
):
    client = login_as(role)

    def send(value):
        data = {name: places.fill(text, value) for name, text in form.items()}
        if field:
            data[field] = value
        return client.post(places.fill(address, value), data=data, headers=HTMX if htmx else {})

    failures = _server_errors(send)
    assert not failures, failures


KAIZEN_TYPED = {"title": "Kirjoitettu kaizen", "before": "a", "after": "b", "theme_id": "{theme}"}

# Decimal() reads all of these; no column holds them, and a comparison with NaN raises.
NOT_A_FIGURE = ["NaN", "sNaN", "Infinity", "-inf", "1e999999", "1e-999999", str(10**30)]

GOAL = {
    "version": "{goal_version}",
    "target_condition": "Alle viikko",
    "measure": "Jono",
    "unit": "pv",
}
EFFECT = {"version": "{effect_version}", "effect_note": "Mitattu", "target_reached": ""}
FIGURES = [
    ("member", "/improvements/{card}/edit", CARD, "hours_saved_per_month", False),
    ("member", "/improvements/{card}/edit", CARD, "money_saved_per_year", False),
    ("member", "/a3/{sheet}/sections/goal/edit", GOAL, "baseline", True),
    ("member", "/a3/{sheet}/sections/goal/edit", GOAL, "target", True),
    ("member", "/a3/{sheet}/sections/effect/edit", EFFECT, "effect_planned", True),
    ("member", "/a3/{sheet}/sections/effect/edit", EFFECT, "effect_actual", True),
    ("member", "/teams/{team}/kaizen", KAIZEN_TYPED, "hours_saved_per_month", False),
    ("member", "/kaizen/{kaizen}/edit", {**KAIZEN, **KAIZEN_TYPED}, "hours_saved_per_month", False),
]


@pytest.mark.parametrize(("role", "address", "form", "field", "htmx"), FIGURES)
def test_a_figure_no_column_holds_is_never_a_server_error(
    places, login_as, role, address, form, field, htmx
):
    client = login_as(role)

    def send(value):
        data = {name: places.fill(text, value) for name, text in form.items()}
        data[field] = value
        return client.post(places.fill(address, value), data=data, headers=HTMX if htmx else {})

    failures = _server_errors(send, NOT_A_FIGURE)
    assert not failures, failures


def test_a_section_sent_without_its_text_fields_is_saved_empty(places, login_as):
    """A browser sends every field of the form; a request made by hand may leave some out."""
    response = login_as("member").post(
        places.fill("/a3/{sheet}/sections/goal/edit", ""),
        data={"version": places.fill("{goal_version}", "")},
        headers=HTMX,
    )
    assert response.status_code == 200


# ---- JSON bodies ------------------------------------------------------------------------------

DEEP_ARRAY = "[" * 50_000 + "]" * 50_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000
# Deep enough for a recursive walk to give up, shallow enough for Python's parser to read.
HALFWAY = '{"a": ' + "[" * 900 + "]" * 900 + "}"
# Flask-WTF reads a JSON body as a form: none of these is one.
NOT_A_FORM = ['["a", "b"]', '"x"', "5", '{"email": {"a": 1}}', '{"email": 5, "password": true}']


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, HALFWAY, *NOT_A_FORM])
@pytest.mark.parametrize(
    ("method", "address"),
    [("GET", "/healthz"), ("POST", "/healthz"), ("POST", "/login"), ("POST", "/password-reset")],
)
def test_json_nested_deeply_or_not_shaped_as_a_form_is_a_400_page(client, method, address, body):
    response = client.open(address, method=method, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


@pytest.mark.parametrize("body", [DEEP_ARRAY, *NOT_A_FORM])
def test_such_json_to_a_logged_in_form_is_a_400_page(world, login_as, body):
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)


def test_json_shaped_as_a_form_is_read_and_checked_as_before(client, world, login_as):
    assert client.get("/healthz", json={"a": "b", "c": ["d", "e"]}).status_code == 200
    member = login_as("member")
    address = f"/teams/{world.team.id}/improvements"
    response = member.post(address, json={"title": "a\x00", "theme_id": str(theme().id)})
    assert response.status_code == 422
    response = member.post(address, json={"title": "JSON-kortti", "theme_id": str(theme().id)})
    assert response.status_code == 303


# ---- plain-text mail -----------------------------------------------------------------------

AWKWARD_NAME = "O'Brien & <Co>"


@pytest.fixture
def mail_inbox(app, smtp_server):  # noqa: F811
    """E-mail on, to the test's own SMTP server: what it received."""
    controller, inbox = smtp_server
    app.config.update(
        MAIL_SERVER=controller.hostname,
        MAIL_PORT=controller.port,
        MAIL_SENDER="Vertaa <vertaa@example.fi>",
    )
    return inbox


def _unescaped(text: str) -> bool:
    return not any(entity in text for entity in ("&amp;", "&#39;", "&lt;", "&gt;", "&#34;"))


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_digest_shows_names_and_titles_as_typed(world, mail_inbox, language):
    member, supervisor = world.users["member"], world.users["supervisor"]
    member.name, member.language, member.digest_frequency = AWKWARD_NAME, language, "daily"
    supervisor.name = 'Åsa "Ässä" <Sjö> & Co'
    world.improvement.title = "Jono & <tulostin> 'uusi'"
    db.session.commit()
    conversation_services.comment_on_card(supervisor, world.improvement, "Hyvä", [])
    db.session.commit()  # the member is told of the comment

    assert digests.send_digests(utcnow()) == 1
    text = mail_inbox.messages[0].get_content()
    assert f"{AWKWARD_NAME}," in text
    assert 'Åsa "Ässä" <Sjö> & Co' in text and "Jono & <tulostin> 'uusi'" in text
    assert _unescaped(text), text


def test_an_invitation_shows_the_inviter_and_organization_as_typed(world, login, mail_inbox):
    coordinator = world.users["coordinator"]
    coordinator.name = AWKWARD_NAME
    world.organization.name = "Järvi & <Laakso> 'oy'"
    db.session.commit()
    response = login(coordinator).post(
        f"/organizations/{world.organization.id}/invitations",
        data={"email": "uusi@example.fi", "team": str(world.team.id), "role": "member"},
    )
    assert response.status_code == 200
    [message] = mail_inbox.to("uusi@example.fi")
    text = message.get_content()
    assert AWKWARD_NAME in text and "Järvi & <Laakso> 'oy'" in text
    assert _unescaped(text), text


def test_a_reset_link_shows_the_address_as_typed(app, world, mail_inbox):
    member = world.users["member"]
    member.email = "o'brien&co@example.fi"
    db.session.commit()
    response = app.test_client().post("/password-reset", data={"email": member.email})
    assert response.status_code == 200
    response.close()  # the mail goes once the response is closed, as a server does
    [message] = mail_inbox.to(member.email)
    text = message.get_content()
    assert "o'brien&co@example.fi" in text and link_in(message)
    assert _unescaped(text), text


def test_a_page_still_escapes_the_name_a_mail_shows_as_typed(world, login):
    member = world.users["member"]
    member.name = "<b>O'Brien</b> & Co"
    db.session.commit()
    html = login(world.users["admin"]).get(f"/admin/users/{member.id}").get_data(as_text=True)
    assert "Anonymise &lt;b&gt;O&#39;Brien&lt;/b&gt; &amp; Co" in html
    assert "<b>O'Brien</b>" not in html


# ---- one range for every date ----------------------------------------------------------------

# (who, address, the rest of the form, the date field, htmx): every form that takes a date.
DATE_FORMS = [
    (
        "member",
        "/improvements/{card}/edit",
        {**CARD, "title": "Kirjoitettu otsikko"},
        "due_date",
        False,
    ),
    ("supervisor", "/standups/{standup}/cards/{card}/due", {}, "due_date", True),
    ("member", "/a3/{sheet}/sections/goal/edit", GOAL, "target_date", True),
    ("member", "/a3/{sheet}/sections/effect/edit", EFFECT, "effect_planned_on", True),
    ("member", "/a3/{sheet}/sections/effect/edit", EFFECT, "effect_actual_on", True),
    ("member", "/a3/{sheet}/items/actions", {"what": "Kirjoitettu toimenpide"}, "due_on", True),
    ("member", "/a3/{sheet}/items/actions", {"what": "Kirjoitettu toimenpide"}, "due_on", False),
    ("member", "/teams/{team}/kaizen", KAIZEN_TYPED, "done_on", False),
    ("member", "/kaizen/{kaizen}/edit", {**KAIZEN, **KAIZEN_TYPED}, "done_on", False),
]
DATE_FILTERS = [
    ("admin", "/admin/audit?date_from={value}"),
    ("coordinator", "/dashboard?period=custom&date_from={value}&date_to=2026-01-01"),
    ("member", "/teams/{team}/kaizen?q=kirjoitettu&date_to={value}"),
]


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("role", "address", "form", "field", "htmx"), DATE_FORMS)
def test_a_date_outside_the_one_range_is_refused_with_the_message_and_kept(
    places, login_as, role, address, form, field, htmx, typed
):
    data = {name: places.fill(text, "") for name, text in form.items()}
    data[field] = typed
    response = login_as(role).post(
        places.fill(address, ""), data=data, headers=HTMX if htmx else {}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a date between 1.1.1900 and 31.12.2999." in html
    assert f'value="{typed}"' in html
    assert all(text in html for text in data.values() if text.startswith("Kirjoitettu"))


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(("role", "address"), DATE_FILTERS)
def test_a_filter_date_outside_the_range_is_refused_with_the_message_and_kept(
    places, login_as, role, address, typed
):
    response = login_as(role).get(places.fill(address, typed))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a date between 1.1.1900 and 31.12.2999." in html
    assert f'value="{typed}"' in html


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("member", "/improvements/{card}/edit"),
        ("supervisor", "/teams/{team}/standup"),
        ("member", "/a3/{sheet}/sections/goal/edit"),
        ("member", "/a3/{sheet}/sections/effect/edit"),
        ("member", "/improvements/{card}/a3"),
        ("member", "/teams/{team}/kaizen"),
        ("member", "/kaizen/{kaizen}/edit"),
        ("coordinator", "/dashboard?period=custom"),
        ("admin", "/admin/audit"),
    ],
)
def test_every_date_input_tells_the_browser_the_range(places, login_as, role, page):
    """The browser's date picker offers only the days the server takes."""
    html = login_as(role).get(places.fill(page, "")).get_data(as_text=True)
    date_inputs = re.findall(r'<input[^>]*type="date"[^>]*>', html)
    assert date_inputs
    for date_input in date_inputs:
        assert 'min="1900-01-01"' in date_input and 'max="2999-12-31"' in date_input, date_input


# ---- a password reset request answers alike whether or not the address has an account -------


@contextmanager
def _statements_run() -> Iterator[list[str]]:
    """The SQL statements run inside the block, each as its verb and table, in order (as
    conftest's query_counter counts them)."""
    ran: list[str] = []

    def record(connection, cursor, statement, *args):
        words = statement.split()
        if words[0] == "BEGIN":
            return
        after = ("FROM", "INTO", "UPDATE")
        table = next((words[i + 1] for i, word in enumerate(words[:-1]) if word in after), "")
        ran.append(f"{words[0]} {table}")

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield ran
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _page(response) -> str:
    """The page without its CSRF tokens, which differ from one response to the next."""
    page = response.get_data(as_text=True)
    return re.sub(r'name="csrf_token"[^>]*|value="[^"]*"|"X-CSRFToken": "[^"]*"', "", page)


def test_a_reset_request_does_the_same_work_whether_the_address_has_an_account_or_not(
    app, world, mail_inbox
):
    """Without timing anything: the request runs the same statements, on the same tables,
    and answers the same page; the link is made and mailed only after the response."""
    world.users["supervisor"].active = False
    world.foreign_organization.active = False
    db.session.commit()
    app.config["PASSWORD_RESET_MAX_PER_ADDRESS"] = 3
    client = app.test_client()
    asked = {
        "an account": ("member@example.fi", "192.0.2.1"),
        "no account": ("nobody@example.fi", "192.0.2.2"),
        "a deactivated account": ("supervisor@example.fi", "192.0.2.3"),
        "a deactivated organization": ("foreign@example.fi", "192.0.2.4"),
        "an address that asked too often": ("coordinator@example.fi", "192.0.2.5"),
    }
    for _ in range(3):
        client.post(
            "/password-reset",
            data={"email": "x@example.fi"},
            environ_base={"REMOTE_ADDR": "192.0.2.5"},
        ).close()

    statements, pages = {}, {}
    for case, (email, address) in asked.items():
        with _statements_run() as statements[case]:
            response = client.post(
                "/password-reset", data={"email": email}, environ_base={"REMOTE_ADDR": address}
            )
        assert response.status_code == 200
        pages[case] = _page(response)
        response.close()  # as a server does once it has sent the page

    # (PostgreSQL first takes its advisory locks, with a SELECT each.)
    assert "INSERT password_reset_request" in statements["an account"]
    for case in asked:
        assert statements[case] == statements["an account"], case
        assert pages[case] == pages["an account"], case
    [message] = mail_inbox.messages
    assert message["To"] == "member@example.fi" and link_in(message)
