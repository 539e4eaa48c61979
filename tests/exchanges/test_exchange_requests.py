"""Exchange requests in the database: their lifecycle and history, staff review of proposals,
both cities' decisions and reports, who sees a request, mentors proposed from the network's real
content (and from exchanges completed through the hub), matching rounds within capacity, and the
`match` commands."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from hub.accounts import operations as accounts
from hub.audit import AuditEvent
from hub.cities.models import City
from hub.errors import HubError, InvalidInput, StepRefused
from hub.exchanges import access, answers, network
from hub.exchanges import lifecycle as requests
from hub.exchanges.models import ExchangeReport, ExchangeRequest, MatchProposal
from hub.exchanges.reasons import reason
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.conftest import _dispose, app_with_people

REPORT = {
    "outcomes": "A ward forum now meets monthly.",
    "feedback": "Generous mentors.",
    "rating": 5,
}


@pytest.fixture
def hub(database):
    """The network's content loaded, and a focal point for Zanzibar (and a few more people)."""
    app = app_with_people(database)
    with app.app_context():
        yield app
    _dispose(app)


def city(slug: str) -> City:
    return db.session.scalar(sa.select(City).filter_by(slug=slug))


def person(email: str):
    return accounts.find_user(email)


def focal_point():
    return person("zanzibar@example.org")


def staff():
    return person("staff@example.org")


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


def _round_json(done, dry_run):
    return answers.dump(answers.round_out(done, dry_run))


def statuses(request: ExchangeRequest) -> list[tuple[str | None, str]]:
    return [(change.from_status, change.to_status) for change in request.history]


def message(error: pytest.ExceptionInfo, field: str = "status") -> str:
    """The refusal as the user reads it."""
    return str(error.value.errors[field])


def proposed(slug: str = "zanzibar", themes: tuple[str, ...] = ("local-action-plans",)):
    """A submitted request and the proposal a matching round made for it, awaiting review."""
    request = ask(slug, list(themes))
    requests.run_round(staff())
    proposal = request.pending_proposal
    assert proposal is not None and request.status == "proposed"
    return request, proposal


def under_way(slug: str = "zanzibar", themes: tuple[str, ...] = ("local-action-plans",)):
    """An exchange both cities accepted after staff approved it: in progress."""
    request, proposal = proposed(slug, themes)
    requests.approve(proposal, staff())
    requests.accept(proposal, "requester", focal_point())
    requests.accept(proposal, "mentor", person("mombasa@example.org"))
    assert request.status == "in_progress"
    return request, proposal


def offered_and_done(request: ExchangeRequest, mentor: str, rating: int) -> MatchProposal:
    """`mentor` offers itself, staff approve, the requester accepts and both sides report."""
    proposal = requests.offer(request, city(mentor), None)
    requests.approve(proposal, staff())
    requests.accept(proposal, "requester", focal_point())  # the mentor said yes by offering
    assert request.status == "in_progress"
    requests.report(request, "requester", {**REPORT, "rating": rating}, focal_point())
    requests.report(request, "mentor", {"outcomes": "We learnt as much.", "rating": 4}, None)
    assert request.status == "completed"
    return proposal


def snapshot(request: ExchangeRequest) -> tuple:
    """Everything a refused step must leave as it was."""
    return (
        request.status,
        statuses(request),
        [
            (
                p.mentor_city_id,
                p.status,
                p.staff_decision,
                p.requester_decision,
                p.mentor_decision,
            )
            for p in request.proposals
        ],
        [(r.side, r.rating) for r in request.reports],
    )


def experience(slug: str) -> float:
    built = network.build_network()
    return float(built.experience[built.index[city(slug).id]])


def ranking(request: ExchangeRequest) -> list[str]:
    return [db.session.get(City, p.mentor_id).slug for p in network.suggestions(request)]


# --- The lifecycle ---------------------------------------------------------------------------


