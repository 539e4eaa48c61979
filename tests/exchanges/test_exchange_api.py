"""The exchange API: focal points ask for an exchange and see suggested mentors for their own
city's requests only; staff see every request, run matching rounds and review proposals; the two
cities decide on an approved proposal and report when the exchange ends. A request no one may see
does not exist for them (404); bad bodies are a 400 and steps out of order a 409, with nothing
stored; no body, however wrong, is a 500."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.audit import AuditEvent
from hub.cities.models import City
from hub.exchanges import network
from hub.exchanges.models import ExchangeReport, ExchangeRequest, MatchProposal
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.conftest import PEOPLE, _dispose, app_with_people
from tests.conftest import request_state as state

REQUEST = {
    "themes": ["local-action-plans"],
    "challenge": "Our action plan stalls between the county and the wards.",
    "languages": ["en", "sw"],
    "format": "mentoring",
    "timeframe": "2027",
}
REPORT = {"outcomes": "A ward forum now meets monthly.", "feedback": "Generous hosts.", "rating": 5}
BASE = "/api/v1/exchange-requests"


@pytest.fixture
def site(database):
    app = app_with_people(database)
    with app.app_context():
        tokens = {
            name: accounts.issue_token(accounts.find_user(f"{name}@example.org")) for name in PEOPLE
        }
        db.session.commit()
    app.config["test_tokens"] = tokens
    yield app
    _dispose(app)


def call(app, who, method, path, json=None, **headers):
    if who is not None:
        headers["Authorization"] = f"Bearer {app.config['test_tokens'][who]}"
    return app.test_client().open(path, method=method, json=json, headers=headers)


def edit(app, who, path, json):
    """A PATCH as a careful client makes it: with the ETag a GET answers now in If-Match."""
    etag = call(app, who, "GET", path).headers["ETag"]
    return call(app, who, "PATCH", path, json, **{"If-Match": etag})


def raw(app, who, method, path, data: str):
    """A body sent as it is: not JSON, or JSON Python would not write."""
    headers = {
        "Authorization": f"Bearer {app.config['test_tokens'][who]}",
        "Content-Type": "application/json",
    }
    return app.test_client().open(path, method=method, data=data, headers=headers)


def create(app, who="zanzibar", **fields):
    return call(app, who, "POST", BASE, {**REQUEST, **fields})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def refusals(app) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).filter_by(action="permission_denied").order_by(AuditEvent.id)
        ).all()
        return [(e.target, e.actor.email if e.actor else None) for e in events]


def proposed(app, themes=("local-action-plans",)):
    """A submitted request of Zanzibar and the proposal a round made for it (under review)."""
    request_id = create(app, status="submitted", themes=list(themes)).json["id"]
    done = call(app, "staff", "POST", "/api/v1/matching-rounds", {})
    assert done.status_code == 201, done.json
    proposal = next(p for p in done.json["proposals"] if p["request"] == request_id)
    return request_id, proposal["id"], proposal["city"]


def approved(app, themes=("local-action-plans",)):
    request_id, proposal_id, mentor = proposed(app, themes)
    answer = call(app, "staff", "POST", f"{BASE}/{request_id}/proposals/{proposal_id}/approve")
    assert answer.status_code == 200, answer.json
    return request_id, proposal_id, mentor


def under_way(app):
    """Zanzibar's exchange with Mombasa, approved and accepted by both: in progress."""
    request_id, proposal_id, mentor = approved(app)
    assert mentor == "mombasa"
    for who in ("zanzibar", "mombasa"):
        answer = call(app, who, "POST", f"{BASE}/{request_id}/proposals/{proposal_id}/accept")
        assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "in_progress"
    return request_id, proposal_id


# --- Asking ----------------------------------------------------------------------------------


