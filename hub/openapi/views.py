"""The OpenAPI document at /api/v1/openapi.json, and a page that renders it at /<lang>/api."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from hub.openapi import spec
from hub.security.access import PUBLIC, allow

bp = Blueprint("openapi", __name__, template_folder="templates")


def document() -> dict:
    """Built once per app: the routes and schemas do not change while it runs."""
    cached = current_app.extensions.get("hub_openapi")
    if cached is None:
        cached = current_app.extensions["hub_openapi"] = spec.build(current_app)
    return cached


@bp.get("/api/v1/openapi.json")
@allow(PUBLIC)
def openapi_json():
    return jsonify(document())


@bp.get("/<lang:lang>/api")
@allow(PUBLIC)
def page():
    return render_template("openapi/page.html", document=document())
