"""PDF downloads of print views, drawn by WeasyPrint from the same HTML the browser prints.

WeasyPrint rather than a headless browser: it is a pip package with no browser process to
run on the app server, and it honours the print stylesheet's @page rules (size A3 landscape,
running headers and footers) that the print views are written for.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

from flask import current_app

from lean.shared.downloads import content_disposition

# Pages are rendered with this base URL, so that "/static/..." links resolve to it.
BASE_URL = "http://vertaa.invalid/"


def html_to_pdf(html: str) -> bytes:
    """The PDF of a page rendered by our own templates.

    Only our static files are read (stylesheets, images); any other URL in the page is
    refused, so user text can never make the server fetch from the network or the disk.
    """
    import weasyprint  # imported late: it loads Pango, which only PDF downloads need
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from lean.core.static import source_filename

    static_folder = Path(current_app.static_folder or "static").resolve()
    static_url_path = cast(str, current_app.static_url_path)  # the app has a static folder
    static_prefix = BASE_URL.rstrip("/") + static_url_path.rstrip("/") + "/"

    class StaticFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if not url.startswith(static_prefix):
                raise ValueError(f"not fetched for a PDF: {url}")
            relative = urlsplit(url).path.removeprefix(urlsplit(static_prefix).path)
            relative = source_filename(relative)  # pages link the content-hashed names
            file = (static_folder / relative).resolve()
            if not file.is_relative_to(static_folder) or not file.is_file():
                raise ValueError(f"not fetched for a PDF: {url}")
            mime_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime_type})

    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
    # PDF/UA-1: tagged (a structure tree for screen readers), with the language and title of
    # the page (its <html lang> and <title>), as a public-sector publisher must provide.
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pdf_download(pdf: bytes, name: str) -> tuple[bytes, int, dict[str, str]]:
    """A response that saves the PDF as `name`.pdf (see downloads.download_name)."""
    return (
        pdf,
        200,
        {
            "Content-Type": "application/pdf",
            "Content-Disposition": content_disposition(f"{name}.pdf"),
        },
    )
