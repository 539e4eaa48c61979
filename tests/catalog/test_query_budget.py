"""Every public page loads what it shows in a fixed number of SQL statements: as many with
200 more cases and 30 more cities as with `content/` alone; and a page a reader already has,
or that another reader had in this generation, costs one."""

from __future__ import annotations

import sqlalchemy as sa

from hub import search
from hub.extensions import db
from hub.search import indexer
from tests.conftest import app_with_people

# The most statements any of these pages may run.
BUDGET = 10

PAGES = [
    "/en/",
    "/en/cases",
    "/en/cases?theme=youth&region=africa&language=en",
    "/en/cases?page=2",
    "/ar/cases?language=ar",
    "/en/cases/mombasa-county-action-plan",
    "/en/webinars",
    "/en/webinars/{webinar}",
    "/en/cities",
    "/en/cities?region=africa&size=small",
    "/en/cities/mombasa",
    "/en/themes",
    "/en/themes/youth",
    "/en/search?q=mombasa",
    "/en/search?q=youth&kind=case&region=africa",
    "/api/v1/search?q=mombasa",
    "/api/v1/search?q=youth&kind=city",
]


def statement_counts(app, headers=None) -> dict[str, int]:
    """The SQL statements each page runs, with the search index rebuilt first; `headers`
    makes them from the first answer's."""
    with app.app_context():
        indexer.rebuild(search.store())
        webinar = db.session.scalar(sa.text("SELECT slug FROM webinars ORDER BY id LIMIT 1"))
        engine = db.engine
    client = app.test_client()
    counts = {}
    for page in PAGES:
        url = page.format(webinar=webinar)
        first = client.get(url)  # the first request warms caches that are not per request
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, statements=statements) -> None:
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(url, headers=headers(first) if headers else {})
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code in (200, 304), (url, response.get_data(as_text=True)[:500])
        counts[url] = len(statements)
    return counts


def test_page_statements_do_not_grow_with_the_data(database, grow_content):
    # PER_PAGE 4: so that content/ alone has a second page of cases; each page rendered anew.
    app = app_with_people(database, PER_PAGE=4, READER_PAGE_CACHE=0)
    before = statement_counts(app)
    grow_content(app, cases=200, cities=30)
    after = statement_counts(app)
    assert after == before, {
        url: (before[url], after[url]) for url in before if before[url] != after[url]
    }
    assert max(after.values()) <= BUDGET, after


def test_a_page_read_before_costs_one_statement(database, grow_content):
    app = app_with_people(database, PER_PAGE=4)
    grow_content(app, cases=200, cities=30)
    kept = statement_counts(app)
    revalidated = statement_counts(
        app, headers=lambda first: {"If-None-Match": first.headers.get("ETag", "")}
    )
    reader_pages = [url for url in kept if "search" not in url]
    assert {url: (kept[url], revalidated[url]) for url in reader_pages} == {
        url: (1, 1) for url in reader_pages
    }
