"""Reading pages revalidate cheaply for anonymous readers (ETag, 304) and never hand a signed-in
member's page, or a page made for another session, to someone else; static files are kept for a
year under names that change with their content."""

from __future__ import annotations

import re
import shutil

import pytest
import sqlalchemy as sa

from hub import search
from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.extensions import db
from hub.search import indexer
from tests.conftest import PASSWORD, app_with_people

READER_PAGES = [
    "/en/",
    "/ar/",
    "/en/cases",
    "/en/cases?theme=youth&page=1",
    "/en/cases/mombasa-county-action-plan",
    "/en/webinars",
    "/en/cities",
    "/en/cities/mombasa",
    "/en/themes/youth",
]
CASE = "/en/cases/mombasa-county-action-plan"


@pytest.fixture
def site(database):
    return app_with_people(database, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)


def statements_of(app, ask) -> tuple[object, list[str]]:
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        answer = ask()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return answer, seen


def signed_in(app, name: str):
    client = app.test_client()
    answer = client.post("/en/login", data={"email": f"{name}@example.org", "password": PASSWORD})
    assert answer.status_code in (302, 303)
    return client


@pytest.mark.parametrize("url", READER_PAGES)
def test_an_anonymous_reader_revalidates_with_one_small_query(site, url):
    client = site.test_client()
    first = client.get(url)
    assert first.status_code == 200
    tag = first.headers["ETag"]
    assert tag.startswith('W/"')
    assert "no-cache" in first.headers["Cache-Control"]
    assert "Cookie" in first.headers["Vary"]

    again, statements = statements_of(site, lambda: client.get(url, headers={"If-None-Match": tag}))
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    assert len(statements) <= 1, statements


def test_pages_in_other_languages_and_with_other_filters_have_their_own_tags(site):
    client = site.test_client()
    tags = {url: client.get(url).headers["ETag"] for url in READER_PAGES}
    assert len(set(tags.values())) == len(READER_PAGES)
    other = client.get("/en/cases?theme=polarization", headers={"If-None-Match": tags["/en/cases"]})
    assert other.status_code == 200


def retitle_case(app, slug: str, title: str) -> None:
    """Staff give a case a new title through the API."""
    with app.app_context():
        staff = db.session.scalar(sa.select(User).filter_by(email="staff@example.org"))
        token = accounts.issue_token(staff)
        db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    editor = app.test_client()
    url = f"/api/v1/cases/{db_case_id(app, slug)}"
    current = editor.get(url, headers=bearer)
    changed = editor.patch(
        url, json={"title": title}, headers={**bearer, "If-Match": current.headers["ETag"]}
    )
    assert changed.status_code == 200, changed.get_json()


def test_an_edit_gives_readers_the_new_page(site):
    reader = site.test_client()
    page = reader.get(CASE)
    tag = page.headers["ETag"]

    retitle_case(site, "mombasa-county-action-plan", "Mombasa's plan, revised")

    fresh = reader.get(CASE, headers={"If-None-Match": tag})
    assert fresh.status_code == 200
    assert "Mombasa&#39;s plan, revised" in fresh.get_data(as_text=True)
    assert fresh.headers["ETag"] != tag
    listing = reader.get("/en/cases")
    assert "Mombasa&#39;s plan, revised" in listing.get_data(as_text=True)


def test_a_search_page_revalidates_until_the_index_changes(site):
    url = "/en/search?q=zephyrine"
    reader = site.test_client()
    before = reader.get(url)
    assert before.status_code == 200 and "Mombasa" not in before.get_data(as_text=True)
    tag = before.headers["ETag"]
    again = reader.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert reader.get("/en/search?q=plan", headers={"If-None-Match": tag}).status_code == 200

    retitle_case(site, "mombasa-county-action-plan", "Zephyrine: Mombasa's plan")
    # The database has changed but the index has not applied it yet: still no result.
    stale = reader.get(url, headers={"If-None-Match": tag})
    assert stale.status_code == 200 and "Mombasa" not in stale.get_data(as_text=True)

    with site.app_context():
        assert indexer.sync(search.store()).applied > 0
    after = reader.get(url, headers={"If-None-Match": stale.headers["ETag"]})
    assert after.status_code == 200
    assert "Zephyrine: Mombasa" in after.get_data(as_text=True)