def test_a_focal_point_asks_submits_and_reads_suggestions(site):
    created = create(site)
    assert created.status_code == 201, created.json
    body = created.json
    assert (body["status"], body["city"], body["themes"]) == (
        "draft",
        "zanzibar",
        REQUEST["themes"],
    )
    assert (body["side"], body["proposals"], body["reports"]) == ("requester", [], [])
    request_id = body["id"]
    submitted = call(site, "zanzibar", "POST", f"{BASE}/{request_id}/submit")
    assert submitted.status_code == 200 and submitted.json["status"] == "submitted"
    again = call(site, "zanzibar", "POST", f"{BASE}/{request_id}/submit")
    assert again.status_code == 409
    assert again.json["errors"] == {
        "status": "This step is not possible while the request is “Submitted”."
    }

    answer = call(site, "zanzibar", "GET", f"{BASE}/{request_id}/suggestions")
    assert answer.status_code == 200
    assert answer.json["request"] == request_id
    suggestions = answer.json["suggestions"]
    assert "mombasa" in [s["city"] for s in suggestions[:3]]
    for item in suggestions:
        assert set(item) >= {"city", "score", "factors", "reason"}
        contributions = [f["contribution"] for f in item["factors"].values()]
        assert sum(contributions) == pytest.approx(item["score"])
        for factor in item["factors"].values():
            assert factor["contribution"] == pytest.approx(factor["value"] * factor["weight"])
    mombasa = next(s for s in suggestions if s["city"] == "mombasa")
    assert mombasa["reason"].startswith("Mombasa has ")
    assert "is in your region" in mombasa["reason"]
    # The facts behind the sentence, for machines; staff read the requesting city's name.
    assert mombasa["facts"]["same_region"] is True
    assert "local-action-plans" in mombasa["facts"]["themes_covered"]
    for_staff = call(site, "staff", "GET", f"{BASE}/{request_id}/suggestions").json
    staff_mombasa = next(s for s in for_staff["suggestions"] if s["city"] == "mombasa")
    assert "is in the same region as Zanzibar" in staff_mombasa["reason"]
    assert "your" not in staff_mombasa["reason"]
    assert {**staff_mombasa, "reason": None} == {**mombasa, "reason": None}


