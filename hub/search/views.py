"""The search page and the search API: the same search, as HTML and as JSON."""

from flask import Blueprint, jsonify, render_template, url_for

from hub import search as search_package
from hub import web
from hub.caching import reader_page
from hub.catalog import queries as catalog
from hub.i18n import current_language
from hub.search import service
from hub.search.params import SearchParams
from hub.search.store import IndexProblem
from hub.security.access import PUBLIC, allow

bp = Blueprint("search", __name__, template_folder="templates")


def index_read() -> str | None:
    """What a search page shows besides the database: the index this thread reads, named by
    its folder and generation; None while it cannot be read (the page then says so)."""
    store = search_package.store()
    try:
        generation = store.searcher().reader().generation()
    except IndexProblem:
        return None
    return f"{store.current_path()}@{generation}"


@bp.get("/<lang:lang>/search")
@allow(PUBLIC)
@reader_page(depends_on=index_read)
def page():
    params = web.parse_args(SearchParams, reader=current_language())
    outcome = service.search(search_package.store(), params)
    return render_template(
        "search/page.html",
        outcome=outcome,
        search_url=search_url,
        themes={theme.slug: theme for theme in catalog.all_themes()},
        cities=catalog.cities_by_slug({result.city for result in outcome.results}),
    )


def search_url(params: SearchParams, **changes) -> str:
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
    params = web.parse_args(SearchParams)
    outcome = service.search(search_package.store(), params)
    response = jsonify(
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
        mode=outcome.mode,
        all_words_total=outcome.all_words_total,
        related_themes=outcome.related_themes,
        problem=outcome.parsed.problem,
        truncated=outcome.parsed.truncated,
    )
    args = params.model_dump(exclude={"page", "per_page"}, exclude_defaults=True)
    response.headers["Link"] = web.link_header(
        "search.api", params.page, params.per_page, outcome.total, **args
    )
    return response
