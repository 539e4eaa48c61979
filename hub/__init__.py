"""The city knowledge-exchange hub: a Flask application factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hub import config as default_config
from hub.database import configure_engine, normalize_url
from hub.extensions import babel, csrf, db, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: defaults, then `HUB_*` environment variables, then `config`."""
    # HUB_INSTANCE_PATH moves the instance folder (database, search index, secret key file).
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("HUB_INSTANCE_PATH") or None,
    )
    app.config.from_object(default_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
        app.instance_path, "hub.sqlite"
    )
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = os.path.join(
        os.path.dirname(app.root_path), "translations"
    )
    app.config.from_prefixed_env("HUB")
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalize_url(app.config["SQLALCHEMY_DATABASE_URI"])
    check_secret_key(app)
    trust_proxies(app)
    os.makedirs(app.instance_path, exist_ok=True)

    register_extensions(app)
    register_models()
    register_errorhandlers(app)  # first: it adds the `<id:...>` URL converter the routes use
    register_blueprints(app)
    register_commands(app)
    return app


# The secret key `make run` writes on first run; read only when HUB_SECRET_KEY is unset.
SECRET_KEY_FILE = "secret_key"


def check_secret_key(app: Flask) -> None:
    """A secret key from the configuration, else from the instance folder's `secret_key` file
    (written by `make run`, so `.venv/bin/flask --app hub ...` works beside it); never made up
    here, except the fixed one of debug and testing."""
    if app.config.get("SECRET_KEY"):
        return
    path = os.path.join(app.instance_path, SECRET_KEY_FILE)
    if os.path.isfile(path):
        if os.stat(path).st_mode & 0o077:
            raise RuntimeError(
                f"{path} can be read by other users of this machine: run `chmod 600 {path}`, "
                "or set HUB_SECRET_KEY instead."
            )
        with open(path, encoding="utf-8") as file:
            key = file.read().strip()
        if key:
            app.config["SECRET_KEY"] = key
            return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = "dev-only-not-secret"
        return
    raise RuntimeError(
        "HUB_SECRET_KEY is not set. Set it to a long random value, for example: "
        "export HUB_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'). "
        f"`make run` generates one into {path}, which the hub reads when HUB_SECRET_KEY is unset."
    )


def trust_proxies(app: Flask) -> None:
    """Behind N reverse proxies (HUB_PROXY_FIX_X_FOR=N), read the client's address and scheme
    from their X-Forwarded-* headers, so sign-in throttling and the audit log see the real
    client; with none set, those headers are ignored, since anyone can send them."""
    hops = int(app.config.get("PROXY_FIX_X_FOR") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    from hub import assets, formatting, generation, i18n, markdown, search, security
    from hub.syndication import head, linked_data

    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    i18n.init_app(app)
    markdown.init_app(app)
    formatting.init_app(app)
    search.init_app(app)
    generation.install()
    security.init_app(app)
    head.init_app(app)
    linked_data.init_app(app)
    assets.init_app(app)


def register_models() -> None:
    """Every feature's tables, so the metadata (create_all, migrations) knows them all."""
    import hub.accounts.models
    import hub.audit
    import hub.cities.models
    import hub.content.models
    import hub.exchanges.models
    import hub.generation
    import hub.mail.models
    import hub.publishing.models
    import hub.search.outbox  # noqa: F401


def register_blueprints(app: Flask) -> None:
    from hub.accounts import admin
    from hub.accounts import pages as accounts
    from hub.atlas import pages as atlas
    from hub.catalog import cases, home, webinars
    from hub.cities import pages as cities
    from hub.exchanges import api as exchanges_api
    from hub.exchanges import pages as exchanges
    from hub.openapi import views as openapi
    from hub.pages import views as pages
    from hub.publishing import api as publishing_api
    from hub.publishing import pages as publishing
    from hub.search import views as search
    from hub.syndication import calendars, feeds, opendata, sitemap

    app.register_blueprint(home.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(webinars.bp)
    app.register_blueprint(cities.bp)
    app.register_blueprint(atlas.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(exchanges.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(publishing.bp)
    app.register_blueprint(publishing.reports_bp)
    app.register_blueprint(publishing_api.bp)
    app.register_blueprint(exchanges_api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(calendars.bp)
    app.register_blueprint(sitemap.bp)
    app.register_blueprint(opendata.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(pages.bp)


def register_errorhandlers(app: Flask) -> None:
    from hub import web

    web.init_app(app)


def register_commands(app: Flask) -> None:
    from hub.accounts import cli as accounts_cli
    from hub.content import cli as content_cli
    from hub.exchanges import cli as exchanges_cli
    from hub.mail import cli as mail_cli
    from hub.search import cli as search_cli

    content_cli.init_app(app)
    search_cli.init_app(app)
    accounts_cli.init_app(app)
    exchanges_cli.init_app(app)
    mail_cli.init_app(app)