def test_the_whole_lifecycle_leaves_a_history_row_per_change(hub):
    request = ask("zanzibar", ["local-action-plans"], status="draft")
    requests.edit_request(request, {"timeframe": "first half of 2027"}, focal_point())
    requests.submit(request, focal_point())
    requests.run_round(staff())
    proposal = request.pending_proposal
    assert proposal is not None and request.status == "proposed"
    assert proposal.mentor_city.slug == "mombasa"
    assert proposal.state == "review"
    requests.approve(proposal, staff())
    assert proposal.state == "cities"
    requests.accept(proposal, "requester", focal_point())
    assert request.status == "proposed"  # the mentor city has not said yes yet
    requests.accept(proposal, "mentor", person("mombasa@example.org"))
    assert request.status == "in_progress"  # accepted by both, and under way at once
    assert proposal.state == "accepted"
    requests.report(request, "requester", REPORT, focal_point())
    assert request.status == "in_progress"  # the mentor city has not reported yet
    requests.report(request, "mentor", {"outcomes": "We learnt as much.", "rating": 4}, None)
    db.session.commit()
    assert request.status == "completed"
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
    assert request.history[2].actor.email == "staff@example.org"
    assert [(r.side, r.city.slug, r.rating) for r in request.reports] == [
        ("requester", "zanzibar", 5),
        ("mentor", "mombasa", 4),
    ]
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert [a for a in actions if a.startswith("match")] == [
        "matching_round",
        "match_approved",
        "match_accepted",
        "match_accepted",
    ]


def test_steps_out_of_order_are_refused_in_words_and_change_nothing(hub):
    request = ask("zanzibar", ["local-action-plans"], status="draft")
    with pytest.raises(HubError) as error:
        requests.complete(request, None)
    assert message(error) == "This step is not possible while the request is “Draft”."
    requests.withdraw(request, focal_point())
    with pytest.raises(HubError) as error:
        requests.submit(request, focal_point())
    assert message(error) == "This step is not possible while the request is “Withdrawn”."
    with pytest.raises(HubError) as error:
        requests.edit_request(request, {"challenge": "Changed"}, focal_point())
    assert message(error) == "Only a draft or submitted request can change."
    with pytest.raises(HubError) as error:
        requests.offer(request, city("mombasa"), None)
    assert message(error) == "Only a submitted request takes offers."
    assert request.status == "withdrawn"
    assert statuses(request) == [(None, "draft"), ("draft", "withdrawn")]
    assert request.challenge == "Our action plan stalls between the county and the wards."


def test_withdrawing_a_proposed_request_withdraws_its_proposal(hub):
    request, proposal = proposed()
    requests.withdraw(request, focal_point())
    assert (request.status, proposal.status) == ("withdrawn", "withdrawn")
    with pytest.raises(HubError) as error:
        requests.approve(proposal, staff())
    assert message(error) == "This proposal has already been decided."


def test_a_mentor_declining_sends_the_request_back_and_the_requester_declining_ends_it(hub):
    request, first = proposed()
    requests.approve(first, staff())
    requests.decline(first, "mentor", person("mombasa@example.org"))
    assert request.status == "submitted"
    requests.run_round(staff())
    second = request.pending_proposal
    requests.approve(second, staff())
    requests.decline(second, "requester", focal_point())
    assert request.status == "declined"
    assert [p.status for p in request.proposals] == ["declined", "declined"]
    assert [(p.requester_decision, p.mentor_decision) for p in request.proposals] == [
        (None, "declined"),
        ("declined", None),
    ]
    assert [to for _from, to in statuses(request)] == [
        "draft",
        "submitted",
        "proposed",
        "submitted",
        "proposed",
        "declined",
    ]


# --- Staff review ----------------------------------------------------------------------------


