"""The security headers (Flask-Talisman), worked out once rather than on every response.

Talisman builds each response's policy headers anew: it reads the view's own options five
times and joins the content security policy from its parts, some 100 µs a request. No view of
Vertaa sets options of its own and no page uses a nonce, so every response carries the same
headers; only HSTS depends on the request (it goes to secure requests alone) and is still
decided for each. A view that did set its own options would get Talisman's own handling.
"""

from __future__ import annotations

import flask
from flask_talisman import Talisman
from werkzeug.datastructures import Headers


class SteadyTalisman(Talisman):
    """Talisman, with the headers every response shares made once."""

    _steady: Headers | None = None

    def init_app(self, app, **options):
        super().init_app(app, **options)
        self._steady = None  # made again from these options

    def _view_has_options(self) -> bool:
        view = flask.current_app.view_functions.get(flask.request.endpoint)  # type: ignore[arg-type]
        return hasattr(view, "talisman_view_options")

    def _force_https(self):
        if self.force_https or self._view_has_options():
            return super()._force_https()
        if self.session_cookie_secure and not self.app.debug:
            self.app.config["SESSION_COOKIE_SECURE"] = True  # as Talisman does on each request
        return None

    def _make_nonce(self):
        if self.content_security_policy_nonce_in or self._view_has_options():
            super()._make_nonce()

    def _set_response_headers(self, response):
        if self.content_security_policy_nonce_in or self._view_has_options():
            return super()._set_response_headers(response)
        if self._steady is None:
            steady = Headers()
            options = self._get_local_options()
            self._set_feature_policy_headers(steady, options)
            self._set_permissions_policy_headers(steady, options)
            self._set_document_policy_headers(steady, options)
            self._set_frame_options_headers(steady, options)
            self._set_content_security_policy_headers(steady, options)
            self._steady = steady
        for name, value in self._steady.items():
            response.headers[name] = value
        self._set_hsts_headers(response.headers)
        self._set_referrer_policy_headers(response.headers)
        return response
