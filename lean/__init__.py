"""Vertaa: a Lean improvement tracker for a network of vocational-education organizations."""

from collections.abc import Callable
from inspect import CO_COROUTINE
from pathlib import Path

from flask import Flask

from lean.core import config
from lean.core.unit_of_work import UnitOfWorkFlask
from lean.core.urls import HostCheckingFlask

ROOT = Path(__file__).resolve().parent.parent


class VertaaFlask(UnitOfWorkFlask, HostCheckingFlask):
    """Flask that answers only its trusted hosts (lean/core/urls.py) and commits each request
    once, at its end (lean/core/unit_of_work.py)."""

    def ensure_sync(self, func: Callable) -> Callable:
        # Flask asks `inspect` whether a hook is a coroutine function each time it calls it:
        # some fifty times a page (its hooks, and its context processors once per template).
        # A plain function or method answers from its code's flags; anything else asks Flask.
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        if code is None or code.co_flags & CO_COROUTINE or hasattr(func, "_is_coroutine_marker"):
            return super().ensure_sync(func)
        return func


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages and CLI."""
    app = VertaaFlask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.load(app, test_config)

    # Each area's views module defines its blueprint; the area packages themselves import no
    # views, so that one area can use another's services or queries without its routes.
    from lean.a3.views import a3_blueprint
    from lean.admin import (
        import_views,  # noqa: F401  (its routes join the admin blueprint)
        mail_failure_views,  # noqa: F401  (its route joins the admin blueprint)
    )
    from lean.admin.blueprint import admin_blueprint
    from lean.admin.views import profile_blueprint
    from lean.api.token_views import tokens_blueprint
    from lean.auth import (
        link_views,  # noqa: F401  (its routes join the auth blueprint)
        sign_on_views,  # noqa: F401  (its routes join the auth blueprint)
    )
    from lean.auth.views import auth_blueprint
    from lean.boards import (
        checklist_views,  # noqa: F401  (its routes join the boards blueprint)
        files_views,  # noqa: F401  (its routes join the boards blueprint)
        limits_views,  # noqa: F401  (its route joins the boards blueprint)
        template_views,  # noqa: F401  (its routes join the boards blueprint)
        undo_views,  # noqa: F401  (its route joins the boards blueprint)
    )
    from lean.boards import (
        import_views as board_import_views,  # noqa: F401  (its routes join the boards blueprint)
    )
    from lean.boards.views import boards_blueprint
    from lean.calendar.views import calendar_blueprint
    from lean.conversation import views as conversation_views
    from lean.core import (
        cli,
        conditional,
        errors,
        extensions,
        i18n,
        input_checks,
        jobs,
        security,
        static,
        unit_of_work,
        urls,
        widgets,
    )
    from lean.dashboard.views import dashboard_blueprint
    from lean.kaizen.views import kaizen_blueprint
    from lean.network import notices
    from lean.network.views import network_blueprint
    from lean.shared import pieces, web
    from lean.site.accessibility import accessibility_blueprint
    from lean.site.search import search_blueprint
    from lean.standups.views import standups_blueprint
    from lean.webhooks import delivery as webhook_delivery
    from lean.webhooks.views import webhooks_blueprint

    # First: the id converter must be in place before any route is added.
    input_checks.init_app(app)
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    widgets.install()
    extensions.cache.init_app(app)
    jobs.init_app(app)
    # Before i18n, whose hook loads the person: a quick check answers without loading them,
    # and a read on PostgreSQL starts in autocommit.
    conditional.init_app(app)
    unit_of_work.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    web.init_app(app)
    static.init_app(app)
    errors.init_app(app)
    urls.init_app(app)
    cli.init_app(app, _area_work())
    # Before the blueprints: each area's blueprint registers its page pieces as it is registered.
    pieces.init_app(app)
    # Subscribers of committed events (lean/shared/events.py).
    notices.init_app(app)
    webhook_delivery.init_app(app)
    conversation_views.init_app(app)

    app.register_blueprint(admin_blueprint)
    app.register_blueprint(profile_blueprint)
    app.register_blueprint(auth_blueprint)
    app.register_blueprint(boards_blueprint)
    app.register_blueprint(kaizen_blueprint)
    app.register_blueprint(standups_blueprint)
    app.register_blueprint(a3_blueprint)
    app.register_blueprint(dashboard_blueprint)
    app.register_blueprint(network_blueprint)
    app.register_blueprint(accessibility_blueprint)
    app.register_blueprint(search_blueprint)
    app.register_blueprint(calendar_blueprint)
    app.register_blueprint(tokens_blueprint)
    from lean.api import api as json_api  # the JSON API under /api/v1 (lean/api/api.py)

    json_api.init_app(app)
    app.register_blueprint(webhooks_blueprint)

    if app.config["PROXY_COUNT"]:
        # Behind a proxy the client's address, scheme and host come from its headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        # Flask's documented way to wrap its WSGI app, which mypy takes for a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    return app


def _area_work():
    """The areas' part of the commands (lean/core/cli.py), imported when a command runs."""
    from lean.core.cli import AreaWork

    def seed_demo():
        from lean.seeds.demo import seed_demo

        return seed_demo()

    def seed_scale(**options):
        from lean.seeds.scale import seed_scale

        return seed_scale(**options)

    def purge_deleted_kaizens() -> int:
        from lean.kaizen.services import purge_deleted_kaizens

        return purge_deleted_kaizens()

    def remove_orphaned_files() -> int:
        from lean.shared.uploads import remove_orphaned_files

        return remove_orphaned_files()

    def prune_throttle_records() -> tuple[int, int]:
        from lean.auth.services import prune_throttle_records

        return prune_throttle_records()

    def notify_due_tomorrow() -> int:
        from lean.conversation import digests
        from lean.shared.web import today

        return digests.notify_due_tomorrow(today())

    def send_digests() -> int:
        from lean.conversation import digests

        return digests.send_digests()

    def make_recurring_cards() -> int:
        from lean.boards.card_templates import make_recurring_cards

        return make_recurring_cards()

    def record_over_limit_days() -> int:
        from lean.boards.limits import record_every_over_limit_day

        return record_every_over_limit_day()

    def password_problem(password: str) -> str | None:
        from lean.auth.passwords import password_problem

        return password_problem(password)

    return AreaWork(
        password_problem=password_problem,
        seed_demo=seed_demo,
        seed_scale=seed_scale,
        purge_deleted_kaizens=purge_deleted_kaizens,
        remove_orphaned_files=remove_orphaned_files,
        prune_throttle_records=prune_throttle_records,
        notify_due_tomorrow=notify_due_tomorrow,
        send_digests=send_digests,
        make_recurring_cards=make_recurring_cards,
        record_over_limit_days=record_over_limit_days,
    )
