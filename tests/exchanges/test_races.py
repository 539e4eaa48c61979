"""Two people taking a step on the same exchange at the same moment get one valid outcome.

Each race sends two API requests from two threads released together by a barrier, each with its
own client, session and database connection, ITERATIONS times over. Staff approving twice mail
each city once; both cities accepting put the request in progress once; both cities reporting
complete it once, make one public exchange record and free the mentor's place; a mentor offering
its last place to two requests fills it once. The loser of a race only one may win gets a 409.

On PostgreSQL a step locks its request's row; on SQLite, which has no row locks, it takes the
database's write lock before reading: the races are run on both.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import sqlalchemy as sa

from hub.audit import AuditEvent
from hub.cities.models import City
from hub.exchanges import network
from hub.exchanges.models import Exchange, ExchangeRequest, ExchangeRequestChange
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.exchanges import test_exchange_api as api
from tests.exchanges.test_exchange_api import BASE, REPORT, call, create

ITERATIONS = 30
site = api.site  # the network's content, its people and an API token for each


@pytest.fixture
def racing(site):
    with site.app_context():
        # Room for every iteration, so one stuck request cannot hide the next race.
        db.session.execute(sa.update(City).where(City.slug == "mombasa").values(mentor_capacity=99))
        db.session.commit()
    return site


def race(app, *steps: tuple) -> list:
    """Post each `(who, path, body)` from its own thread, all released at the same moment; the
    answers' status codes, in order (or the exception a thread met)."""
    barrier = threading.Barrier(len(steps))
    answers: list = [None] * len(steps)

    def run(n: int, who: str, path: str, body: dict | None = None) -> None:
        barrier.wait()
        try:
            answers[n] = call(app, who, "POST", path, body).status_code
        except Exception as error:  # a crash is an outcome too, reported below
            answers[n] = repr(error)

    threads = [threading.Thread(target=run, args=(n, *step)) for n, step in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def proposed(app) -> tuple[int, int]:
    """A submitted request of Zanzibar, and Mombasa proposed for it by a round."""
    request_id = submitted(app)
    done = call(app, "staff", "POST", "/api/v1/matching-rounds", {})
    (proposal,) = [p for p in done.json["proposals"] if p["request"] == request_id]
    assert proposal["city"] == "mombasa"
    return request_id, proposal["id"]


def submitted(app) -> int:
    created = create(app, status="submitted")
    assert created.status_code == 201, created.json
    return created.json["id"]


def step(app, who: str, path: str, expected: int = 200, body: dict | None = None) -> None:
    answer = call(app, who, "POST", path, body)
    assert answer.status_code == expected, answer.json


def facts(app, request_id: int, proposal_id: int | None = None) -> dict:
    """What a race must leave right: status, transitions, mail, audit, records, places."""
    with app.app_context():
        found = db.session.get(ExchangeRequest, request_id)
        mombasa = db.session.get(
            City, db.session.scalar(sa.select(City.id).filter_by(slug="mombasa"))
        )
        return {
            "status": found.status.value,
            "moves": Counter(
                db.session.scalars(
                    sa.select(ExchangeRequestChange.to_status).filter_by(request_id=request_id)
                )
            ),
            "approvals": db.session.scalar(
                sa.select(sa.func.count()).where(
                    AuditEvent.action == "match_approved",
                    AuditEvent.target == f"match_proposal:{proposal_id}",
                )
            ),
            "mail": db.session.scalar(sa.select(sa.func.count(MailMessage.id))),
            "records": db.session.scalar(
                sa.select(sa.func.count(Exchange.id)).filter_by(request_id=request_id)
            ),
            "mombasa_busy": network.active_exchanges().get(mombasa.id, 0),
            "mombasa_places": mombasa.mentor_capacity,
        }


def each_time(app, once) -> None:
    """Run the race `once(app)` ITERATIONS times; every wrong outcome it yields is counted."""
    wrong: Counter = Counter()
    for _ in range(ITERATIONS):
        wrong.update(once(app))
    assert not wrong, f"{sum(wrong.values())} wrong outcomes in {ITERATIONS} races: {dict(wrong)}"


def test_two_staff_approving_at_once_mail_each_city_once(racing):
    def once(site):
        request_id, proposal_id = proposed(site)
        approve = f"{BASE}/{request_id}/proposals/{proposal_id}/approve"
        before = facts(site, request_id, proposal_id)
        answers = race(site, ("staff", approve), ("staff", approve))
        after = facts(site, request_id, proposal_id)
        if sorted(answers, key=str) != [200, 409]:
            yield f"answers {sorted(answers, key=str)}"
        if after["approvals"] != 1:
            yield f"{after['approvals']} approvals audited"
        if after["mail"] - before["mail"] != 2:
            yield f"{after['mail'] - before['mail']} messages to two cities"

    each_time(racing, once)


def test_both_cities_accepting_at_once_start_the_exchange_once(racing):
    def once(site):
        request_id, proposal_id = proposed(site)
        decide = f"{BASE}/{request_id}/proposals/{proposal_id}"
        step(site, "staff", f"{decide}/approve")
        answers = race(site, ("zanzibar", f"{decide}/accept"), ("mombasa", f"{decide}/accept"))
        after = facts(site, request_id, proposal_id)
        if answers != [200, 200]:
            yield f"answers {answers}"
        if after["status"] != "in_progress":
            yield f"left {after['status']}"
        if after["moves"]["accepted"] > 1 or after["moves"]["in_progress"] > 1:
            yield "moved twice"

    each_time(racing, once)


def test_both_cities_reporting_at_once_complete_it_once_and_free_the_place(racing):
    def once(site):
        request_id, proposal_id = proposed(site)
        decide = f"{BASE}/{request_id}/proposals/{proposal_id}"
        step(site, "staff", f"{decide}/approve")
        step(site, "zanzibar", f"{decide}/accept")
        step(site, "mombasa", f"{decide}/accept")
        before = facts(site, request_id)
        report = f"{BASE}/{request_id}/report"
        answers = race(site, ("zanzibar", report, REPORT), ("mombasa", report, REPORT))
        after = facts(site, request_id)
        if answers != [201, 201]:
            yield f"answers {answers}"
        if after["status"] != "completed":
            yield f"left {after['status']}"
        if after["moves"]["completed"] > 1:
            yield "completed twice"
        if after["records"] != 1:
            yield f"{after['records']} public exchange records"
        if after["mombasa_busy"] != before["mombasa_busy"] - 1:
            yield "the mentor's place is still taken"

    each_time(racing, once)


def test_a_mentor_offering_its_last_place_twice_at_once_fills_it_once(racing):
    def once(site):
        with site.app_context():
            busy = network.active_exchanges().get(
                db.session.scalar(sa.select(City.id).filter_by(slug="mombasa")), 0
            )
            places = sa.update(City).where(City.slug == "mombasa").values(mentor_capacity=busy + 1)
            db.session.execute(places)
            db.session.commit()
        first, second = submitted(site), submitted(site)
        answers = race(
            site, ("mombasa", f"{BASE}/{first}/offers"), ("mombasa", f"{BASE}/{second}/offers")
        )
        after = facts(site, first)
        if sorted(answers, key=str) != [201, 409]:
            yield f"answers {sorted(answers, key=str)}"
        if after["mombasa_busy"] > after["mombasa_places"]:
            yield "more exchanges than places"
        for request_id in (first, second):  # the next race starts with the place free
            step(site, "zanzibar", f"{BASE}/{request_id}/withdraw")

    each_time(racing, once)