def test_the_reason_is_in_the_readers_language(site):
    request_id = create(site, status="submitted").json["id"]
    path = f"{BASE}/{request_id}/suggestions"
    french = call(site, "zanzibar", "GET", path, **{"Accept-Language": "fr"}).json
    english = call(site, "zanzibar", "GET", path, **{"Accept-Language": "en"}).json
    assert french["suggestions"][0]["score"] == english["suggestions"][0]["score"]
    assert french["suggestions"][0]["reason"] != english["suggestions"][0]["reason"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"themes": "local-action-plans"}, "themes"),
        ({"themes": ["local-action-plans\x00"]}, "themes"),
        ({"languages": ["en", "qq"]}, "languages"),
        ({"format": "holiday"}, "format"),
        ({"format": ["mentoring"]}, "format"),
        ({"format": {"kind": "mentoring"}}, "format"),
        ({"challenge": "x" * 5001}, "challenge"),
        ({"challenge": ["a list"]}, "challenge"),
        ({"challenge": "a NUL \x00 byte"}, "challenge"),
        ({"timeframe": "2027\x00"}, "timeframe"),
        ({"status": "accepted"}, "status"),
        ({"status": ["submitted"]}, "status"),
        ({"city": "saida"}, "city"),
        ({"city": ["zanzibar"]}, "city"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(site, fields, field):
    answer = create(site, **fields)
    assert answer.status_code == 400
    assert field in answer.json["errors"]
    assert count(site, ExchangeRequest) == 0


@pytest.mark.parametrize("body", ['["themes"]', '"text"', "12", "null", "{not json", ""])
def test_a_body_that_is_not_an_object_is_refused(site, body):
    answer = raw(site, "zanzibar", "POST", BASE, body)
    assert answer.status_code == 400
    assert answer.json["errors"] in (
        {"_": "The body must be a JSON object."},
        {"_": "The body is not valid JSON."},
    )
    assert count(site, ExchangeRequest) == 0


def test_text_no_database_keeps_is_refused(site):
    lone_surrogate = (
        '{"themes": ["local-action-plans"], "format": "virtual", "challenge": "\\ud800"}'
    )
    answer = raw(site, "zanzibar", "POST", BASE, lone_surrogate)
    assert answer.status_code == 400
    assert answer.json["errors"] == {
        "challenge": "This text contains characters that cannot be saved."
    }
    assert count(site, ExchangeRequest) == 0


def test_practitioners_cannot_ask_and_staff_see_every_request(site):
    assert create(site, who="practitioner").status_code == 403
    request_id = create(site).json["id"]
    seen = call(site, "staff", "GET", f"{BASE}/{request_id}")
    assert seen.status_code == 200 and seen.json["city"] == "zanzibar"
    assert seen.json["side"] is None
    for_saida = create(site, who="staff", city="saida", themes=["social-cohesion"])
    assert for_saida.status_code == 201 and for_saida.json["city"] == "saida"
    assert create(site, who="staff").status_code == 400  # staff must name the city
    anonymous = site.test_client().get(f"{BASE}/{request_id}")
    assert anonymous.status_code == 401
    assert call(site, "zanzibar", "GET", f"{BASE}/999999").status_code == 404


# --- Listing and editing ---------------------------------------------------------------------


def test_each_reader_lists_the_requests_they_may_see(site):
    draft = create(site).json["id"]
    submitted = create(site, status="submitted").json["id"]
    saidas = create(site, who="saida", themes=["networks-partnerships"]).json["id"]

    def listed(who, query=""):
        answer = call(site, who, "GET", f"{BASE}{query}")
        assert answer.status_code == 200, answer.json
        return [item["id"] for item in answer.json["requests"]]

    assert listed("zanzibar") == [draft, submitted]
    assert listed("zanzibar", "?status=draft") == [draft]
    assert listed("zanzibar", "?status=completed") == []
    assert listed("saida") == [saidas]
    assert listed("mombasa") == []
    assert listed("staff") == [draft, submitted, saidas]
    assert listed("staff", "?status=submitted") == [submitted]
    assert listed("staff", "?status=") == [draft, submitted, saidas]

    bad = call(site, "zanzibar", "GET", f"{BASE}?status=finished")
    assert bad.status_code == 400 and bad.json["errors"] == {"status": "Unknown status."}
    assert call(site, "zanzibar", "GET", f"{BASE}?status=%00").status_code == 400
    assert call(site, "practitioner", "GET", BASE).status_code == 403
    assert site.test_client().get(BASE).status_code == 401

    # A round proposes Mombasa: it lists the request once staff put it to Mombasa, not before.
    done = call(site, "staff", "POST", "/api/v1/matching-rounds", {}).json
    proposal_id = next(p["id"] for p in done["proposals"] if p["request"] == submitted)
    assert listed("mombasa") == []
    call(site, "staff", "POST", f"{BASE}/{submitted}/proposals/{proposal_id}/approve")
    assert listed("mombasa") == [submitted]
    assert listed("mombasa", "?status=proposed") == [submitted]
    assert listed("mombasa", "?status=draft") == []
    item = call(site, "mombasa", "GET", BASE).json["requests"][0]
    assert (item["side"], item["status"]) == ("mentor", "proposed")
    assert [(p["city"], p["state"]) for p in item["proposals"]] == [("mombasa", "cities")]


def test_the_requesting_city_and_staff_edit_a_request(site):
    request_id = create(site).json["id"]
    path = f"{BASE}/{request_id}"
    changed = edit(site, "zanzibar", path, {"timeframe": "first half of 2028"})
    assert changed.status_code == 200, changed.json
    assert changed.json["timeframe"] == "first half of 2028"
    assert changed.json["challenge"] == REQUEST["challenge"]  # only what was sent changes
    by_staff = edit(site, "staff", path, {"themes": ["youth", "local-action-plans"]})
    assert by_staff.status_code == 200
    assert by_staff.json["themes"] == ["local-action-plans", "youth"]  # in the themes' order

    before = state(site, request_id)
    for body, field in [
        ({"format": "holiday"}, "format"),
        ({"format": ["virtual"]}, "format"),
        ({"challenge": "   "}, "challenge"),
        ({"challenge": "x" * 100_000}, "challenge"),
        ({"challenge": "a NUL \x00 byte"}, "challenge"),
        ({"themes": []}, "themes"),
        ({"languages": "en"}, "languages"),
        ({"status": "submitted"}, "status"),
        ({"city": "saida"}, "city"),
        (["timeframe"], "_"),
    ]:
        answer = call(site, "zanzibar", "PATCH", path, body)
        assert answer.status_code == 400, (body, answer.json)
        assert field in answer.json["errors"], body
    assert state(site, request_id) == before

    call(site, "zanzibar", "POST", f"{path}/withdraw")
    late = edit(site, "zanzibar", path, {"timeframe": "2029"})
    assert late.status_code == 409
    assert late.json["errors"] == {"status": "Only a draft or submitted request can change."}
    assert state(site, request_id)[2] == "first half of 2028"


# --- Another city --------------------------------------------------------------------------------


def test_another_citys_focal_point_gets_404_and_the_request_is_untouched(site):
    request_id = create(site).json["id"]
    before = state(site, request_id)
    base = f"{BASE}/{request_id}"
    for method, path in [
        ("GET", base),
        ("GET", f"{base}/suggestions"),
        ("POST", f"{base}/submit"),
        ("POST", f"{base}/withdraw"),
    ]:
        assert call(site, "saida", method, path).status_code == 404, path
    assert state(site, request_id) == before
    refused = refusals(site)
    assert len(refused) == 4
    assert refused[0] == (f"exchange_request:{request_id}", "saida@example.org")


def test_another_city_gets_404_at_every_step_of_an_exchange(site):
    request_id, proposal_id = under_way(site)
    before = state(site, request_id)
    base = f"{BASE}/{request_id}"
    calls = [
        ("GET", base, None),
        ("PATCH", base, {"timeframe": "never"}),
        ("GET", f"{base}/suggestions", None),
        ("POST", f"{base}/submit", None),
        ("POST", f"{base}/withdraw", None),
        ("POST", f"{base}/proposals/{proposal_id}/accept", None),
        ("POST", f"{base}/proposals/{proposal_id}/decline", None),
        ("POST", f"{base}/report", REPORT),
    ]
    for method, path, body in calls:
        answer = call(site, "saida", method, path, body)
        assert answer.status_code == 404, (method, path, answer.status_code)
        assert "challenge" not in answer.get_data(as_text=True)
    assert state(site, request_id) == before
    assert call(site, "saida", "GET", BASE).json == {
        "requests": [],
        "total": 0,
        "page": 1,
        "per_page": 50,
    }
    refused = refusals(site)
    assert len(refused) == len(calls)
    assert set(refused) == {(f"exchange_request:{request_id}", "saida@example.org")}


def test_a_mentor_sees_the_request_but_neither_plans_it_nor_sees_other_candidates(site):
    request_id, proposal_id, mentor = proposed(site, themes=("networks-partnerships",))
    assert mentor == "mombasa"
    base = f"{BASE}/{request_id}"
    suggestions = call(site, "zanzibar", "GET", f"{base}/suggestions").json["suggestions"]
    other = "kristiansand"
    assert other in [s["city"] for s in suggestions]
    # Staff replace Mombasa with Kristiansand, then put Mombasa back in its place.
    changed = call(site, "staff", "POST", f"{base}/proposals/{proposal_id}/change", {"city": other})
    assert changed.status_code == 201, changed.json
    assert call(site, "mombasa", "GET", base).status_code == 404  # replaced: not its request
    assert call(site, other, "GET", base).json["side"] == "mentor"
    replaced = changed.json["proposals"][-1]["id"]
    back = call(site, "staff", "POST", f"{base}/proposals/{replaced}/change", {"city": "mombasa"})
    assert back.status_code == 201, back.json
    assert call(site, other, "GET", base).status_code == 404

    seen = call(site, "mombasa", "GET", base)
    assert seen.status_code == 200
    assert (seen.json["side"], seen.json["challenge"]) == ("mentor", REQUEST["challenge"])
    assert [(p["city"], p["state"]) for p in seen.json["proposals"]] == [
        ("mombasa", "withdrawn"),
        ("mombasa", "cities"),
    ]  # not the other candidate staff considered
    staff_view = call(site, "staff", "GET", base).json
    assert [p["city"] for p in staff_view["proposals"]] == ["mombasa", other, "mombasa"]
    assert call(site, "zanzibar", "GET", base).json["proposals"] == staff_view["proposals"]

    before = state(site, request_id)
    for method, path, body in [
        ("GET", f"{base}/suggestions", None),
        ("PATCH", base, {"timeframe": "never"}),
        ("POST", f"{base}/withdraw", None),
        ("POST", f"{base}/submit", None),
    ]:
        assert call(site, "mombasa", method, path, body).status_code == 404, path
    assert state(site, request_id) == before


# --- The whole exchange over the API -----------------------------------------------------------


def test_two_cities_go_through_a_whole_exchange_without_a_browser(site):
    created = create(site, status="submitted")
    assert created.status_code == 201
    request_id = created.json["id"]
    base = f"{BASE}/{request_id}"

    round_ = call(site, "staff", "POST", "/api/v1/matching-rounds", {})
    assert round_.status_code == 201
    (item,) = [p for p in round_.json["proposals"] if p["request"] == request_id]
    assert item["city"] == "mombasa"
    proposal_id = item["id"]
    decide = f"{base}/proposals/{proposal_id}"

    # Under staff review: Mombasa does not see the request, Zanzibar cannot decide yet.
    assert call(site, "mombasa", "GET", base).status_code == 404
    early = call(site, "zanzibar", "POST", f"{decide}/accept")
    assert early.status_code == 409
    assert early.json["errors"] == {"status": "Staff have not approved this proposal yet."}
    shown = call(site, "zanzibar", "GET", base).json
    assert shown["status"] == "proposed"
    assert shown["proposals"] == [
        {
            "id": proposal_id,
            "city": "mombasa",
            "score": pytest.approx(item["score"]),
            "status": "proposed",
            "state": "review",
            "staff_decision": None,
            "requester_decision": None,
            "mentor_decision": None,
        }
    ]

    approved_ = call(site, "staff", "POST", f"{decide}/approve")
    assert approved_.status_code == 200
    assert approved_.json["proposals"][0]["state"] == "cities"
    with site.app_context():  # approval over the API mails both cities, as in the browser
        mailed = db.session.scalars(sa.select(MailMessage.recipient)).all()
        assert sorted(mailed) == ["mombasa@example.org", "zanzibar@example.org"]
    again = call(site, "staff", "POST", f"{decide}/approve")
    assert again.status_code == 409
    assert again.json["errors"] == {"status": "This proposal is already approved."}

    by_zanzibar = call(site, "zanzibar", "POST", f"{decide}/accept")
    assert by_zanzibar.status_code == 200, by_zanzibar.json
    assert by_zanzibar.json["status"] == "proposed"
    assert by_zanzibar.json["proposals"][0]["requester_decision"] == "accepted"
    twice = call(site, "zanzibar", "POST", f"{decide}/decline")
    assert twice.status_code == 409
    assert twice.json["errors"] == {"status": "This city has already decided."}

    mentor_view = call(site, "mombasa", "GET", base)
    assert mentor_view.status_code == 200 and mentor_view.json["side"] == "mentor"
    by_mombasa = call(site, "mombasa", "POST", f"{decide}/accept")
    assert by_mombasa.status_code == 200
    assert by_mombasa.json["status"] == "in_progress"
    assert by_mombasa.json["proposals"][0]["state"] == "accepted"
    assert [h["to"] for h in by_mombasa.json["history"]] == [
        "draft",
        "submitted",
        "proposed",
        "accepted",
        "in_progress",
    ]
    assert call(site, "zanzibar", "POST", f"{base}/withdraw").status_code == 409

    first = call(site, "zanzibar", "POST", f"{base}/report", REPORT)
    assert first.status_code == 201, first.json
    assert first.json["status"] == "in_progress"
    assert [(r["side"], r["city"], r["rating"]) for r in first.json["reports"]] == [
        ("requester", "zanzibar", 5)
    ]
    twice = call(site, "zanzibar", "POST", f"{base}/report", REPORT)
    assert twice.status_code == 409
    assert twice.json["errors"] == {"status": "This city has already reported on the exchange."}
    second = call(
        site, "mombasa", "POST", f"{base}/report", {"outcomes": "We learnt too.", "rating": "4"}
    )
    assert second.status_code == 201, second.json
    assert second.json["status"] == "completed"
    assert [(r["side"], r["city"], r["rating"], r["feedback"]) for r in second.json["reports"]] == [
        ("requester", "zanzibar", 5, REPORT["feedback"]),
        ("mentor", "mombasa", 4, ""),
    ]
    assert [h["to"] for h in second.json["history"]][-1] == "completed"
    assert call(site, "zanzibar", "GET", base).json == second.json | {"side": "requester"}

    # The exchange now counts for Mombasa, rated excellent by Zanzibar.
    with site.app_context():
        mombasa = db.session.scalar(sa.select(City.id).filter_by(slug="mombasa"))
        assert (mombasa, ["local-action-plans"], 1.0) in network.completed_exchanges()
    assert call(site, "mombasa", "GET", f"{BASE}?status=completed").json["requests"][0]["id"] == (
        request_id
    )


def test_declines_over_the_api(site):
    request_id, proposal_id, _mentor = approved(site)
    base = f"{BASE}/{request_id}"
    by_mentor = call(site, "mombasa", "POST", f"{base}/proposals/{proposal_id}/decline")
    assert by_mentor.status_code == 200 and by_mentor.json["status"] == "submitted"
    # Mombasa saw the proposal and declined: it still sees the request, but has no side in it.
    assert call(site, "mombasa", "GET", base).json["side"] is None
    late = call(site, "mombasa", "POST", f"{base}/proposals/{proposal_id}/accept")
    assert late.status_code == 403 and "side" in late.json["errors"]

    done = call(site, "staff", "POST", "/api/v1/matching-rounds", {}).json
    second = next(p["id"] for p in done["proposals"] if p["request"] == request_id)
    call(site, "staff", "POST", f"{base}/proposals/{second}/approve")
    by_requester = call(site, "zanzibar", "POST", f"{base}/proposals/{second}/decline")
    assert by_requester.status_code == 200 and by_requester.json["status"] == "declined"
    assert [p["status"] for p in by_requester.json["proposals"]] == ["declined", "declined"]


def test_only_the_two_cities_decide_and_only_on_this_requests_proposals(site):
    request_id, proposal_id, _mentor = approved(site)
    other_id, other_proposal, _other = proposed(site)
    base = f"{BASE}/{request_id}"
    before = state(site, request_id)
    for verb in ("accept", "decline"):
        by_staff = call(site, "staff", "POST", f"{base}/proposals/{proposal_id}/{verb}")
        assert by_staff.status_code == 403
        assert by_staff.json["errors"] == {"side": "Only the two cities decide on a proposal."}
        foreign = call(site, "zanzibar", "POST", f"{base}/proposals/{other_proposal}/{verb}")
        assert foreign.status_code == 404
        missing = call(site, "zanzibar", "POST", f"{base}/proposals/999999/{verb}")
        assert missing.status_code == 404
        by_practitioner = call(
            site, "practitioner", "POST", f"{base}/proposals/{proposal_id}/{verb}"
        )
        assert by_practitioner.status_code == 403
    assert state(site, request_id) == before
    assert state(site, other_id)[0] == "proposed"
    assert (f"match_proposal:{proposal_id}", "staff@example.org") in refusals(site)


# --- Staff review --------------------------------------------------------------------------------


def test_staff_only_routes_refuse_focal_points(site):
    request_id, proposal_id, _mentor = proposed(site)
    before = state(site, request_id)
    decide = f"{BASE}/{request_id}/proposals/{proposal_id}"
    for who in ("zanzibar", "mombasa", "saida", "practitioner"):
        for path, body in [
            (f"{decide}/approve", None),
            (f"{decide}/discard", None),
            (f"{decide}/change", {"city": "blantyre"}),
            ("/api/v1/matching-rounds", {}),
        ]:
            assert call(site, who, "POST", path, body).status_code == 403, (who, path)
            assert call(site, None, "POST", path, body).status_code == 401
    assert state(site, request_id) == before
    assert count(site, MatchProposal) == 1


def test_staff_change_the_proposed_mentor(site):
    request_id, proposal_id, mentor = proposed(site, themes=("networks-partnerships",))
    base = f"{BASE}/{request_id}"
    path = f"{base}/proposals/{proposal_id}/change"
    suggestions = call(site, "zanzibar", "GET", f"{base}/suggestions").json["suggestions"]
    other = next(s["city"] for s in suggestions if s["city"] != mentor)
    before = state(site, request_id)

    for body, status, field in [
        ({}, 400, "city"),
        ({"city": 5}, 400, "city"),
        ({"city": ["berlin"]}, 400, "city"),
        ({"city": "atlantis"}, 400, "city"),
        ({"city": "x" * 100_000}, 400, "city"),
        ({"city": "berlin\x00"}, 400, "city"),
        ({"city": other, "note": "why"}, 400, "note"),
        ([other], 400, "_"),
        ({"city": mentor}, 409, "city"),
        ({"city": "zanzibar"}, 409, "city"),  # the requesting city itself
        ({"city": "copenhagen"}, 409, "city"),  # no places and nothing shown
    ]:
        answer = call(site, "staff", "POST", path, body)
        assert answer.status_code == status, (body, answer.json)
        assert field in answer.json["errors"], body
    assert state(site, request_id) == before
    refused = call(site, "staff", "POST", path, {"city": "copenhagen"}).json["errors"]
    assert refused == {
        "city": "This city cannot mentor this request now (themes, experience or capacity)."
    }

    changed = call(site, "staff", "POST", path, {"city": other})
    assert changed.status_code == 201, changed.json
    assert changed.json["status"] == "proposed"
    assert [(p["city"], p["status"], p["staff_decision"]) for p in changed.json["proposals"]] == [
        (mentor, "withdrawn", "replaced"),
        (other, "proposed", "approved"),
    ]
    assert call(site, "staff", "POST", path, {"city": other}).status_code == 409  # settled


def test_staff_discard_a_proposal_and_the_request_waits_again(site):
    request_id, proposal_id, _mentor = proposed(site)
    path = f"{BASE}/{request_id}/proposals/{proposal_id}"
    discarded = call(site, "staff", "POST", f"{path}/discard")
    assert discarded.status_code == 200, discarded.json
    assert discarded.json["status"] == "submitted"
    assert discarded.json["proposals"][0]["state"] == "withdrawn"
    assert [h["to"] for h in discarded.json["history"]][-2:] == ["proposed", "submitted"]
    before = state(site, request_id)
    for verb in ("discard", "approve"):
        answer = call(site, "staff", "POST", f"{path}/{verb}")
        assert answer.status_code == 409
        assert answer.json["errors"] == {"status": "This proposal has already been decided."}
    assert state(site, request_id) == before
    other_id, other_proposal, _other = proposed(site)
    wrong = call(site, "staff", "POST", f"{BASE}/{request_id}/proposals/{other_proposal}/approve")
    assert wrong.status_code == 404
    assert state(site, other_id)[6][0][2] is None  # not approved through the wrong request


def test_staff_run_a_round_a_dry_run_stores_nothing(site):
    request_id = create(site, status="submitted").json["id"]
    assert call(site, "zanzibar", "POST", "/api/v1/matching-rounds").status_code == 403
    dry = call(site, "staff", "POST", "/api/v1/matching-rounds", {"dry_run": True})
    assert dry.status_code == 200 and dry.json["dry_run"] is True
    assert [p["request"] for p in dry.json["proposals"]] == [request_id]
    assert state(site, request_id)[0] == "submitted"
    bad = call(site, "staff", "POST", "/api/v1/matching-rounds", {"dry_run": "yes"})
    assert bad.status_code == 400 and "dry_run" in bad.json["errors"]
    for body in ("[true]", "null", "{", "dry run", '{"dry": true}'):
        wrong = raw(site, "staff", "POST", "/api/v1/matching-rounds", body)
        assert wrong.status_code == 400 and set(wrong.json["errors"]) <= {"_", "dry"}, body
    assert state(site, request_id)[0] == "submitted"

    real = call(site, "staff", "POST", "/api/v1/matching-rounds", {})
    assert real.status_code == 201
    assert real.json["proposals"] == [
        {**item, "id": real.json["proposals"][0]["id"]} for item in dry.json["proposals"]
    ]
    assert state(site, request_id)[0] == "proposed"
    with site.app_context():
        stored = db.session.scalars(sa.select(MatchProposal)).all()
        assert [(p.request_id, p.mentor_city.slug) for p in stored] == [
            (request_id, dry.json["proposals"][0]["city"])
        ]
    shown = call(site, "zanzibar", "GET", f"{BASE}/{request_id}")
    assert shown.json["status"] == "proposed"
    assert [h["to"] for h in shown.json["history"]] == ["draft", "submitted", "proposed"]


# --- Offers --------------------------------------------------------------------------------------


def test_a_city_offers_to_mentor_a_request_from_the_board(site):
    request_id = create(
        site, who="saida", themes=["networks-partnerships"], status="submitted"
    ).json["id"]
    base = f"{BASE}/{request_id}"
    # Before the offer, Kristiansand knows the request from the board only.
    assert call(site, "kristiansand", "GET", base).status_code == 404

    offered = call(site, "kristiansand", "POST", f"{base}/offers")
    assert offered.status_code == 201, offered.json
    body = offered.json
    assert (body["id"], body["status"], body["themes"]) == (
        request_id,
        "proposed",
        ["networks-partnerships"],
    )
    assert not {"challenge", "timeframe", "city", "history"} & set(body)  # still private
    assert REQUEST["challenge"] not in offered.get_data(as_text=True)
    (proposal,) = body["proposals"]
    assert (proposal["city"], proposal["state"], proposal["mentor_decision"]) == (
        "kristiansand",
        "review",
        "accepted",
    )
    assert call(site, "kristiansand", "GET", base).status_code == 404  # until staff approve
    with site.app_context():
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="match_offered"))
        assert event.actor.email == "kristiansand@example.org"

    taken = call(site, "mombasa", "POST", f"{base}/offers")
    assert taken.status_code == 409
    assert taken.json["errors"] == {"status": "Only a submitted request takes offers."}

    approve = call(site, "staff", "POST", f"{base}/proposals/{proposal['id']}/approve")
    assert approve.status_code == 200
    assert call(site, "kristiansand", "GET", base).json["side"] == "mentor"
    # Kristiansand said yes by offering; Saida's yes starts the exchange.
    accepted = call(site, "saida", "POST", f"{base}/proposals/{proposal['id']}/accept")
    assert accepted.status_code == 200 and accepted.json["status"] == "in_progress"


