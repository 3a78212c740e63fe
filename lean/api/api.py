"""The JSON API under /api/v1: its description, its token check, and the resources it serves.

The description (OpenAPI 3) is made by flask-smorest from the resources' code and served at
/api/v1/openapi.json; /api/v1/docs shows it as a page of the app's own (no script from
elsewhere, so it works offline under the app's strict content security policy). Both are
public: they describe the API, not anyone's data.

Every resource request needs `Authorization: Bearer <token>` (a personal access token,
lean/api/services.py) and acts with exactly the token's person's rights: views load objects
through lean/shared/policy.py with `api_user()`, and Flask-Login's `current_user` is that
person too for anything that asks it, never the person of a login cookie the request may
carry. A read-only token may only read (403 otherwise). Each token may make API_RATE_LIMIT
requests per API_RATE_WINDOW seconds (429 with Retry-After). CSRF does not apply: no cookie
authorizes a request here.

A resource is a module of its own (lean/api/improvements.py is one): it makes its blueprint
with `resource_blueprint`, routes it with flask-smorest's decorators, and is named in
RESOURCES below.
"""

from __future__ import annotations

import http
from importlib import import_module

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, g, render_template, request
from flask_smorest import Api, Blueprint  # type: ignore[import-untyped]
from flask_smorest.utils import prepare_response  # type: ignore[import-untyped]

from lean.api import services
from lean.api.problems import PROBLEM_MEDIA_TYPE, ApiProblem, ProblemSchema, problem_response
from lean.core import errors
from lean.core.extensions import READ_ONLY_METHODS, csrf, login_manager
from lean.core.unit_of_work import bookkeeping
from lean.models import User
from lean.models.base import utcnow
from lean.models.connect import ApiToken

API_PREFIX = "/api/v1"
# The modules that each define one resource's blueprint as `blueprint`.
RESOURCES = (
    "lean.api.improvements",
    "lean.api.events",
    "lean.api.organizations",
    "lean.api.teams",
    "lean.api.kaizens",
    "lean.api.a3_sheets",
    "lean.api.standups",
    "lean.api.metrics",
    "lean.api.practices",
)

DESCRIPTION = """Vertaa's improvements, their events and the rest of the Lean work of an
organization, for reports (Excel, Power BI) and for other systems.

Every request needs a personal access token, made on your profile page:
`Authorization: Bearer <token>`. The token acts with exactly your rights; a read-only token
may only read.

Lists are paged with a cursor: `limit` (at most 200) and the `next` link of each page (also in
the Link header). Every list is also CSV (UTF-8 with BOM, for Excel) with `Accept: text/csv`.
Times are ISO 8601 with their zone. Errors are problem details (RFC 9457,
application/problem+json) in the language of Accept-Language (fi, sv or en).
"""


class VertaaApi(Api):
    """flask-smorest's Api whose errors are problem details, answered for the whole path
    (lean/core/errors.py) rather than by a handler of its own for every HTTP error of the app."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """Not flask-smorest's JSON for every HTTP error of the app: only API paths answer
        with problem details (init_app), the app's pages keep their error pages."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MEDIA_TYPE)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


def resource_blueprint(name: str, import_name: str, description: str) -> Blueprint:
    """A resource's blueprint under /api/v1, each of its requests authenticated by its token."""
    blueprint = Blueprint(name, import_name, url_prefix=API_PREFIX, description=description)
    blueprint.before_request(_authenticate)
    blueprint.after_request(_kept_private)
    return blueprint


def api_user() -> User:
    """The person whose token the request carries: the user of every policy question."""
    return g.api_token.user


def api_token() -> ApiToken:
    return g.api_token


def _authenticate() -> None:
    # No login cookie speaks for an API request, whatever it carries.
    g._login_user = login_manager.anonymous_user()
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiProblem(401, headers={"WWW-Authenticate": 'Bearer realm="vertaa"'})
    config = current_app.config
    now = utcnow()
    wait = None
    # The token's last use and its count are kept even when the request only reads.
    with bookkeeping():
        # One write to the token's row: the count marks it used too.
        token = services.authenticate(raw.strip(), now, mark_used=False)
        if token is not None:
            wait = services.count_request(
                token, now, config["API_RATE_LIMIT"], config["API_RATE_WINDOW"]
            )
    if token is None:
        raise ApiProblem(
            401,
            kind="token",
            headers={"WWW-Authenticate": 'Bearer realm="vertaa", error="invalid_token"'},
        )
    if wait is not None:
        raise ApiProblem(429, kind="rate-limit", headers={"Retry-After": str(wait)})
    if request.method not in READ_ONLY_METHODS and not token.can_write:
        raise ApiProblem(403, kind="read-only-token")
    if request.content_length and not request.is_json:
        raise ApiProblem(415)
    g.api_token = token
    g._login_user = token.user


def _kept_private(response):
    """A person's data: never kept by a shared cache, and told apart by token, format and
    language by any other."""
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.update(("Authorization", "Accept", "Accept-Language"))
    return response


def _docs_page():
    """The API's description as a page: its paths, their parameters and answers, its schemas."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    return render_template("api/docs.html", spec=spec)


def init_app(app: Flask) -> None:
    app.config.update(
        API_TITLE="Vertaa API",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {"description": DESCRIPTION},
            "security": [{"token": []}],
        },
    )
    api = VertaaApi(app)
    api.spec.components.security_scheme(
        "token",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token from your profile page",
        },
    )
    errors.answer_errors_under(app, API_PREFIX, problem_response)
    for name in RESOURCES:
        blueprint = import_module(name).blueprint
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint)
    docs = FlaskBlueprint("api_docs", __name__, url_prefix=API_PREFIX)
    docs.add_url_rule("/docs", "page", _docs_page)
    app.register_blueprint(docs)
