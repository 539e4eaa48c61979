"""Full-text search: analysis, schema, the outbox indexer and querying. Only this package
imports Whoosh; the rest of the hub calls `store(app)` and the functions of `service`."""

from __future__ import annotations

import os

from flask import Flask, current_app

from hub.search import tracking
from hub.search.follower import BackgroundIndexer
from hub.search.store import IndexStore

EXTENSION = "hub.search"
ON_COMMIT = "hub.search.on_outbox_commit"


def init_app(app: Flask) -> None:
    app.config.setdefault("SEARCH_INDEX_DIR", os.path.join(app.instance_path, "search"))
    # "thread": this process applies the outbox after each commit (make run, tests);
    # "external": a `flask --app hub search sync --follow` process does (production).
    app.config.setdefault("SEARCH_SYNC", "thread")
    store = IndexStore(app.config["SEARCH_INDEX_DIR"])
    app.extensions[EXTENSION] = store
    app.extensions[ON_COMMIT] = []
    if app.config["SEARCH_SYNC"] == "thread":
        indexer = BackgroundIndexer(app, store)
        app.extensions["hub.search.indexer"] = indexer
        app.extensions[ON_COMMIT].append(indexer.notify)
        app.before_request(indexer.ensure_started)
    tracking.install()


def store(app: Flask | None = None) -> IndexStore:
    return (app or current_app).extensions[EXTENSION]


def background_indexer(app: Flask | None = None) -> BackgroundIndexer | None:
    return (app or current_app).extensions.get("hub.search.indexer")
