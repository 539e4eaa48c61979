"""The states of a peer exchange, their labels, and the steps between them, in one table each.

Templates and views ask `allowed_steps(request, user)` what a reader may do; they never compare
status strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from hub.i18n import lazy_gettext as _l
from hub.types import LabelledEnum

if TYPE_CHECKING:
    from hub.exchanges.models import ExchangeRequest


class RequestStatus(LabelledEnum):
    """The life of a request for a peer exchange, in order; the last two end it early."""

    draft = "draft", _l("Draft")
    submitted = "submitted", _l("Submitted")
    proposed = "proposed", _l("Mentor proposed")
    accepted = "accepted", _l("Accepted")
    in_progress = "in_progress", _l("In progress")
    completed = "completed", _l("Completed")
    withdrawn = "withdrawn", _l("Withdrawn")
    declined = "declined", _l("Declined")


class ProposalStatus(LabelledEnum):
    """A stored proposal: pending (proposed), or settled one way or another."""

    proposed = "proposed", _l("Proposed")
    accepted = "accepted", _l("Accepted by both cities")
    declined = "declined", _l("Declined")
    withdrawn = "withdrawn", _l("Withdrawn")


class ProposalState(LabelledEnum):
    """A proposed mentor as readers follow it: staff review, then both cities; or settled."""

    review = "review", _l("Awaiting staff review")
    cities = "cities", _l("Awaiting both cities")
    accepted = "accepted", _l("Accepted by both cities")
    declined = "declined", _l("Declined")
    withdrawn = "withdrawn", _l("Withdrawn")


class Decision(LabelledEnum):
    """What one city has said to a proposal put to it; no decision stored means pending."""

    pending = "pending", _l("Not decided yet")
    accepted = "accepted", _l("Accepted")
    declined = "declined", _l("Declined")


class StaffDecision(LabelledEnum):
    """What staff did with a proposal; none stored means it awaits their review."""

    approved = "approved", _l("Approved")
    replaced = "replaced", _l("Replaced by another city")
    discarded = "discarded", _l("Discarded")


class Side(LabelledEnum):
    """The two cities of an exchange request."""

    requester = "requester", _l("requesting city")
    mentor = "mentor", _l("mentor city")


class ParticipantSide(LabelledEnum):
    """The sides of an exchange recorded in the content files."""

    mentor = "mentor", _l("Mentor")
    learner = "learner", _l("Learner")


class ExchangeFormat(LabelledEnum):
    virtual = "virtual", _l("Virtual exchange")
    study_visit = "study-visit", _l("Study visit")
    mentoring = "mentoring", _l("Mentoring over months")


# How an exchange went, as each side rates it when reporting back: 1 (poor) to 5 (excellent).
RATINGS = {1: _l("Poor"), 2: _l("Fair"), 3: _l("Good"), 4: _l("Very good"), 5: _l("Excellent")}

# Each factor of a proposal's score, as the breakdown table names it (hub.matching.FACTORS).
MATCH_FACTORS = {
    "thematic_fit": _l("Thematic fit"),
    "experience": _l("Experience"),
    "language": _l("Shared languages"),
    "context": _l("Region and context"),
    "relation": _l("Earlier relationship"),
    "size": _l("Size relation"),
    "load": _l("Current load"),
}

# Why a close alternative was not proposed (codes from hub.matching.explain).
WHY_NOT = {
    "lower_thematic_fit": _l("lower thematic fit"),
    "less_experienced": _l("less experience on these themes"),
    "no_shared_language": _l("no shared language"),
    "less_similar_context": _l("a less similar region or context"),
    "no_earlier_relation": _l("no earlier relationship"),
    "smaller_city": _l("a smaller city"),
    "busier_mentor": _l("already mentoring more cities"),
    "not_more_experienced": _l("not more experienced than the requesting city on these themes"),
    "no_capacity": _l("no capacity left"),
    "no_capacity_left_in_round": _l("its free places went to other requests in this round"),
    "best_candidate_taken_in_round": _l("the best candidate went to another request"),
    "higher_score": _l("a higher score, but not chosen in the round"),
    "tied_score": _l("an equal score"),
}

# Why a matching round left a request without a mentor (hub.matching.UNMATCHED_REASONS).
UNMATCHED_REASONS = {
    "unknown_city": _l("The requesting city is unknown."),
    "no_mentor_for_themes": _l("No city shows experience on these themes."),
    "no_more_experienced_mentor": _l(
        "No city is more experienced than the requesting city on these themes."
    ),
    "no_free_capacity": _l("Every city that could mentor this request is fully booked."),
    "lost_to_higher_scoring_requests": _l(
        "The cities that could mentor it were given to requests they fit better."
    ),
}

S = RequestStatus

# Which status may follow which; a mentor declining sends a proposed request back to the pool.
TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.draft: frozenset({S.submitted, S.withdrawn}),
    S.submitted: frozenset({S.proposed, S.withdrawn}),
    S.proposed: frozenset({S.accepted, S.declined, S.submitted, S.withdrawn}),
    S.accepted: frozenset({S.in_progress, S.withdrawn}),
    S.in_progress: frozenset({S.completed}),
}
# A request's own text changes only before a mentor is proposed.
EDITABLE = frozenset({S.draft, S.submitted})
# How a new request may start.
NEW = (S.draft, S.submitted)
# Requests whose mentor slot is taken: a pending proposal holds the slot until it is decided.
HOLDING_A_PLACE = (S.proposed, S.accepted, S.in_progress)
# Requests still waiting for a mentor or a decision: the staff board counts what they ask for.
WAITING = (S.submitted, S.proposed)
# Where the exchange itself is under way or done: the reports are shown.
REPORTED = frozenset({S.in_progress, S.completed})


def can_move(status: RequestStatus, to: RequestStatus) -> bool:
    return to in TRANSITIONS.get(status, frozenset())


class Step(StrEnum):
    """What a reader may do on a request's page."""

    edit = "edit"
    submit = "submit"
    withdraw = "withdraw"
    decide = "decide"  # accept or decline the live proposal
    review = "review"  # staff: approve, change or discard the live proposal
    report = "report"


def allowed_steps(request: ExchangeRequest, user: Any) -> frozenset[Step]:
    """The steps `user` may take on `request` now; pages show a button for each."""
    from hub.exchanges import access

    side = access.side_of(user, request)
    planning = side == Side.requester or getattr(user, "is_staff", False)
    steps: set[Step] = set()
    if planning:
        if request.status in EDITABLE:
            steps.add(Step.edit)
        if request.status == S.draft and can_move(request.status, S.submitted):
            steps.add(Step.submit)
        if can_move(request.status, S.withdrawn):
            steps.add(Step.withdraw)
    live = request.live_proposal
    if live is not None and live.state == ProposalState.cities and side is not None:
        if live.decision_of(side) == Decision.pending:
            steps.add(Step.decide)
    if live is not None and live.state == ProposalState.review and getattr(user, "is_staff", False):
        steps.add(Step.review)
    if request.status == S.in_progress and side is not None:
        if side not in {report.side for report in request.reports}:
            steps.add(Step.report)
    return frozenset(steps)
