"""Peer exchanges in the browser: the public board, a city's requests, and the staff board.

Who sees what is `hub.exchanges.access`; what may be done is `states.allowed_steps`. Every step
posts a form and redirects; a step the lifecycle refuses is explained and changes nothing (the
request's transaction is rolled back by `hub.web`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from hub import web
from hub.catalog import queries as catalog
from hub.errors import HubError, InvalidInput, StepRefused
from hub.exchanges import access, board, lifecycle, network, states
from hub.exchanges.forms import ChangeForm, ReportForm, RequestForm, RoundForm, StepForm
from hub.exchanges.reasons import addressee, reason
from hub.exchanges.schemas import BoardQuery
from hub.exchanges.states import ProposalState, RequestStatus, Step, allowed_steps
from hub.forms import options
from hub.i18n import gettext as _
from hub.i18n import localized, ngettext
from hub.security.access import FOCAL_POINT, PUBLIC, STAFF, allow

bp = Blueprint(
    "exchanges", __name__, url_prefix="/<lang:lang>/exchanges", template_folder="templates"
)


@bp.context_processor
def _states() -> dict:
    """The states and labels the exchange templates compare with and show."""
    names = (
        "Step", "RequestStatus", "ProposalStatus", "Side", "Decision", "ExchangeFormat",
        "REPORTED", "RATINGS", "MATCH_FACTORS", "WHY_NOT", "UNMATCHED_REASONS",
    )  # fmt: skip
    return {name: getattr(states, name) for name in names}


def _user():
    return current_user._get_current_object()


def _detail_url(request_id: int) -> str:
    return url_for("exchanges.detail", request_id=request_id)


def _posted(form) -> None:
    """A posted form's CSRF token checked, or InvalidInput."""
    if not form.validate_on_submit():
        raise InvalidInput(form.problems() or _("The form could not be read. Try again."))


def _step(request_id: int, take, message: str):
    """Take one step on a request: say so, or explain the refusal; back to its page."""
    try:
        _posted(StepForm())
        take()
    except HubError as error:
        return web.refused(error, _detail_url(request_id))
    flash(message, "success")
    return redirect(_detail_url(request_id), 303)


# --- The public board ----------------------------------------------------------------------------


@bp.get("", endpoint="board")
@allow(PUBLIC)
def board_page():
    context = {"themes": catalog.all_themes(), "offers": {}, "step_form": StepForm()}
    try:
        filters = web.parse_args(BoardQuery)
        pagination = board.open_requests(filters)
    except InvalidInput as error:
        page = render_template(
            "exchanges/board.html",
            filters=BoardQuery(),
            errors=error.errors,
            pagination=None,
            **context,
        )
        return page, 400
    if current_user.is_authenticated and current_user.is_focal_point:
        context["offers"] = network.offerable(current_user.city, list(pagination.items))
    return render_template(
        "exchanges/board.html", filters=filters, errors={}, pagination=pagination, **context
    )


@bp.post("/<id:request_id>/offer")
@allow(FOCAL_POINT)
def offer(request_id: int):
    found = access.find(request_id)
    try:
        _posted(StepForm())
        lifecycle.offer(found, access.own_city(), _user())
    except HubError as error:
        return web.refused(error, url_for("exchanges.board"))
    flash(
        _("Thank you. Staff will review your offer and put it to the requesting city."), "success"
    )
    return redirect(url_for("exchanges.mine"), 303)


# --- A city's own requests -----------------------------------------------------------------------


@bp.get("/mine")
@allow(FOCAL_POINT)
def mine():
    city = current_user.city
    own = mentoring = offers = []
    if city is not None:
        own = board.requests_of(city)
        mentoring, offers = board.mentoring_of(city)
    return render_template(
        "exchanges/mine.html", city=city, own=own, mentoring=mentoring, offers=offers
    )


