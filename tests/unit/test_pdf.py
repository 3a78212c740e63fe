"""PDF downloads: drawn from our HTML, reading nothing but our static files."""

import logging

from lean.shared.pdf import html_to_pdf


def test_a_page_becomes_a_pdf_with_our_stylesheet(app):
    with app.test_request_context():
        pdf = html_to_pdf(
            '<link rel="stylesheet" href="/static/css/vertaa.css"><h1>Hyvä käytäntö</h1>'
        )
    assert pdf.startswith(b"%PDF-")


def test_nothing_outside_our_static_files_is_fetched(app, caplog):
    page = (
        '<img src="file:///etc/passwd"><img src="http://example.com/x.png">'
        '<link rel="stylesheet" href="/static/../lean/config.py">'
    )
    with app.test_request_context(), caplog.at_level(logging.ERROR, logger="weasyprint"):
        assert html_to_pdf(page).startswith(b"%PDF-")
    refused = [r.getMessage() for r in caplog.records if "not fetched for a PDF" in r.getMessage()]
    assert len(refused) == 3