def test_approval_mail_is_queued_with_the_step_and_dropped_when_it_rolls_back(hub):
    request, proposal = proposed()
    db.session.commit()
    requests.approve(proposal, staff())
    queued = db.session.scalars(sa.select(MailMessage.recipient)).all()
    assert sorted(queued) == ["mombasa@example.org", "zanzibar@example.org"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0
    assert request.pending_proposal.staff_decision is None


def test_refusals_are_step_refused_and_bad_input_is_invalid_input(hub):
    request = ask("zanzibar", ["local-action-plans"])
    with pytest.raises(StepRefused):
        requests.submit(request, focal_point())
    with pytest.raises(InvalidInput):
        requests.edit_request(request, {"format": "holiday"}, focal_point())
    with pytest.raises(InvalidInput):
        requests.create_request(city("zanzibar"), {}, focal_point(), status="completed")


def test_cities_cannot_decide_before_staff_approve(hub):
    request, proposal = proposed()
    before = snapshot(request)
    for decide in (requests.accept, requests.decline):
        for side in ("requester", "mentor"):
            with pytest.raises(HubError) as error:
                decide(proposal, side, None)
            assert message(error) == "Staff have not approved this proposal yet."
    assert snapshot(request) == before
    requests.approve(proposal, staff())
    with pytest.raises(HubError) as error:
        requests.approve(proposal, staff())
    assert message(error) == "This proposal is already approved."
    approved = db.session.scalar(sa.select(AuditEvent).filter_by(action="match_approved"))
    assert approved.target == f"match_proposal:{proposal.id}"
    assert approved.actor.email == "staff@example.org"


def test_one_city_cannot_decide_twice_nor_an_unknown_side(hub):
    request, proposal = proposed()
    requests.approve(proposal, staff())
    requests.accept(proposal, "requester", focal_point())
    before = snapshot(request)
    for decide in (requests.accept, requests.decline):
        with pytest.raises(HubError) as error:
            decide(proposal, "requester", focal_point())
        assert message(error) == "This city has already decided."
        with pytest.raises(HubError) as error:
            decide(proposal, "staff", None)
        assert message(error, "side") == "Choose requester or mentor."
    assert snapshot(request) == before
    requests.accept(proposal, "mentor", None)
    with pytest.raises(HubError) as error:
        requests.decline(proposal, "mentor", None)
    assert message(error) == "This proposal has already been decided."
    assert request.status == "in_progress"


def test_staff_change_the_mentor_to_another_eligible_city(hub):
    request, proposal = proposed(themes=("networks-partnerships",))
    first = proposal.mentor_city.slug
    other = next(slug for slug in ranking(request) if slug != first)

    before = snapshot(request)
    refused = [
        (None, "Choose a city."),
        (city(first), "This city is already the proposed mentor."),
        (city("zanzibar"), "This city cannot mentor this request now"),  # the requester itself
        (city("copenhagen"), "This city cannot mentor this request now"),  # no places, no record
    ]
    for mentor, words in refused:
        with pytest.raises(HubError) as error:
            requests.change_mentor(proposal, mentor, staff())
        assert message(error, "city").startswith(words)
        assert snapshot(request) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchProposal)) == 1

    chosen = requests.change_mentor(proposal, city(other), staff())
    assert (proposal.status, proposal.staff_decision) == ("withdrawn", "replaced")
    assert chosen.mentor_city.slug == other
    assert chosen.state == "cities"  # approved with the change
    assert request.pending_proposal is chosen
    assert request.status == "proposed"
    assert statuses(request) == before[1]  # the request itself did not move
    changed = db.session.scalar(sa.select(AuditEvent).filter_by(action="match_changed"))
    assert changed.before == {"mentor": city(first).id}
    with pytest.raises(HubError):
        requests.approve(proposal, staff())  # the replaced proposal is settled
    requests.accept(chosen, "requester", focal_point())
    requests.accept(chosen, "mentor", None)
    assert request.status == "in_progress"


