"""Case studies: the filtered list and one case."""

from flask import Blueprint, current_app, render_template

from hub import web
from hub.caching import reader_page
from hub.catalog import queries as catalog
from hub.catalog.schemas import CaseFilters
from hub.security.access import PUBLIC, allow

bp = Blueprint("cases", __name__, url_prefix="/<lang:lang>/cases", template_folder="templates")


@bp.get("")
@allow(PUBLIC)
@reader_page
def index():
    filters = web.parse_args(CaseFilters)
    listing = catalog.case_listing(filters, current_app.config["PER_PAGE"])
    return render_template("cases/list.html", listing=listing, filters=filters)


@bp.get("/<slug:slug>")
@allow(PUBLIC)
@reader_page
def detail(slug: str):
    found = catalog.case_page(slug)
    return render_template("cases/detail.html", case=found.case, related=found.related)
