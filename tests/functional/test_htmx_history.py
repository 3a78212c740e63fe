"""Pages that answer htmx with a fragment: Back restores the whole page, and caches keep the
two answers apart.

htmx 2 sends `HX-Request: true` also when Back restores a page it did not keep
(`HX-History-Restore-Request: true`); that request must get the page with its <html> and
navigation, not the fragment a filter change got.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_kaizen
from tests.functional.test_dashboard import TERM_ARGS
from tests.unit.test_metrics import seed_history

FRAGMENT = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture
def pages(app, login):
    """A coordinator and the addresses of the pages that answer htmx with a fragment."""
    history = seed_history()
    make_kaizen(history.team_b, history.coordinator, title="Kahvinkeitin lähemmäs")
    client = login(history.coordinator)
    return client, {
        "dashboard": f"/dashboard?{TERM_ARGS}",
        "board": f"/teams/{history.team_b.id}/board",
        "kaizen log": f"/teams/{history.team_b.id}/kaizen",
    }


@pytest.mark.parametrize("page", ["dashboard", "board", "kaizen log"])
def test_a_history_restore_gets_the_whole_page(pages, page):
    client, urls = pages
    fragment = client.get(urls[page], headers=FRAGMENT).get_data(as_text=True)
    assert "<html" not in fragment, "the ordinary htmx request should get the fragment"

    restored = client.get(urls[page], headers=HISTORY_RESTORE)
    html = restored.get_data(as_text=True)
    assert restored.status_code == 200
    assert "<html" in html and 'id="main"' in html
    assert "<nav" in html


@pytest.mark.parametrize("page", ["dashboard", "board", "kaizen log"])
@pytest.mark.parametrize("headers", [{}, FRAGMENT, HISTORY_RESTORE])
def test_every_answer_that_can_be_a_fragment_or_a_page_varies_by_the_htmx_headers(
    pages, page, headers
):
    client, urls = pages
    response = client.get(urls[page], headers=headers)
    assert {"HX-Request", "HX-History-Restore-Request"} <= set(response.vary)