def test_staff_discard_a_proposal_and_the_request_waits_again(hub):
    request, proposal = proposed()
    requests.discard(proposal, staff())
    assert request.status == "submitted"
    assert (proposal.status, proposal.staff_decision) == ("withdrawn", "discarded")
    assert request.history[-1].note == "proposal discarded by staff"
    assert statuses(request)[-1] == ("proposed", "submitted")
    for step in (requests.approve, requests.discard):
        with pytest.raises(HubError) as error:
            step(proposal, staff())
        assert message(error) == "This proposal has already been decided."
    with pytest.raises(HubError):
        requests.change_mentor(proposal, city("blantyre"), staff())
    assert request.status == "submitted"
    # The slot the proposal held is free again: the next round proposes anew.
    requests.run_round(staff())
    assert request.pending_proposal is not None


def test_a_mentor_offers_itself_and_staff_review_the_offer(hub):
    request = ask("saida", ["networks-partnerships"])
    with pytest.raises(HubError) as error:
        requests.offer(request, city("saida"), None)
    assert message(error, "city") == "A city cannot mentor its own request."
    with pytest.raises(HubError) as error:
        requests.offer(request, city("berlin"), None)  # no more experienced than Saida
    assert message(error, "city").startswith("This city cannot mentor this request now")
    assert request.status == "submitted" and request.proposals == []
    proposal = requests.offer(request, city("kristiansand"), None)
    assert request.status == "proposed"
    assert (proposal.mentor_decision, proposal.staff_decision) == ("accepted", None)
    assert proposal.state == "review"
    with pytest.raises(HubError):
        requests.offer(request, city("mombasa"), None)  # one proposal at a time


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
    with pytest.raises(HubError) as error:
        fields = dict(fields)
        ask("zanzibar", fields.pop("themes", ["local-action-plans"]), **fields)
    assert field in error.value.errors


def test_zanzibar_gets_mombasa_and_its_kenyan_experience_among_the_top_proposals(hub):
    request = ask("zanzibar", ["local-action-plans"])
    top = network.suggestions(request, limit=3)
    by_slug = {db.session.get(City, p.mentor_id).slug: p for p in top}
    assert "mombasa" in by_slug
    mombasa = by_slug["mombasa"]
    assert mombasa.facts["exchanges_on_themes"] >= 1  # the Kenyan county action plans
    assert mombasa.facts["earlier_relation"] and mombasa.facts["same_region"]
    sentence = reason(city("mombasa"), mombasa.facts)
    assert sentence.startswith("Mombasa has ") and "is in your region" in sentence


def test_kristiansand_can_be_proposed_to_mombasa_once_it_has_shown_more(hub):
    """Mombasa has more on networks and partnerships than Kristiansand, until Kristiansand
    completes a mentoring through the hub: a completed exchange feeds experience."""
    mombasa_request = ask("mombasa", ["networks-partnerships"])
    assert network.suggestions(mombasa_request) == []
    requests.withdraw(mombasa_request, None)
    before = experience("kristiansand")

    saida = ask("saida", ["networks-partnerships"])
    proposal = requests.offer(saida, city("kristiansand"), None)
    requests.approve(proposal, staff())
    requests.accept(proposal, "requester", None)
    assert saida.status == "in_progress"
    assert experience("kristiansand") == pytest.approx(before)  # not until it is done
    requests.report(saida, "requester", REPORT, None)
    requests.report(saida, "mentor", {"outcomes": "A partnership with Saida.", "rating": 5}, None)
    assert saida.status == "completed"
    assert experience("kristiansand") > before

    again = ask("mombasa", ["networks-partnerships"])
    assert "kristiansand" in ranking(again)


