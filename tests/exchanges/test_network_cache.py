"""The matching network is read once per generation and shared by the pages that follow: a
change made through the hub (a city's mentor places, an exchange completed) shows in the very
next suggestions, and a page view after the first reads no cases, expertise or exchanges."""

from __future__ import annotations

import sqlalchemy as sa

from hub.extensions import db
from tests.conftest import PASSWORD
from tests.exchanges.test_exchange_api import REPORT, call, create, site, under_way

BASE = "/api/v1/exchange-requests"
__all__ = ["site"]  # the exchange API tests' site: people with API tokens
# What only building the network reads: a view served from the cache reads none of them.
NETWORK_TABLES = ("case_themes", "city_expertise", "exchange_participants")


def suggested(app, request_id: int) -> dict[str, dict]:
    """The suggested mentors of a request, by city, as the requesting city reads them."""
    answer = call(app, "zanzibar", "GET", f"{BASE}/{request_id}/suggestions")
    assert answer.status_code == 200, answer.json
    return {item["city"]: item for item in answer.json["suggestions"]}


def signed_in(app, name: str):
    """A browser signed in as `name`'s focal point (forms without their token: Flask-WTF's)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    answer = client.post("/en/login", data={"email": f"{name}@example.org", "password": PASSWORD})
    assert answer.status_code in (302, 303)
    return client


def mombasa_profile(app, capacity: int) -> None:
    """Mombasa's focal point saves the city's profile with `capacity` mentor places."""
    saved = signed_in(app, "mombasa").post(
        "/en/cities/mombasa/edit",
        data={
            "summary_en": "Mombasa is Kenya's oldest city.",
            "languages": ["en", "sw"],
            "mentor_capacity": str(capacity),
            "expertise": ["youth", "local-action-plans"],
        },
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)[:500]


def test_a_city_that_closes_its_mentor_places_leaves_the_suggestions_at_once(site):
    request_id = create(site, status="submitted").json["id"]
    assert "mombasa" in suggested(site, request_id)
    assert "mombasa" in suggested(site, request_id)  # the second answer comes from the cache

    mombasa_profile(site, capacity=0)
    assert "mombasa" not in suggested(site, request_id)

    mombasa_profile(site, capacity=2)
    assert "mombasa" in suggested(site, request_id)


def test_a_completed_exchange_counts_for_the_mentor_in_the_next_suggestions(site):
    running, _proposal = under_way(site)  # Zanzibar and Mombasa, in progress
    waiting = create(site, status="submitted").json["id"]
    before = suggested(site, waiting)["mombasa"]["factors"]
    assert before["load"]["value"] > 0  # the running exchange holds one of Mombasa's places

    for who, body in (("zanzibar", REPORT), ("mombasa", {"outcomes": "Learnt.", "rating": 4})):
        answer = call(site, who, "POST", f"{BASE}/{running}/report", body)
        assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "completed"

    after = suggested(site, waiting)["mombasa"]["factors"]
    assert after["load"]["value"] == 0
    assert after["experience"]["value"] > before["experience"]["value"]


def test_a_repeat_view_reads_only_what_the_page_shows(site):
    request_id = create(site, status="submitted").json["id"]
    mentor, requester = signed_in(site, "mombasa"), signed_in(site, "zanzibar")
    views = {
        "board": lambda: mentor.get("/en/exchanges"),
        "request page": lambda: requester.get(f"/en/exchanges/{request_id}"),
        "suggestions": lambda: call(site, "zanzibar", "GET", f"{BASE}/{request_id}/suggestions"),
    }
    with site.app_context():
        engine = db.engine
    for name, view in views.items():
        assert view().status_code == 200, name
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, into=statements) -> None:
            into.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            assert view().status_code == 200, name
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        read = [s for s in statements if any(table in s for table in NETWORK_TABLES)]
        assert not read, (name, read)
