"""Every public page loads what it shows in a fixed number of SQL statements: as many with
200 more cases and 30 more cities as with `content/` alone."""

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


def statement_counts(app) -> dict[str, int]:
    """The SQL statements each page runs, with the search index rebuilt first."""
    with app.app_context():
        indexer.rebuild(search.store())
        webinar = db.session.scalar(sa.text("SELECT slug FROM webinars ORDER BY id LIMIT 1"))
        engine = db.engine
    client = app.test_client()
    counts = {}
    for page in PAGES:
        url = page.format(webinar=webinar)
        client.get(url)  # the first request of an app warms caches that are not per request
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, statements=statements) -> None:
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            response = client.get(url)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.get_data(as_text=True)[:500])
        counts[url] = len(statements)
    return counts


def test_page_statements_do_not_grow_with_the_data(database, grow_content):
    # PER_PAGE 4: so that content/ alone has a second page of cases.
    app = app_with_people(database, PER_PAGE=4)
    before = statement_counts(app)
    grow_content(app, cases=200, cities=30)
    after = statement_counts(app)
    assert after == before, {
        url: (before[url], after[url]) for url in before if before[url] != after[url]
    }
    assert max(after.values()) <= BUDGET, after
