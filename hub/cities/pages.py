"""City profiles: the list, one city, the profile form of its focal point, and writing to it."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from hub import web
from hub.caching import reader_page
from hub.catalog import queries as catalog
from hub.catalog.schemas import CityFilters
from hub.cities import contact, profiles
from hub.cities.forms import CityMessageForm, CityProfileForm
from hub.errors import GENERAL, StepRefused
from hub.extensions import limiter
from hub.i18n import current_language
from hub.i18n import gettext as _
from hub.security.access import (
    FOCAL_POINT,
    PUBLIC,
    SIGNED_IN,
    allow,
    can_manage_city,
    not_found_for,
)

# Messages one member may send to cities: enough to reach several, too few to spam them.
CONTACT_LIMIT = "5 per hour;20 per day"

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
    flash(_("The city profile is saved."), "success")
    return redirect(url_for("cities.detail", slug=city.slug), 303)


def _member_key() -> str:
    return f"member:{current_user.id}"


@bp.route("/<slug:slug>/contact", methods=["GET", "POST"])
@allow(SIGNED_IN)
@limiter.limit(CONTACT_LIMIT, methods=["POST"], key_func=_member_key)
def write(slug: str):
    city = catalog.city_by_slug(slug)
    lang = current_language()
    form = CityMessageForm()
    reachable = bool(contact.focal_points(city))
    if not form.validate_on_submit():
        return _write_page(city, form, reachable), 400 if form.errors else 200
    try:
        contact.write_to_city(city, current_user, form.subject.data, form.message.data, lang)
    except StepRefused as error:
        form.form_errors.append(str(error.errors[GENERAL]))
        return _write_page(city, form, reachable), error.status
    flash(
        _(
            "Your message is on its way to the focal point of %(city)s. Their answer will come "
            "to your e-mail address.",
            city=city.display_name(lang),
        ),
        "success",
    )
    return redirect(url_for("cities.detail", slug=city.slug), 303)


def _write_page(city, form: CityMessageForm, reachable: bool) -> str:
    return render_template("cities/contact.html", city=city, form=form, reachable=reachable)