def test_good_feedback_ranks_a_mentor_above_one_rated_poorly(hub):
    """Berlin and London have the same record on networks and partnerships; after one exchange
    each through the hub, the city its requester rated excellent ranks above the poorly rated."""
    blantyre = ask("blantyre", ["networks-partnerships"])
    first = ranking(blantyre)
    assert first.index("berlin") < first.index("london")  # before: a hair apart, Berlin first
    requests.withdraw(blantyre, None)
    berlin, london = experience("berlin"), experience("london")
    assert berlin == pytest.approx(london)

    offered_and_done(ask("zanzibar", ["networks-partnerships"]), "berlin", rating=1)
    offered_and_done(ask("zanzibar", ["networks-partnerships"]), "london", rating=5)

    assert experience("london") > london
    assert experience("london") > experience("berlin")
    again = ranking(ask("blantyre", ["networks-partnerships"]))
    assert again.index("london") < again.index("berlin")
    assert {"berlin": 0.0, "london": 1.0} == {
        db.session.get(City, mentor).slug: feedback
        for mentor, _themes, feedback in network.completed_exchanges()
        if feedback is not None
    }


# --- Who sees a request ----------------------------------------------------------------------


def test_who_sees_a_request_and_on_which_side(hub):
    request, proposal = proposed()
    assert proposal.mentor_city.slug == "mombasa"
    zanzibar, mombasa, saida = (
        person(f"{s}@example.org") for s in ("zanzibar", "mombasa", "saida")
    )
    practitioner, staff_member = person("practitioner@example.org"), staff()
    anonymous = AnonymousUserMixin()

    def seen() -> dict[str, tuple[bool, str | None]]:
        people = {
            "zanzibar": zanzibar,
            "mombasa": mombasa,
            "saida": saida,
            "practitioner": practitioner,
            "staff": staff_member,
            "anonymous": anonymous,
        }
        return {
            name: (access.visible_to(user, request), access.side_of(user, request))
            for name, user in people.items()
        }

    # Awaiting review: the proposed mentor does not see the request yet.
    before = seen()
    assert before["mombasa"][0] is False
    assert {name: answer for name, answer in before.items() if name != "mombasa"} == {
        "zanzibar": (True, "requester"),
        "saida": (False, None),
        "practitioner": (False, None),
        "staff": (True, None),
        "anonymous": (False, None),
    }
    requests.approve(proposal, staff_member)
    assert seen() == {
        "zanzibar": (True, "requester"),
        "mombasa": (True, "mentor"),
        "saida": (False, None),
        "practitioner": (False, None),
        "staff": (True, None),
        "anonymous": (False, None),
    }
    requests.accept(proposal, "requester", zanzibar)
    requests.accept(proposal, "mentor", mombasa)
    assert seen()["mombasa"] == (True, "mentor")  # and while the exchange runs


def test_a_city_whose_proposal_staff_replaced_no_longer_sees_the_request(hub):
    request, proposal = proposed(themes=("networks-partnerships",))
    mombasa = person("mombasa@example.org")
    assert proposal.mentor_city.slug == "mombasa"
    other = next(slug for slug in ranking(request) if slug != "mombasa")
    chosen = requests.change_mentor(proposal, city(other), staff())
    assert not access.visible_to(mombasa, request)
    assert access.side_of(mombasa, request) is None
    assert chosen.mentor_city.slug == other


# --- Reports and what they teach the matching ------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"feedback": "Fine.", "rating": 4}, "outcomes"),
        ({**REPORT, "outcomes": "   "}, "outcomes"),
        ({**REPORT, "outcomes": 12}, "outcomes"),
        ({**REPORT, "outcomes": "x" * 5001}, "outcomes"),
        ({**REPORT, "feedback": "x" * 5001}, "feedback"),
        ({**REPORT, "feedback": None}, "feedback"),
        ({**REPORT, "outcomes": "nul \x00 byte"}, "outcomes"),
        ({**REPORT, "rating": 0}, "rating"),
        ({**REPORT, "rating": 6}, "rating"),
        ({**REPORT, "rating": "x"}, "rating"),
        ({**REPORT, "rating": True}, "rating"),
        ({**REPORT, "rating": 3.5}, "rating"),
        ({"outcomes": "Done."}, "rating"),
        ({**REPORT, "stars": 5}, "stars"),
    ],
)
def test_a_bad_report_is_refused_by_field_and_changes_nothing(hub, fields, field):
    request, _proposal = under_way()
    before = snapshot(request)
    with pytest.raises(HubError) as error:
        requests.report(request, "requester", fields, focal_point())
    assert field in error.value.errors
    assert snapshot(request) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ExchangeReport)) == 0


