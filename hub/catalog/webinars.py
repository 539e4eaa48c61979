"""Webinar and event records."""

from flask import Blueprint, current_app, render_template

from hub import web
from hub.caching import reader_page
from hub.catalog import queries as catalog
from hub.catalog.schemas import PageArgs
from hub.security.access import PUBLIC, allow

bp = Blueprint(
    "webinars", __name__, url_prefix="/<lang:lang>/webinars", template_folder="templates"
)


@bp.get("")
@allow(PUBLIC)
@reader_page
def index():
    args = web.parse_args(PageArgs)
    pagination = catalog.webinar_listing(args.page, current_app.config["PER_PAGE"])
    return render_template("webinars/list.html", pagination=pagination)


@bp.get("/<slug:slug>")
@allow(PUBLIC)
@reader_page
def detail(slug: str):
    return render_template("webinars/detail.html", webinar=catalog.webinar_page(slug))
