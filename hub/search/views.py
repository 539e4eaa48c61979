"""The search page and the search API: the same search, as HTML and as JSON."""

from flask import Blueprint, jsonify, render_template, request, url_for

from hub import search as search_package
from hub.catalog import queries as catalog
from hub.i18n import current_language
from hub.search import service
from hub.security.access import PUBLIC, allow

bp = Blueprint("search", __name__, template_folder="templates")


@bp.get("/<lang:lang>/search")
@allow(PUBLIC)
def page():
    try:
        params = service.parse_params(request.args, current_language())
    except service.InvalidSearch as error:
        return render_template("search/page.html", outcome=None, errors=error.errors), 400
    outcome = service.search(search_package.store(), params)
    return render_template(
        "search/page.html",
        outcome=outcome,
        errors={},
        search_url=search_url,
        themes={theme.slug: theme for theme in catalog.all_themes()},
        cities=catalog.cities_by_slug({result.city for result in outcome.results}),
    )


def search_url(params: service.SearchParams, **changes) -> str:
    """This search with some parameters changed (None removes one); the page starts again at 1
    unless `page` is given."""
    args: dict[str, object] = dict(params.filters)
    if params.q:
        args["q"] = params.q
    if params.sort != "relevance":
        args["sort"] = params.sort
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    return url_for("search.page", **args)


@bp.get("/api/v1/search")
@allow(PUBLIC)
def api():
    try:
        params = service.parse_params(request.args, request.args.get("lang") or "en")
    except service.InvalidSearch as error:
        return jsonify(errors={name: str(message) for name, message in error.errors.items()}), 400
    outcome = service.search(search_package.store(), params)
    return jsonify(
        query=params.q,
        total=outcome.total,
        page=params.page,
        per_page=params.per_page,
        results=[
            {
                "kind": result.kind,
                "id": result.id,
                "title": result.title,
                "url": result.url,
                "language": result.language,
                "snippet": str(result.snippet),
                "score": result.score,
                "city": result.city or None,
                "date": result.when or None,
                "languages": result.languages,
            }
            for result in outcome.results
        ],
        facets=outcome.facets,
        suggestion=outcome.suggestion,
        problem=outcome.parsed.problem,
        truncated=outcome.parsed.truncated,
    )