def test_offers_that_cannot_be_taken(site):
    draft = create(site).json["id"]
    before = state(site, draft)
    refused = call(site, "kristiansand", "POST", f"{BASE}/{draft}/offers")
    assert refused.status_code == 409
    assert refused.json == {"errors": {"status": "Only a submitted request takes offers."}}
    assert state(site, draft) == before

    submitted = create(site, status="submitted").json["id"]
    before = state(site, submitted)
    not_eligible = call(site, "kristiansand", "POST", f"{BASE}/{submitted}/offers")
    assert not_eligible.status_code == 409
    assert not_eligible.json["errors"] == {
        "city": "This city cannot mentor this request now (themes, experience or capacity)."
    }
    own = call(site, "zanzibar", "POST", f"{BASE}/{submitted}/offers")
    assert own.status_code == 409
    assert own.json["errors"] == {"city": "A city cannot mentor its own request."}
    by_staff = call(site, "staff", "POST", f"{BASE}/{submitted}/offers")
    assert by_staff.status_code == 403
    assert by_staff.json["errors"] == {"city": "Your account is not linked to a city."}
    assert call(site, "practitioner", "POST", f"{BASE}/{submitted}/offers").status_code == 403
    assert call(site, "kristiansand", "POST", f"{BASE}/999999/offers").status_code == 404
    assert state(site, submitted) == before
    assert count(site, MatchProposal) == 0


