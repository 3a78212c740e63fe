"""The top bar is rendered once per person, page and language and then kept
(lean/shared/site_header.py): whatever it shows that changes shows at once."""

import re

from lean.admin.services import update_profile, update_user
from lean.auth.services import set_language
from lean.conversation import services as conversation
from lean.core import unit_of_work


def header(client, url: str = "/teams") -> str:
    html = client.get(url).get_data(as_text=True)
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def tokens(html: str) -> list[str]:
    return re.findall(r'name="csrf_token" value="([^"]+)"', html)


def test_a_renamed_person_a_new_right_and_another_language_show_at_once(world, login_as):
    client = login_as("member")
    member = world.users["member"]
    first = header(client)
    assert f'<span class="who">{member.name}</span>' in first and "/dashboard" not in first

    update_profile(member, name="Maija Uusinimi", language=member.language)
    assert '<span class="who">Maija Uusinimi</span>' in header(client)

    update_user(world.users["admin"], member, is_coordinator=True)
    assert 'href="/dashboard"' in header(client)

    set_language(member, "sv")
    unit_of_work.commit()
    assert "Logga ut" in header(client)


def test_its_forms_carry_a_fresh_token_that_works(world, login_as, app):
    client = login_as("member")
    app.config["WTF_CSRF_ENABLED"] = True
    first, second = header(client), header(client)
    assert len(tokens(first)) == 2 and set(tokens(first)).isdisjoint(tokens(second))
    logout_token = tokens(second)[1]
    assert client.post("/logout", data={"csrf_token": logout_token}).status_code == 303
    assert client.get("/teams").status_code == 302  # logged out


def test_the_page_and_the_search_are_its_own(world, login_as):
    client = login_as("member")
    teams = header(client, "/teams")
    network = header(client, "/network")
    assert 'href="/teams" aria-current="page"' in teams and 'aria-current="page"' not in (
        teams.replace('href="/teams" aria-current="page"', "")
    )
    assert 'href="/network" aria-current="page"' in network
    assert 'name="next" value="/network?"' in network
    searched = header(client, "/search?q=%3Cb%3Ekahvi")
    assert 'value="&lt;b&gt;kahvi"' in searched
    assert "kahvi" not in header(client, "/teams?q=kahvi").split('id="site-search-q"')[1][:200]


def test_the_bell_counts_afresh_under_the_kept_bar(world, login_as):
    client = login_as("member")
    assert 'data-unread="0"' in header(client)
    conversation.comment_on_card(world.users["supervisor"], world.improvement, "Katso", [])
    assert 'data-unread="1"' in header(client)
