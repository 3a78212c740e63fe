"""E-mail digests and due-date reminders, sent to a real SMTP server."""

from datetime import timedelta

from sqlalchemy import select

from lean.conversation import digests
from lean.conversation import services as conversation
from lean.core.extensions import db
from lean.models import Notification
from lean.models.base import utcnow
from tests.conftest import make_improvement, today
from tests.functional.test_links import app, inbox, smtp_server  # noqa: F401  (real SMTP)


def body_of(message) -> str:
    return message.get_content()


def test_a_digest_per_person_in_their_language_never_the_same_item_twice(
    app,  # noqa: F811
    world,
    inbox,  # noqa: F811
):
    app.config["BASE_URL"] = "https://vertaa.example.fi/"
    member = world.users["member"]
    member.language, member.digest_frequency = "fi", "daily"
    supervisor = world.users["supervisor"]
    supervisor.digest_frequency = "none"
    db.session.commit()
    conversation.comment_on_card(supervisor, world.improvement, "Hyvä alku", [])
    conversation.comment_on_card(member, world.improvement, f"@{supervisor.name} kiitos", [])
    db.session.commit()  # as at the end of a request: the people concerned are told

    now = utcnow()
    assert digests.send_digests(now) == 1
    [message] = inbox.messages
    assert message["To"] == member.email
    assert message["Subject"] == "Vertaa: mitä on tapahtunut edellisen koosteen jälkeen"
    text = body_of(message)
    assert "kommentoi korttiasi: Oma kortti" in text
    assert f"https://vertaa.example.fi/improvements/{world.improvement.id}#comment-" in text
    # The supervisor chose no digests; a second run sends nothing at all.
    assert digests.send_digests(now + timedelta(minutes=5)) == 0
    assert digests.send_digests(now + timedelta(days=2)) == 0
    assert len(inbox.messages) == 1

    # Something new: the next day's digest carries only that.
    conversation.comment_on_card(world.users["coordinator"], world.improvement, "Uusi", [])
    db.session.commit()
    assert digests.send_digests(now + timedelta(days=3)) == 1
    text = body_of(inbox.messages[-1])
    assert text.count("Oma kortti") == 1 and world.users["coordinator"].name in text


def test_weekly_digests_wait_for_their_week_and_empty_ones_are_not_sent(
    app,  # noqa: F811
    world,
    inbox,  # noqa: F811
):
    member = world.users["member"]  # weekly by default
    assert member.digest_frequency == "weekly"
    member.language = "en"
    db.session.commit()
    now = utcnow()
    assert digests.send_digests(now) == 0  # nothing to tell: no mail
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Eka", [])
    db.session.commit()
    assert digests.send_digests(now) == 1
    assert "commented on your card: Oma kortti" in body_of(inbox.messages[0])
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Toka", [])
    db.session.commit()
    assert digests.send_digests(now + timedelta(days=3)) == 0
    assert digests.send_digests(now + timedelta(days=7)) == 1
    assert len(inbox.messages) == 2


def test_the_command_reminds_of_cards_due_tomorrow_once(
    app,  # noqa: F811
    world,
    inbox,  # noqa: F811
):
    member = world.users["member"]
    member.language = "en"
    due = make_improvement(world.team, member, title="Huomenna valmis")
    due.due_date = today() + timedelta(days=1)
    make_improvement(world.team, member, title="Ensi viikolla").due_date = today() + timedelta(7)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-digests"])
    assert result.exit_code == 0, result.output
    assert "1 digests sent" in result.output
    assert "due tomorrow: Huomenna valmis" in body_of(inbox.messages[0])
    assert "Ensi viikolla" not in body_of(inbox.messages[0])
    assert runner.invoke(args=["notify-due"]).output.startswith("0 reminders")
    reminders = db.session.scalars(select(Notification.reason)).all()
    assert reminders == ["due_tomorrow"]


def test_the_profile_sets_the_digest(
    app,  # noqa: F811
    world,
    login,
):
    client = login(world.users["member"])
    assert 'id="digest-weekly" value="weekly" checked' in client.get("/profile").get_data(
        as_text=True
    )
    client.post("/profile/digest", data={"digest_frequency": "daily"})
    db.session.expire_all()
    assert world.users["member"].digest_frequency == "daily"
    client.post("/profile/digest", data={"digest_frequency": "hourly"})  # not a choice
    db.session.expire_all()
    assert world.users["member"].digest_frequency == "daily"
