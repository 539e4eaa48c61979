"""The language chooser at `/`, the home page and theme pages."""

from datetime import date

from flask import Blueprint, redirect, render_template, url_for

from hub.caching import reader_page
from hub.catalog import queries as catalog
from hub.i18n import browser_language
from hub.security.access import PUBLIC, allow

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@allow(PUBLIC)
def root():
    response = redirect(url_for("home.index", lang=browser_language()))
    response.vary.add("Accept-Language")
    return response


@bp.get("/<lang:lang>/")
@allow(PUBLIC)
@reader_page
def index():
    return render_template("home/index.html", home=catalog.home_page(date.today()))


@bp.get("/<lang:lang>/themes")
@allow(PUBLIC)
@reader_page
def themes():
    return render_template("themes/index.html", entries=catalog.theme_index())


@bp.get("/<lang:lang>/themes/<slug:slug>")
@allow(PUBLIC)
@reader_page
def theme(slug: str):
    return render_template("themes/detail.html", overview=catalog.theme_overview(slug))
