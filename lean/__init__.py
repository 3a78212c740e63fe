"""Vertaa: a Lean improvement tracker for a network of vocational-education organizations."""

from pathlib import Path

from flask import Flask

from lean import config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, error pages and CLI."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.load(app, test_config)

    from lean import cli, errors, extensions, i18n, security, web
    from lean.admin import admin_blueprint
    from lean.admin.views import profile_blueprint
    from lean.auth import auth_blueprint
    from lean.boards import boards_blueprint
    from lean.kaizen import kaizen_blueprint
    from lean.network import network_blueprint

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(ROOT / "migrations"))
    extensions.csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    app.register_blueprint(admin_blueprint)
    app.register_blueprint(profile_blueprint)
    app.register_blueprint(auth_blueprint)
    app.register_blueprint(boards_blueprint)
    app.register_blueprint(kaizen_blueprint)
    app.register_blueprint(network_blueprint)
    return app
