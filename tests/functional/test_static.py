"""Static files: a content hash in the URL, a year in the browser's cache; compressed pages."""

import hashlib
from pathlib import Path

from flask import url_for

STATIC = Path(__file__).resolve().parents[2] / "static"


def test_static_urls_carry_the_content_hash_and_a_year_long_lifetime(app, client):
    with app.test_request_context():
        url = url_for("static", filename="css/vertaa.css")
    digest = hashlib.sha256((STATIC / "css/vertaa.css").read_bytes()).hexdigest()[:12]
    assert url == f"/static/css/vertaa.{digest}.css"

    response = client.get(url)
    assert response.status_code == 200
    assert response.data == (STATIC / "css/vertaa.css").read_bytes()
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable
    response.close()


def test_pages_link_the_hashed_files(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/static/css/vertaa.css"' not in html
    assert "/static/css/vertaa." in html
    assert "/static/js/vertaa." in html


def test_an_old_or_plain_name_gets_the_current_file_without_the_long_lifetime(client):
    for url in ("/static/css/vertaa.css", "/static/css/vertaa.000000000000.css"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.data == (STATIC / "css/vertaa.css").read_bytes()
        assert response.cache_control.max_age == 0
        response.close()
    assert client.get("/static/css/nothing-here.css").status_code == 404


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    plain = client.get("/login")
    packed = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
