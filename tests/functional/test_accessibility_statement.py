"""The accessibility statement: public, in three languages, linked from every page's footer."""

import pytest

from lean.site.accessibility import ASSESSED_ON, SUPERVISING_AUTHORITY

FOOTER_LINK = '<footer class="site-footer">\n    <a href="/accessibility">'


@pytest.mark.parametrize(
    ("language", "heading", "assessed", "gaps", "feedback"),
    [
        ("fi", "Saavutettavuusseloste", "29.11.2026", "Mikä ei vielä täytä vaatimuksia",
         "Ota yhteyttä organisaatiosi Vertaa-koordinaattoriin."),
        ("sv", "Tillgänglighetsutlåtande", "29.11.2026", "Vad som ännu inte uppfyller kraven",
         "Kontakta din organisations Vertaa-koordinator."),
        ("en", "Accessibility statement", "29.11.2026", "What does not conform yet",
         "Contact your organization's Vertaa coordinator."),
    ],
)  # fmt: skip
def test_anyone_reads_the_statement_in_their_language(
    client, language, heading, assessed, gaps, feedback
):
    response = client.get("/accessibility", headers={"Accept-Language": language})
    assert response.status_code == 200  # no login needed
    html = response.get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert assessed in html and ASSESSED_ON.year == 2026
    assert gaps in html
    assert feedback in html
    assert SUPERVISING_AUTHORITY["name"][language] in html
    assert SUPERVISING_AUTHORITY["email"] in html
    assert SUPERVISING_AUTHORITY["website"][language] in html


def test_the_feedback_address_is_configurable(app, client):
    app.config["ACCESSIBILITY_CONTACT"] = "saavutettavuus@jarvilaakso.example.fi"
    html = client.get("/accessibility").get_data(as_text=True)
    assert "Contact: saavutettavuus@jarvilaakso.example.fi" in html
    assert "Vertaa coordinator" not in html


def test_every_page_links_to_the_statement(client, login_as):
    assert FOOTER_LINK in client.get("/login").get_data(as_text=True)
    member = login_as("member")
    for path in ("/teams", "/network", "/no-such-page"):
        assert FOOTER_LINK in member.get(path).get_data(as_text=True), path