def db_case_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.text("SELECT id FROM cases WHERE slug = :slug"), {"slug": slug})


@pytest.mark.parametrize("url", ["/en/cases", CASE, "/en/cities/mombasa"])
def test_a_signed_in_member_never_gets_a_shared_or_someone_elses_page(site, url):
    anonymous_tag = site.test_client().get(url).headers["ETag"]
    member = signed_in(site, "mombasa")
    answer = member.get(url, headers={"If-None-Match": anonymous_tag})
    assert answer.status_code == 200
    assert "Sign out" in answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"
    assert "ETag" not in answer.headers
    assert "Cookie" in answer.headers["Vary"]


def test_a_page_with_a_flashed_message_is_not_kept(site):
    client = signed_in(site, "mombasa")
    tag = site.test_client().get("/en/").headers["ETag"]
    site.config["SESSION_IDLE_TIMEOUT"] = 0  # the member's session ends: the page says so
    page = client.get("/en/", headers={"If-None-Match": tag})
    assert page.status_code == 200
    assert "Your session has ended" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "ETag" not in page.headers
    # The message was shown once; the next page is the one every reader gets.
    assert client.get("/en/", headers={"If-None-Match": tag}).status_code == 304


def test_a_page_holding_a_form_is_private_to_its_session(database):
    app = app_with_people(database)  # CSRF on: the report form carries the session's token
    reader, other = app.test_client(), app.test_client()
    translated = "/ar/cases/mombasa-county-action-plan"  # a translation: it has the report form
    page = reader.get(translated)
    assert 'name="csrf_token"' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-cache"
    tag = page.headers["ETag"]
    assert reader.get(translated, headers={"If-None-Match": tag}).status_code == 304
    # Another session's copy holds a token this one cannot use.
    fresh = other.get(translated, headers={"If-None-Match": tag})
    assert fresh.status_code == 200 and fresh.headers["ETag"] != tag


def stylesheet(page: str) -> str:
    return re.search(r'href="(/static/hub\.[0-9a-f]+\.css)"', page)[1]


def fetch(client, url: str):
    """A static file's status, bytes and cache policy (the file is closed after)."""
    with client.get(url) as answer:
        return answer.status_code, answer.data, answer.cache_control


def test_static_files_are_kept_for_a_year_under_a_name_that_follows_their_content(site, tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(site.static_folder, folder)
    site.static_folder = str(folder)
    # A deploy makes a new build, and every page anew; here the file changes under a running
    # app, so that pages are rendered each time.
    site.config["READER_PAGE_CACHE"] = 0
    client = site.test_client()
    first = stylesheet(client.get("/en/").get_data(as_text=True))
    status, data, cache = fetch(client, first)
    assert status == 200 and data == (folder / "hub.css").read_bytes()
    assert cache.max_age == 365 * 24 * 60 * 60 and cache.immutable and cache.public

    status, data, cache = fetch(client, "/static/hub.css")
    assert status == 200 and data == (folder / "hub.css").read_bytes()
    assert cache.max_age == 300 and not cache.immutable

    with open(folder / "hub.css", "a") as css:
        css.write("\n.new-rule { color: inherit; }\n")
    second = stylesheet(client.get("/en/").get_data(as_text=True))
    assert second != first
    assert b".new-rule" in fetch(client, second)[1]
    # An old name still answers, with the current file, but is not kept for long.
    status, data, cache = fetch(client, first)
    assert status == 200 and b".new-rule" in data and not cache.immutable
    assert fetch(client, "/static/nothing.0123456789ab.css")[0] == 404
