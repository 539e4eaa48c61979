"""City profiles."""

from flask import Blueprint, render_template, request

from hub.security.access import PUBLIC, allow
from hub.services import catalog

bp = Blueprint("cities", __name__, url_prefix="/<lang:lang>/cities")


@bp.get("")
@allow(PUBLIC)
def index():
    filters = catalog.parse_city_filters(request.args)
    cities = [] if filters.errors else catalog.search_cities(filters)
    page = render_template("cities/list.html", filters=filters, cities=cities)
    return page, 400 if filters.errors else 200


@bp.get("/<slug:slug>")
@allow(PUBLIC)
def detail(slug: str):
    city = catalog.city_by_slug(slug)
    return render_template(
        "cities/detail.html",
        city=city,
        cases=catalog.cases_of_city(city),
        webinars=catalog.webinars_with_speakers_from(city),
        exchanges=catalog.exchanges_of_city(city),
    )