def _form_page(form: RequestForm, found, city, errors: dict, status: int = 200):
    page = render_template(
        "exchanges/form.html",
        found=found,
        city=city,
        errors=errors,
        form=form,
        themes=catalog.all_themes(),
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@allow(FOCAL_POINT)
def new():
    city = current_user.city
    if city is None:
        flash(_("Your account is not linked to a city, so it cannot ask for a peer."), "error")
        return redirect(url_for("exchanges.mine"), 303)
    form = RequestForm()
    if not form.is_submitted():
        form.fill(None, city.languages)
        return _form_page(form, None, city, {})
    try:
        _posted(form)
        found = lifecycle.create_request(city, form.fields(), _user(), status=form.status())
    except InvalidInput as error:
        return _form_page(form, None, city, error.errors, 400)
    if found.status == RequestStatus.submitted:
        flash(_("Your request is submitted."), "success")
    else:
        flash(_("Your request is saved as a draft."), "success")
    return redirect(_detail_url(found.id), 303)


@bp.get("/<id:request_id>")
@allow(FOCAL_POINT)
def detail(request_id: int):
    found = access.visible(request_id)
    steps = allowed_steps(found, current_user)
    planning = access.plans(current_user, found)
    live = found.live_proposal
    suggestions = alternatives = choices = []
    snapshot = network.current()
    if planning and found.status == RequestStatus.submitted:
        suggestions = network.suggestions(found, snapshot)
    if planning and live is not None:
        alternatives = network.alternatives(found, network.as_plain(live), snapshot)
    elif suggestions:
        alternatives = network.alternatives(found, suggestions[0], snapshot)
    if Step.review in steps:
        every = network.suggestions(found, snapshot, limit=None)
        choices = [s for s in every if s.mentor_id != live.mentor_city_id]
    named = [p.mentor_city_id for p in found.proposals]
    named += [s.mentor_id for s in (*suggestions, *alternatives, *choices)]
    return render_template(
        "exchanges/detail.html",
        found=found,
        steps=steps,
        side=access.side_of(current_user, found),
        planning=planning,
        live=live,
        in_review=live is not None and live.state == ProposalState.review,
        suggestions=suggestions,
        alternatives=alternatives,
        choices=choices,
        cities=network.cities_by_id(named),
        reason=reason,
        named=addressee(found, current_user),
        step_form=StepForm(),
        change_form=ChangeForm(),
        report_form=ReportForm(formdata=None),
        errors={},
    )


@bp.route("/<id:request_id>/edit", methods=["GET", "POST"])
@allow(FOCAL_POINT)
def edit(request_id: int):
    found = access.planned(request_id)
    form = RequestForm()
    form.themes.choices = options((t.slug, localized(t.names)) for t in catalog.all_themes())
    if not form.is_submitted():
        form.fill(found, found.city.languages)
        return _form_page(form, found, found.city, {})
    try:
        _posted(form)
        if form.changed_meanwhile(found.version, form.values_of(found)):
            return _form_page(form, found, found.city, {}, 409)
        lifecycle.edit_request(found, form.fields(), _user())
    except (InvalidInput, StepRefused) as error:
        return _form_page(form, found, found.city, error.errors, 400)
    except StaleDataError:
        # Saved by someone else between this request's read and its write.
        web.start_over()
        form.changed_meanwhile(found.version, form.values_of(found))
        form.stale = True
        return _form_page(form, found, found.city, {}, 409)
    flash(_("Your changes are saved."), "success")
    return redirect(_detail_url(found.id), 303)


@bp.post("/<id:request_id>/submit")
@allow(FOCAL_POINT)
def submit(request_id: int):
    found = access.planned(request_id)
    return _step(
        request_id, lambda: lifecycle.submit(found, _user()), _("Your request is submitted.")
    )


@bp.post("/<id:request_id>/withdraw")
@allow(FOCAL_POINT)
def withdraw(request_id: int):
    found = access.planned(request_id)
    return _step(
        request_id, lambda: lifecycle.withdraw(found, _user()), _("Your request is withdrawn.")
    )


def _decision(request_id: int, proposal_id: int, decide, message: str):
    found = access.visible(request_id)
    proposal = access.proposal_of(found, proposal_id)

    return _step(
        request_id,
        lambda: decide(proposal, access.deciding_side(found, proposal), _user()),
        message,
    )


@bp.post("/<id:request_id>/proposals/<id:proposal_id>/accept")
@allow(FOCAL_POINT)
def accept(request_id: int, proposal_id: int):
    return _decision(request_id, proposal_id, lifecycle.accept, _("You accepted the proposal."))


@bp.post("/<id:request_id>/proposals/<id:proposal_id>/decline")
@allow(FOCAL_POINT)
def decline(request_id: int, proposal_id: int):
    return _decision(request_id, proposal_id, lifecycle.decline, _("You declined the proposal."))


@bp.post("/<id:request_id>/report")
@allow(FOCAL_POINT)
def report(request_id: int):
    found = access.visible(request_id)
    form = ReportForm()
    try:
        _posted(form)
        lifecycle.report(found, access.reporting_side(found), form.fields(), _user())
    except HubError as error:
        page = render_template(
            "exchanges/report_form.html",
            found=found,
            errors=error.errors,
            report_form=form,
            steps=allowed_steps(found, current_user),
        )
        return page, error.status
    flash(_("Thank you for your report."), "success")
    return redirect(_detail_url(found.id), 303)


# --- Staff: review proposals, run rounds, watch the figures --------------------------------------


def _staff_step(request_id: int, proposal_id: int, step, message: str):
    found = access.visible(request_id)
    proposal = access.proposal_of(found, proposal_id)
    return _step(request_id, lambda: step(proposal), message)


@bp.post("/<id:request_id>/proposals/<id:proposal_id>/approve")
@allow(STAFF)
def approve(request_id: int, proposal_id: int):
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: lifecycle.approve(p, _user()),
        _("The proposal is approved and put to both cities."),
    )


