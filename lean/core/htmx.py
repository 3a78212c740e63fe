"""Whether a request wants a fragment or the whole page, and the Vary header that follows."""

from flask import Response, g, request

# The request headers that decide between a page and a fragment: every answer that asked
# is_htmx() names them in Vary, so no cache hands a fragment to a browser that asked for a page.
HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def is_htmx() -> bool:
    """An htmx request that wants a fragment. htmx also sends HX-Request when Back restores a
    page it has not cached; that request must get the whole page, <html> and navigation."""
    g.answer_varies_by_htmx = True
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary_by_htmx(response: Response) -> Response:
    if g.get("answer_varies_by_htmx"):
        for header in HTMX_HEADERS:
            response.vary.add(header)
    return response
