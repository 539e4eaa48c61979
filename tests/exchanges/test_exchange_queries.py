"""Query budget: each exchange page and API read runs as many SQL statements with 50 more cities,
100 more requests, 200 more published cases and 20 more completed exchanges as with the content
files alone."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.cities.models import City, Theme
from hub.exchanges import lifecycle
from hub.exchanges.models import (
    Exchange,
    ExchangeParticipant,
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
)
from hub.exchanges.states import ProposalStatus, RequestStatus, StaffDecision
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText
from hub.publishing.states import PublicationState
from tests.conftest import PASSWORD, _dispose, app_with_people

REQUEST = {
    "themes": ["local-action-plans"],
    "challenge": "Our action plan stalls between the county and the wards.",
    "languages": ["en", "sw"],
    "format": "mentoring",
}
BASE = "/api/v1/exchange-requests"


@pytest.fixture
def site(database):
    app = app_with_people(database, WTF_CSRF_ENABLED=False)
    with app.app_context():
        zanzibar = _city("zanzibar")
        focal = accounts.find_user("zanzibar@example.org")
        staff = accounts.find_user("staff@example.org")
        waiting = lifecycle.create_request(zanzibar, REQUEST, focal, status=RequestStatus.submitted)
        lifecycle.run_round(staff)
        proposal = waiting.pending_proposal
        lifecycle.approve(proposal, staff)
        reviewed = lifecycle.create_request(
            zanzibar, REQUEST, focal, status=RequestStatus.submitted
        )
        lifecycle.run_round(staff)
        submitted = lifecycle.create_request(
            zanzibar, REQUEST, focal, status=RequestStatus.submitted
        )
        # A free place left, so the submitted request has suggestions before the data grows too.
        _city("mombasa").mentor_capacity += 1
        tokens = {
            name: accounts.issue_token(accounts.find_user(f"{name}@example.org"))
            for name in ("zanzibar", "mombasa", "staff")
        }
        db.session.commit()
        app.config["ids"] = {
            "approved": waiting.id,
            "review": reviewed.id,
            "submitted": submitted.id,
        }
        app.config["tokens"] = tokens
    yield app
    _dispose(app)


def _city(slug: str) -> City:
    return db.session.scalar(sa.select(City).filter_by(slug=slug))


def grow(app, cities: int = 50, requests: int = 100, cases: int = 200, exchanges: int = 20) -> None:
    """More cities, mentoring on the content's themes, their requests in every state, the cases
    they published and the exchanges they mentored."""
    with app.app_context():
        themes = db.session.scalars(sa.select(Theme).order_by(Theme.position)).all()
        added = []
        for number in range(cities):
            city = City(
                slug=f"town-{number}",
                name=f"Town {number}",
                country="KE",
                region="africa",
                population=50_000 + 10_000 * number,
                latitude=-1.0 - number / 100,
                longitude=36.0 + number / 100,
                languages=["en", "sw"],
                mentor_capacity=number % 3,
                expertise=themes[number % len(themes) : number % len(themes) + 2],
            )
            db.session.add(city)
            added.append(city)
        db.session.flush()
        statuses = [RequestStatus.submitted, RequestStatus.proposed, RequestStatus.draft]
        for number in range(requests):
            status = statuses[number % len(statuses)]
            city = added[number % len(added)]
            request = ExchangeRequest(
                city=city,
                challenge=f"Challenge {number}",
                languages=["en"],
                format="virtual",
                status=status,
                themes=themes[number % len(themes) : number % len(themes) + 2],
            )
            request.history.append(ExchangeRequestChange(from_status=None, to_status=status))
            if status == RequestStatus.proposed:
                mentor = _city("mombasa") if number % 2 else added[(number + 1) % len(added)]
                request.proposals.append(
                    MatchProposal(
                        mentor_city_id=mentor.id,
                        score=5.0,
                        rank=1,
                        breakdown={},
                        facts=FACTS,
                        staff_decision=StaffDecision.approved if number % 4 else None,
                        status=ProposalStatus.proposed,
                    )
                )
            db.session.add(request)
        for _number in range(requests // 5):  # Zanzibar's own drafts
            lifecycle.create_request(_city("zanzibar"), REQUEST, None)
        for number in range(cases):  # what the new cities show: cases, some with a partner
            lead, partner = added[number % len(added)], added[(number + 7) % len(added)]
            db.session.add(
                CaseStudy(
                    slug=f"town-case-{number}",
                    lead_city=lead,
                    partner_cities=[partner] if number % 2 else [],
                    status="completed",
                    evidence_level=("independently-evaluated", "monitored", "none")[number % 3],
                    state=PublicationState.published,
                    original_language="en",
                    published_on=date(2024, 1, 1 + number % 28),
                    themes=[themes[number % len(themes)]],
                    texts=[CaseText(language="en", title=f"Case {number}", summary="A case.")],
                )
            )
        for number in range(exchanges):  # and exchanges they mentored, recorded as done
            mentor, learner = added[number % len(added)], added[(number + 3) % len(added)]
            db.session.add(
                Exchange(
                    slug=f"town-exchange-{number}",
                    format="virtual",
                    started=2022,
                    ended=2023,
                    themes=[themes[number % len(themes)]],
                    participants=[
                        ExchangeParticipant(position=0, side="mentor", city=mentor),
                        ExchangeParticipant(position=1, side="learner", city=learner),
                    ],
                )
            )
        db.session.commit()


FACTS = {
    "evaluated_cases_on_themes": 1,
    "monitored_cases_on_themes": 0,
    "other_cases_on_themes": 0,
    "exchanges_on_themes": 0,
    "themes_covered": ["local-action-plans"],
    "declared_expertise_on_themes": [],
    "shared_languages": ["en"],
    "same_country": False,
    "same_region": True,
    "earlier_relation": False,
}


def signed_in(app, name):
    client = app.test_client()
    answer = client.post("/en/login", data={"email": f"{name}@example.org", "password": PASSWORD})
    assert answer.status_code in (302, 303)
    return client


def budget(app) -> dict[str, int]:
    """Statements per page and API read, each answered with a 200."""
    ids = app.config["ids"]
    clients = {name: signed_in(app, name) for name in ("zanzibar", "mombasa", "staff")}
    clients["anonymous"] = app.test_client()
    pages = [
        ("anonymous", "/en/exchanges"),
        ("mombasa", "/en/exchanges"),
        ("zanzibar", "/en/exchanges/mine"),
        ("mombasa", "/en/exchanges/mine"),
        ("staff", "/en/exchanges/staff"),
        ("zanzibar", f"/en/exchanges/{ids['submitted']}"),
        ("zanzibar", f"/en/exchanges/{ids['approved']}"),
        ("mombasa", f"/en/exchanges/{ids['approved']}"),
        ("staff", f"/en/exchanges/{ids['review']}"),
    ]
    api = [
        ("staff", BASE),
        ("zanzibar", BASE),
        ("mombasa", BASE),
        ("zanzibar", f"{BASE}/{ids['approved']}"),
        ("zanzibar", f"{BASE}/{ids['submitted']}/suggestions"),
    ]
    counts = {}
    with app.app_context():
        engine = db.engine
    for who, path in pages + api:
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, into=statements):
            into.append(statement)

        headers = {}
        client = clients[who]
        if path.startswith("/api/"):
            headers["Authorization"] = f"Bearer {app.config['tokens'][who]}"
            client = app.test_client()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            answer = client.get(path, headers=headers)
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert answer.status_code == 200, (who, path, answer.status_code)
        counts[f"{who} {path}"] = len(statements)
    return counts


def test_statement_counts_do_not_grow_with_the_data(site):
    small = budget(site)
    grow(site)
    large = budget(site)
    assert large == small
    # And each page stays within a handful of statements.
    assert max(small.values()) <= 40, small
