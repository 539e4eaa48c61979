"""Case studies: the filtered list and one case."""

from flask import Blueprint, current_app, render_template, request

from hub.catalog import queries as catalog
from hub.security.access import PUBLIC, allow

bp = Blueprint("cases", __name__, url_prefix="/<lang:lang>/cases", template_folder="templates")


@bp.get("")
@allow(PUBLIC)
def index():
    filters = catalog.parse_case_filters(request.args)
    context = {
        "filters": filters,
        "themes": catalog.all_themes(),
        "years": catalog.case_years(),
    }
    if filters.errors:
        return render_template("cases/list.html", pagination=None, **context), 400
    pagination = catalog.search_cases(filters, current_app.config["PER_PAGE"])
    return render_template("cases/list.html", pagination=pagination, **context)


@bp.get("/<slug:slug>")
@allow(PUBLIC)
def detail(slug: str):
    case = catalog.case_by_slug(slug)
    return render_template("cases/detail.html", case=case, related=catalog.related_cases(case))
