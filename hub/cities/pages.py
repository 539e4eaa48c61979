"""City profiles: the list, one city, and the profile form of its focal point."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from hub import web
from hub.caching import reader_page
from hub.catalog import queries as catalog
from hub.catalog.schemas import CityFilters
from hub.cities import profiles
from hub.cities.forms import CityProfileForm
from hub.security.access import FOCAL_POINT, PUBLIC, allow, can_manage_city, not_found_for

bp = Blueprint("cities", __name__, url_prefix="/<lang:lang>/cities", template_folder="templates")


@bp.get("")
@allow(PUBLIC)
@reader_page
def index():
    filters = web.parse_args(CityFilters)
    cities = catalog.city_listing(filters)
    return render_template("cities/list.html", filters=filters, cities=cities)


@bp.get("/<slug:slug>")
@allow(PUBLIC)
@reader_page
def detail(slug: str):
    found = catalog.city_page(slug)
    return render_template(
        "cities/detail.html",
        city=found.city,
        cases=found.cases,
        webinars=found.webinars,
        exchanges=found.exchanges,
    )


@bp.route("/<slug:slug>/edit", methods=["GET", "POST"])
@allow(FOCAL_POINT)
def edit(slug: str):
    city = catalog.city_by_slug(slug)
    if not can_manage_city(current_user, city.id):
        not_found_for(f"city:{city.id}")
    themes = catalog.all_themes()
    form = CityProfileForm.for_city(city, themes)
    if not form.validate_on_submit():
        page = render_template("cities/edit.html", city=city, form=form)
        return page, 400 if form.errors else 200
    if form.changed_meanwhile(city.version, form.values_of(city)):
        return render_template("cities/edit.html", city=city, form=form), 409
    try:
        profiles.update_profile(
            city,
            summaries=form.summaries(),
            languages=form.languages.data,
            mentor_capacity=form.mentor_capacity.data,
            expertise=form.chosen_themes(themes),
            actor=current_user,
        )
    except StaleDataError:
        # Saved by someone else between this request's read and its write.
        web.start_over()
        form.changed_meanwhile(city.version, form.values_of(city))
        form.stale = True
        return render_template("cities/edit.html", city=city, form=form), 409
    flash(_("The city profile is saved."), "notice")
    return redirect(url_for("cities.detail", slug=city.slug), 303)