def test_report_messages_read_as_the_user_reads_them(hub):
    request, _proposal = under_way()
    with pytest.raises(HubError) as error:
        requests.report(request, "requester", {"rating": 0, "stars": 1}, None)
    assert {name: str(text) for name, text in error.value.errors.items()} == {
        "stars": "This field is not known.",
        "outcomes": "Say what came out of the exchange.",
        "rating": "Choose a rating from 1 to 5.",
    }
    with pytest.raises(HubError) as error:
        requests.report(request, "requester", [REPORT], None)
    assert message(error, "_") == "The body must be a JSON object."
    with pytest.raises(HubError) as error:
        requests.report(request, "requester", {**REPORT, "outcomes": "x" * 5001}, None)
    assert message(error, "outcomes") == "At most 5000 characters."


def test_a_report_comes_once_per_side_and_only_while_the_exchange_runs(hub):
    request, proposal = proposed()
    with pytest.raises(HubError) as error:
        requests.report(request, "requester", REPORT, None)
    assert message(error) == "Only an exchange in progress can be reported on."
    requests.approve(proposal, staff())
    requests.accept(proposal, "requester", None)
    requests.accept(proposal, "mentor", None)
    with pytest.raises(HubError) as error:
        requests.report(request, "staff", REPORT, None)
    assert message(error, "side") == "Choose requester or mentor."
    written = requests.report(request, "mentor", {**REPORT, "rating": "3"}, None)
    assert (written.side, written.city.slug, written.rating) == ("mentor", "mombasa", 3)
    assert written.outcomes == REPORT["outcomes"]
    with pytest.raises(HubError) as error:
        requests.report(request, "mentor", REPORT, None)
    assert message(error) == "This city has already reported on the exchange."
    assert request.status == "in_progress" and len(request.reports) == 1
    requests.report(request, "requester", {"outcomes": "  Trimmed.  ", "rating": 5}, None)
    assert request.status == "completed"
    assert request.reports[-1].outcomes == "Trimmed." and request.reports[-1].feedback == ""
    with pytest.raises(HubError) as error:
        requests.report(request, "requester", REPORT, None)
    assert message(error) == "Only an exchange in progress can be reported on."


def test_only_the_second_report_counts_the_exchange_for_the_mentor(hub):
    request, _proposal = under_way()
    before = network.completed_exchanges()
    requests.report(request, "mentor", REPORT, None)
    assert network.completed_exchanges() == before
    requests.report(request, "requester", {**REPORT, "rating": 4}, None)
    assert (city("mombasa").id, ["local-action-plans"], 0.75) in network.completed_exchanges()


def test_a_round_respects_capacity_and_is_deterministic(hub):
    city("mombasa").mentor_capacity = 1
    first = ask("zanzibar", ["local-action-plans"])
    second = ask("blantyre", ["local-action-plans"])
    dry = _round_json(requests.run_round(None, dry_run=True), True)
    assert dry == _round_json(requests.run_round(None, dry_run=True), True)
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


@pytest.mark.parametrize(
    "column", ["status", "staff_decision", "requester_decision", "mentor_decision"]
)
def test_the_database_refuses_a_proposal_state_it_does_not_know(hub, column):
    _request, proposal = proposed()
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.text(f"UPDATE match_proposals SET {column} = 'maybe' WHERE id = :id"),
            {"id": proposal.id},
        )
    db.session.rollback()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(sa.text("UPDATE exchange_requests SET status = 'lost'"))
    db.session.rollback()
