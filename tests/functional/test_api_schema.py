"""A property-based run of the whole API against its own OpenAPI description (schemathesis):
for every operation, requests made of valid and of invalid data, with a read-write token and a
seeded organization, get no 5xx and no answer that breaks the description (status, media type,
headers, body). The description itself is checked against the OpenAPI 3.0 meta-schema.

It runs with the rest of the tests (`make test`, and so CI). Each operation gets a bounded
number of examples (API_SCHEMA_EXAMPLES, 15 by default) so the run stays short.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

from lean.boards import checklists
from lean.core.extensions import db
from tests.conftest import make_improvement, make_kaizen
from tests.functional.api_support import token_for

EXAMPLES = int(os.environ.get("API_SCHEMA_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(app, world):
    """The world with more to read: cards in several stages with checklists, a kaizen."""
    member = world.users["member"]
    for stage in ("plan", "do", "done"):
        card = make_improvement(world.team, member, stage=stage)
        checklists.add_checklist_item(member, card, "Kohta")
    make_kaizen(world.team, member)
    db.session.commit()
    # The run makes many requests with one token.
    app.config["API_RATE_LIMIT"] = 1_000_000
    return token_for(member)


def test_the_description_validates(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert [error.message for error in OPENAPI_30_VALIDATOR.iter_errors(spec)] == []


def test_every_operation_keeps_to_the_description(app, seeded):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # The WSGI client does not undo the compression the app applies (lean/core/static.py).
    headers = {"Authorization": f"Bearer {seeded}", "Accept-Encoding": "identity"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate, Phase.shrink],
                suppress_health_check=list(HealthCheck),
            )
            def keeps_to_it(case):
                case.call_and_validate(headers=headers, checks=CHECKS)

            keeps_to_it()