# --- Reports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"feedback": "Fine.", "rating": 4}, "outcomes"),
        ({**REPORT, "outcomes": ""}, "outcomes"),
        ({**REPORT, "outcomes": 12}, "outcomes"),
        ({**REPORT, "outcomes": ["a", "list"]}, "outcomes"),
        ({**REPORT, "outcomes": "x" * 100_000}, "outcomes"),
        ({**REPORT, "outcomes": "a NUL \x00 byte"}, "outcomes"),
        ({**REPORT, "feedback": {"a": 1}}, "feedback"),
        ({**REPORT, "rating": 0}, "rating"),
        ({**REPORT, "rating": 6}, "rating"),
        ({**REPORT, "rating": -1}, "rating"),
        ({**REPORT, "rating": 4.5}, "rating"),
        ({**REPORT, "rating": "abc"}, "rating"),
        ({**REPORT, "rating": "²"}, "rating"),
        ({**REPORT, "rating": "99999999999999999999999"}, "rating"),
        ({**REPORT, "rating": True}, "rating"),
        ({**REPORT, "rating": None}, "rating"),
        ({**REPORT, "rating": [5]}, "rating"),
        ({**REPORT, "rating": {"stars": 5}}, "rating"),
        ({"outcomes": "Done."}, "rating"),
        ({**REPORT, "stars": 5}, "stars"),
        ([REPORT], "_"),
        ("a report", "_"),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_stored(site, body, field):
    request_id, _proposal_id = under_way(site)
    before = state(site, request_id)
    answer = call(site, "zanzibar", "POST", f"{BASE}/{request_id}/report", body)
    assert answer.status_code == 400, answer.json
    assert field in answer.json["errors"]
    assert state(site, request_id) == before
    assert count(site, ExchangeReport) == 0


