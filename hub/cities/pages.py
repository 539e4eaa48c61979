"""City profiles."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hub.catalog import queries as catalog
from hub.cities import profiles as city_profiles
from hub.extensions import db
from hub.security.access import FOCAL_POINT, PUBLIC, allow, can_manage_city, not_found_for

bp = Blueprint("cities", __name__, url_prefix="/<lang:lang>/cities", template_folder="templates")


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


@bp.route("/<slug:slug>/edit", methods=["GET", "POST"])
@allow(FOCAL_POINT)
def edit(slug: str):
    city = catalog.city_by_slug(slug)
    if not can_manage_city(current_user, city.id):
        not_found_for(f"city:{city.id}")
    errors = {}
    if request.method == "POST":
        try:
            city_profiles.update_profile(city, request.form, current_user)
        except city_profiles.ProfileError as error:
            errors = error.errors
        else:
            db.session.commit()
            flash(_("The city profile is saved."), "notice")
            return redirect(url_for("cities.detail", slug=city.slug)), 303
    page = render_template(
        "cities/edit.html", city=city, errors=errors, themes=catalog.all_themes(), form=request.form
    )
    return page, 400 if errors else 200
