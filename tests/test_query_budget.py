"""Every page and every API read has a query budget: its number of SQL statements does not grow
when the data grows from `content/` to 500 more cases and 50 more cities."""

from __future__ import annotations

import sqlalchemy as sa

from hub import search
from hub.content import files as content_files
from hub.extensions import db
from hub.search import indexer
from tests.walk import ask_and_match, make_site, more_content, routes, urls

# Who reads each page or API route: None is an anonymous reader, a name one of PEOPLE (a focal
# point is named after their city) or "admin". A new route fails the test until it is added here.
READERS = {
    "home.root": None,
    "home.index": None,
    "home.themes": None,
    "atlas.network": None,
    "home.theme": None,
    "cases.index": None,
    "cases.detail": None,
    "webinars.index": None,
    "webinars.detail": None,
    "cities.index": None,
    "cities.detail": None,
    "cities.edit": "zanzibar",
    "search.page": None,
    "search.api": None,
    "accounts.login": None,
    "accounts.request_reset": None,
    "accounts.reset": None,
    "accounts.change_password": "practitioner",
    "accounts.join": None,
    "pages.page": None,
    "cities.write": "practitioner",
    "admin.access_requests": "staff",
    "exchanges.board": "mombasa",
    "exchanges.mine": "zanzibar",
    "exchanges.new": "zanzibar",
    "exchanges.detail": "zanzibar",
    "exchanges.edit": "zanzibar",
    "exchanges.staff_board": "staff",
    "publishing.dashboard": "staff",
    "publishing.new_case": "staff",
    "publishing.edit_case": "staff",
    "publishing.new_webinar": "staff",
    "publishing.edit_webinar": "staff",
    "publishing.confirm_state": "staff",
    "publishing.new_translation": "staff",
    "publishing.edit_translation": "staff",
    "publishing.missing_translations": "staff",
    "publishing.reports": "staff",
    "admin.users": "admin",
    "admin.audit_log": "admin",
    "admin.mail_outbox": "admin",
    "api_publishing.get_record": "staff",
    "api_exchanges.list_requests": "staff",
    "api_exchanges.get_request": "zanzibar",
    "api_exchanges.suggestions": "zanzibar",
    "feeds.cases": None,
    "feeds.webinars": None,
    "feeds.theme": None,
    "feeds.city": None,
    "calendars.webinars": None,
    "calendars.webinar": None,
    "sitemap.sitemap": None,
    "sitemap.robots": None,
    "sitemap.favicon": None,
    "opendata.cases_csv": None,
    "opendata.cases_jsonl": None,
    "openapi.openapi_json": None,
    "openapi.page": None,
}
QUERIES = {
    "search.page": "?q=city",
    "search.api": "?q=city",
    "publishing.confirm_state": "?action=archive",
}


def test_no_page_or_api_read_runs_more_statements_with_more_data(database, tmp_path):
    site = make_site(database)
    app = site.app
    readers = {rule.endpoint: rule for rule in routes(app, {"GET"})}
    assert sorted(readers) == sorted(READERS), "add every GET route to READERS"
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(
            db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
        )
        indexer.rebuild(search.store())
    clients = {who: site.signed_in(who) for who in set(READERS.values())}
    addresses = {
        (endpoint, url + QUERIES.get(endpoint, ""))
        for endpoint, rule in readers.items()
        for url in urls(app, rule, site.values)
    }

    refused: dict[str, int] = {}

    def count_all() -> dict[tuple[str, str], int]:
        counts = {}
        for endpoint, url in sorted(addresses):
            client = clients[READERS[endpoint]]
            headers = {}
            if url.startswith("/api/") and READERS[endpoint]:
                headers = {"Authorization": f"Bearer {site.tokens[READERS[endpoint]]}"}
                client = clients[None]
            client.get(url, headers=headers)  # the first answer may fill caches
            del statements[:]
            answer = client.get(url, headers=headers)
            if answer.status_code >= 400:
                refused[url] = answer.status_code
            counts[endpoint, url] = len(statements)
        return counts

    before = count_all()
    with app.app_context():
        report = content_files.load_directory(more_content(tmp_path / "more"))
        assert not report.errors, report.errors
        db.session.commit()
        indexer.rebuild(search.store())
    for who in ("zanzibar", "saida", "kristiansand", "mombasa") * 5:
        ask_and_match(site, who)
    after = count_all()

    grown = {
        url: f"{before[endpoint, url]} -> {after[endpoint, url]}"
        for endpoint, url in before
        if after[endpoint, url] > before[endpoint, url]
    }
    assert not refused, "refused: " + "\n".join(f"{u}: {s}" for u, s in refused.items())
    assert not grown, "grown: " + "\n".join(f"{u}: {n}" for u, n in grown.items())