def test_a_report_comes_from_one_of_the_two_cities_while_the_exchange_runs(site):
    request_id, proposal_id, _mentor = approved(site)
    path = f"{BASE}/{request_id}/report"
    early = call(site, "zanzibar", "POST", path, REPORT)
    assert early.status_code == 409
    assert early.json["errors"] == {"status": "Only an exchange in progress can be reported on."}
    for who in ("zanzibar", "mombasa"):
        call(site, who, "POST", f"{BASE}/{request_id}/proposals/{proposal_id}/accept")
    by_staff = call(site, "staff", "POST", path, REPORT)
    assert by_staff.status_code == 403
    assert by_staff.json["errors"] == {"side": "Only the two cities report on an exchange."}
    assert call(site, "practitioner", "POST", path, REPORT).status_code == 403
    assert count(site, ExchangeReport) == 0
    whole = call(site, "zanzibar", "POST", path, {**REPORT, "rating": 3.0})
    assert whole.status_code == 201 and whole.json["reports"][0]["rating"] == 3


# --- Nothing is a 500 ----------------------------------------------------------------------------


def test_no_body_however_wrong_is_a_server_error(site):
    request_id, proposal_id = under_way(site)
    other_id = create(site, themes=["networks-partnerships"]).json["id"]  # a draft
    before = state(site, request_id), state(site, other_id)
    decide = f"{BASE}/{request_id}/proposals/{proposal_id}"
    routes = [
        ("POST", BASE),
        ("PATCH", f"{BASE}/{other_id}"),
        ("POST", f"{BASE}/{other_id}/offers"),
        ("POST", f"{BASE}/{request_id}/report"),
        ("POST", f"{decide}/change"),
        ("POST", "/api/v1/matching-rounds"),
    ]
    bodies = [
        "[1, 2]",
        '"text"',
        "1e999",
        "null",
        "{",
        '{"\\u0000": 1}',
        '{"\\ud800": "x"}',
        '{"themes": [["local-action-plans"]], "format": [], "challenge": {}}',
        '{"city": {"slug": "berlin"}, "rating": {}, "outcomes": [null]}',
        '{"timeframe": "\\udfff", "outcomes": "\\ud83d", "city": "\\ud800"}',
        '{"format": "virtual", "themes": ["youth"], "challenge": "' + "x" * 200_000 + '"}',
    ]
    for method, path in routes:
        for who in ("zanzibar", "mombasa", "staff"):
            for data in bodies:
                answer = raw(site, who, method, path, data)
                assert answer.status_code < 500, (who, method, path, data[:60])
                assert answer.status_code in (400, 403, 404, 409), (who, path, data[:60])
    assert (state(site, request_id), state(site, other_id)) == before


def test_a_new_request_says_where_it_lives_and_ids_past_the_column_are_404(site):
    created = create(site)
    assert created.status_code == 201
    assert created.headers["Location"].endswith(f"{BASE}/{created.json['id']}")
    assert call(site, "zanzibar", "GET", created.headers["Location"]).status_code == 200
    for path in (f"{BASE}/2147483648", f"{BASE}/1/proposals/99999999999/accept"):
        method = "GET" if path.count("/") == 4 else "POST"
        answer = call(site, "zanzibar", method, path)
        assert answer.status_code == 404 and set(answer.json) == {"errors"}, path
