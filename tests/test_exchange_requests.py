"""Exchange requests in the database: their lifecycle and history, mentors proposed from the
network's real content, matching rounds within capacity, and the `match` commands."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.models import AuditEvent, City, ExchangeRequest, MatchProposal
from hub.services import accounts, content_files
from hub.services import exchange_requests as requests
from hub.services.exchange_requests import ExchangeRequestError
from tests.conftest import CONTENT, _dispose, make_app

PASSWORD = "a long passphrase 2026"


@pytest.fixture
def hub(database):
    """The network's content loaded, and a focal point for Zanzibar."""
    app = make_app(database)
    with app.app_context():
        db.create_all()
        report = content_files.load_directory(CONTENT)
        assert not report.errors, report.errors
        accounts.create_user("zanzibar@example.org", "focal_point", PASSWORD, "zanzibar")
        db.session.commit()
    with app.app_context():
        yield app
    _dispose(app)


def city(slug: str) -> City:
    return db.session.scalar(sa.select(City).filter_by(slug=slug))


def focal_point():
    return accounts.find_user("zanzibar@example.org")


def ask(slug: str, themes: list[str], status: str = "submitted", **fields) -> ExchangeRequest:
    fields = {
        "themes": themes,
        "challenge": "Our action plan stalls between the county and the wards.",
        "languages": ["en"],
        "format": "mentoring",
        "timeframe": "2027",
        **fields,
    }
    return requests.create_request(city(slug), fields, focal_point(), status=status)


def statuses(request: ExchangeRequest) -> list[tuple[str | None, str]]:
    return [(change.from_status, change.to_status) for change in request.history]


def test_the_whole_lifecycle_leaves_a_history_row_per_change(hub):
    request = ask("zanzibar", ["local-action-plans"], status="draft")
    requests.edit_request(request, {"timeframe": "first half of 2027"}, focal_point())
    requests.submit(request, focal_point())
    requests.run_round(None)
    proposal = requests.pending_proposal(request)
    assert proposal is not None and request.status == "proposed"
    requests.accept(proposal, "requester", focal_point())
    assert request.status == "proposed"  # the mentor city has not said yes yet
    requests.accept(proposal, "mentor", None)
    requests.start(request, None)
    requests.complete(request, None)
    db.session.commit()
    assert request.timeframe == "first half of 2027"
    assert statuses(request) == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "proposed"),
        ("proposed", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert request.history[0].actor.email == "zanzibar@example.org"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 2


def test_steps_out_of_order_are_refused_and_change_nothing(hub):
    request = ask("zanzibar", ["local-action-plans"], status="draft")
    with pytest.raises(ExchangeRequestError):
        requests.complete(request, None)
    requests.withdraw(request, focal_point())
    with pytest.raises(ExchangeRequestError):
        requests.submit(request, focal_point())
    with pytest.raises(ExchangeRequestError):
        requests.edit_request(request, {"challenge": "Changed"}, focal_point())
    assert request.status == "withdrawn"
    assert statuses(request) == [(None, "draft"), ("draft", "withdrawn")]


def test_a_mentor_declining_sends_the_request_back_and_the_requester_declining_ends_it(hub):
    request = ask("zanzibar", ["local-action-plans"])
    requests.run_round(None)
    requests.decline(requests.pending_proposal(request), "mentor", None)
    assert request.status == "submitted"
    requests.run_round(None)
    requests.decline(requests.pending_proposal(request), "requester", focal_point())
    assert request.status == "declined"
    assert [p.status for p in request.proposals] == ["declined", "declined"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"themes": ["no-such-theme"]}, "themes"),
        ({"themes": "local-action-plans"}, "themes"),
        ({"languages": ["en", "xx"]}, "languages"),
        ({"languages": "en"}, "languages"),
        ({"format": "holiday"}, "format"),
        ({"challenge": "x" * 5001}, "challenge"),
        ({"challenge": 12}, "challenge"),
    ],
)
def test_bad_input_is_refused_by_field(hub, fields, field):
    with pytest.raises(ExchangeRequestError) as error:
        fields = dict(fields)
        ask("zanzibar", fields.pop("themes", ["local-action-plans"]), **fields)
    assert field in error.value.errors