@bp.post("/<id:request_id>/proposals/<id:proposal_id>/change")
@allow(STAFF)
def change(request_id: int, proposal_id: int):
    form = ChangeForm()
    city = lifecycle.city_by_slug(form.city.data or None)
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: lifecycle.change_mentor(p, city, _user()),
        _("The mentor is changed and the proposal put to both cities."),
    )


@bp.post("/<id:request_id>/proposals/<id:proposal_id>/discard")
@allow(STAFF)
def discard(request_id: int, proposal_id: int):
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: lifecycle.discard(p, _user()),
        _("The proposal is discarded; the request waits for the next round."),
    )


@bp.get("/staff")
@allow(STAFF)
def staff_board():
    by_status = board.requests_by_status()
    return render_template(
        "exchanges/staff.html",
        by_status=by_status,
        review=board.awaiting_review(),
        uncovered=board.uncovered_themes(by_status),
        load=board.mentor_load(),
        acceptance=board.acceptance(),
        reason=reason,
        round_form=RoundForm(formdata=None),
    )


@bp.post("/rounds")
@allow(STAFF)
def run_round():
    form = RoundForm()
    try:
        _posted(form)
    except InvalidInput as error:
        return web.refused(error, url_for("exchanges.staff_board"))
    done = lifecycle.run_round(_user(), dry_run=form.is_dry_run())
    if form.is_dry_run():  # nothing was stored
        return render_template(
            "exchanges/round.html",
            done=done,
            cities=network.cities_by_id(p.mentor_id for p in done.result.assignments),
            reason=reason,
        )
    proposed, unmatched = len(done.stored), len(done.result.unmatched)
    flash(
        ngettext(
            "The round proposed %(num)d mentor; review it below.",
            "The round proposed %(num)d mentors; review them below.",
            proposed,
        ),
        "success",
    )
    if unmatched:
        flash(
            ngettext(
                "%(num)d request remains without a mentor.",
                "%(num)d requests remain without a mentor.",
                unmatched,
            ),
            "notice",
        )
    return redirect(url_for("exchanges.staff_board"), 303)