def test_zanzibar_gets_mombasa_and_its_kenyan_experience_among_the_top_proposals(hub):
    request = ask("zanzibar", ["local-action-plans"])
    top = requests.suggestions(request, limit=3)
    by_slug = {db.session.get(City, p.mentor_id).slug: p for p in top}
    assert "mombasa" in by_slug
    mombasa = by_slug["mombasa"]
    assert mombasa.facts["exchanges_on_themes"] >= 1  # the Kenyan county action plans
    assert mombasa.facts["earlier_relation"] and mombasa.facts["same_region"]
    reason = requests.reason(city("mombasa"), mombasa.facts)
    assert reason.startswith("Mombasa has ") and "is in your region" in reason


def test_kristiansand_can_be_proposed_to_mombasa_once_it_has_shown_more(hub):
    """Mombasa has more on networks and partnerships than Kristiansand, until Kristiansand
    completes a mentoring through the hub: a completed exchange feeds experience."""
    mombasa_request = ask("mombasa", ["networks-partnerships"])
    assert requests.suggestions(mombasa_request) == []
    requests.withdraw(mombasa_request, None)
    saida = ask("saida", ["networks-partnerships"])
    proposal = requests.offer(saida, city("kristiansand"), None)
    requests.accept(proposal, "requester", None)
    requests.start(saida, None)
    requests.complete(saida, None)
    again = ask("mombasa", ["networks-partnerships"])
    proposed = [db.session.get(City, p.mentor_id).slug for p in requests.suggestions(again)]
    assert "kristiansand" in proposed


def test_a_round_respects_capacity_and_is_deterministic(hub):
    city("mombasa").mentor_capacity = 1
    first = ask("zanzibar", ["local-action-plans"])
    second = ask("blantyre", ["local-action-plans"])
    dry = requests.round_json(requests.run_round(None, dry_run=True), True)
    assert dry == requests.round_json(requests.run_round(None, dry_run=True), True)
    assert first.status == second.status == "submitted"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProposal)) == 0
    done = requests.run_round(None)
    mentors = [p.mentor_id for p in done.result.assignments]
    assert mentors.count(city("mombasa").id) <= 1
    for request_id, stored in done.stored.items():
        assert db.session.get(ExchangeRequest, request_id).status == "proposed"
        assert stored.mentor_city_id in mentors
    assert [p["request"] for p in dry["proposals"]] == sorted(done.stored)
    # The slot Mombasa gave is taken: a further round cannot give it again.
    third = ask("zanzibar", ["local-action-plans"])
    again = requests.run_round(None, dry_run=True)
    assert city("mombasa").id not in [p.mentor_id for p in again.result.assignments]
    assert third.status == "submitted"


def test_match_suggest_prints_scores_and_reasons(hub):
    request = ask("zanzibar", ["local-action-plans"])
    db.session.commit()
    runner = hub.test_cli_runner()
    text = runner.invoke(args=["match", "suggest", str(request.id)])
    assert text.exit_code == 0, text.output
    assert "mombasa" in text.output and "Mombasa has " in text.output
    as_json = runner.invoke(args=["match", "suggest", str(request.id), "--json"])
    answer = json.loads(as_json.output)
    assert answer["request"] == request.id
    first = answer["suggestions"][0]
    assert set(first) >= {"city", "score", "factors", "reason"}
    assert sum(f["contribution"] for f in first["factors"].values()) == pytest.approx(
        first["score"]
    )
    missing = runner.invoke(args=["match", "suggest", "99999"])
    assert missing.exit_code != 0


def test_match_round_stores_proposals_unless_dry_run(hub):
    request = ask("zanzibar", ["local-action-plans"])
    db.session.commit()
    runner = hub.test_cli_runner()
    dry = runner.invoke(args=["match", "round", "--dry-run", "--json"])
    assert dry.exit_code == 0, dry.output
    answer = json.loads(dry.output)
    assert answer["dry_run"] is True
    assert [p["request"] for p in answer["proposals"]] == [request.id]
    db.session.expire_all()
    assert db.session.get(ExchangeRequest, request.id).status == "submitted"
    real = runner.invoke(args=["match", "round"])
    assert real.exit_code == 0, real.output
    assert "1 proposed" in real.output
    db.session.expire_all()
    assert db.session.get(ExchangeRequest, request.id).status == "proposed"
