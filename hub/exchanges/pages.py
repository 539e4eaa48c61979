"""Peer exchanges in the browser: the public board, a city's requests, and the staff board.

A request is seen by its city's focal point, by staff, and by a mentor city once staff have put a
proposal to it; to anyone else it does not exist (404, written to the audit log). Every step
posts a form and redirects; a step the lifecycle refuses is explained and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from hub.catalog import queries as catalog
from hub.errors import NotFound
from hub.exchanges import board as exchange_board
from hub.exchanges import lifecycle as requests
from hub.exchanges import mail as exchange_mail
from hub.exchanges.lifecycle import ExchangeRequestError
from hub.exchanges.models import ExchangeRequest
from hub.extensions import db
from hub.security.access import FOCAL_POINT, PUBLIC, STAFF, allow, not_found_for

bp = Blueprint(
    "exchanges", __name__, url_prefix="/<lang:lang>/exchanges", template_folder="templates"
)


def _user():
    return current_user._get_current_object()


def _visible(request_id: int) -> ExchangeRequest:
    try:
        found = requests.get_request(request_id)
    except NotFound:
        abort(404)
    if not requests.visible_to(current_user, found):
        not_found_for(f"exchange_request:{request_id}")
    return found


def _requester(found: ExchangeRequest) -> None:
    """Only the requesting city (or staff) changes the request itself."""
    if not (current_user.is_staff or requests.side_of(current_user, found) == "requester"):
        not_found_for(f"exchange_request:{found.id}")


def _refused(error: ExchangeRequestError) -> None:
    db.session.rollback()
    for message in error.errors.values():
        flash(str(message), "error")


def _back(found: ExchangeRequest):
    return redirect(url_for("exchanges.detail", request_id=found.id)), 303


def _form_fields() -> dict:
    """The request form as the lifecycle reads it (the same checks as the API)."""
    form = request.form
    return {
        "themes": form.getlist("themes"),
        "challenge": form.get("challenge", ""),
        "languages": [c.strip().lower() for c in form.get("languages", "").split(",") if c.strip()],
        "format": form.get("format", ""),
        "timeframe": form.get("timeframe", ""),
    }


# --- The public board ------------------------------------------------------------------------


@bp.get("")
@allow(PUBLIC)
def board():
    filters = exchange_board.parse_filters(request.args)
    context = {"filters": filters, "themes": catalog.all_themes(), "offers": {}}
    if filters.errors:
        return render_template("exchanges/board.html", pagination=None, **context), 400
    pagination = exchange_board.open_requests(filters)
    city = getattr(current_user, "city", None) if current_user.is_authenticated else None
    if current_user.is_authenticated and current_user.role == "focal_point":
        context["offers"] = exchange_board.offerable(city, list(pagination.items))
    return render_template("exchanges/board.html", pagination=pagination, **context)


@bp.post("/<int:request_id>/offer")
@allow(FOCAL_POINT)
def offer(request_id: int):
    try:
        found = requests.get_request(request_id)
    except NotFound:
        abort(404)
    city = current_user.city
    try:
        if city is None:
            raise ExchangeRequestError({"city": _("Your account is not linked to a city.")})
        requests.offer(found, city, _user())
    except ExchangeRequestError as error:
        _refused(error)
        return redirect(url_for("exchanges.board")), 303
    db.session.commit()
    flash(_("Thank you. Staff will review your offer and put it to the requesting city."), "notice")
    return redirect(url_for("exchanges.mine")), 303


# --- A city's own requests -------------------------------------------------------------------


@bp.get("/mine")
@allow(FOCAL_POINT)
def mine():
    city = current_user.city
    own = mentoring = offers = []
    if city is not None:
        own = exchange_board.requests_of(city)
        mentoring, offers = exchange_board.mentoring_of(city)
    return render_template(
        "exchanges/mine.html",
        city=city,
        own=own,
        mentoring=mentoring,
        offers=offers,
        proposal_state=requests.proposal_state,
        live_proposal=requests.live_proposal,
    )


@bp.route("/new", methods=["GET", "POST"])
@allow(FOCAL_POINT)
def new():
    city = current_user.city
    if city is None:
        flash(_("Your account is not linked to a city, so it cannot ask for a peer."), "error")
        return redirect(url_for("exchanges.mine")), 303
    errors: dict = {}
    if request.method == "POST":
        status = "submitted" if request.form.get("action") == "submit" else "draft"
        try:
            found = requests.create_request(city, _form_fields(), _user(), status=status)
        except ExchangeRequestError as error:
            db.session.rollback()
            errors = error.errors
        else:
            db.session.commit()
            flash(
                _("Your request is submitted.")
                if status == "submitted"
                else _("Your request is saved as a draft."),
                "notice",
            )
            return _back(found)
    page = render_template(
        "exchanges/form.html",
        found=None,
        city=city,
        errors=errors,
        form=request.form,
        themes=catalog.all_themes(),
    )
    return page, 400 if errors else 200


@bp.get("/<int:request_id>")
@allow(FOCAL_POINT)
def detail(request_id: int):
    found = _visible(request_id)
    side = requests.side_of(current_user, found)
    planning = side == "requester" or current_user.is_staff
    live = requests.live_proposal(found)
    suggestions = alternatives = []
    if planning and found.status == "submitted":
        suggestions = requests.suggestions(found)
    if planning and live is not None:
        alternatives = requests.alternatives(found, requests.as_plain(live))
    elif suggestions:
        alternatives = requests.alternatives(found, suggestions[0])
    choices = []
    if current_user.is_staff and live is not None and requests.proposal_state(live) == "review":
        choices = [
            s for s in requests.suggestions(found, limit=None) if s.mentor_id != live.mentor_city_id
        ]
    return render_template(
        "exchanges/detail.html",
        found=found,
        side=side,
        planning=planning,
        live=live,
        suggestions=suggestions,
        alternatives=alternatives,
        choices=choices,
        cities=exchange_board.cities_by_id(),
        reason=requests.reason,
        state=requests.proposal_state,
        reported={r.side for r in found.reports},
    )


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow(FOCAL_POINT)
def edit(request_id: int):
    found = _visible(request_id)
    _requester(found)
    errors: dict = {}
    if request.method == "POST":
        try:
            requests.edit_request(found, _form_fields(), _user())
        except ExchangeRequestError as error:
            db.session.rollback()
            errors = error.errors
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "notice")
            return _back(found)
    page = render_template(
        "exchanges/form.html",
        found=found,
        city=found.city,
        errors=errors,
        form=request.form,
        themes=catalog.all_themes(),
    )
    return page, 400 if errors else 200


def _attempt(found: ExchangeRequest, action, message: str):
    """Take one step: commit and say so, or explain the refusal and change nothing."""
    try:
        action()
    except ExchangeRequestError as error:
        _refused(error)
    else:
        db.session.commit()
        flash(message, "notice")
    return _back(found)


def _step(request_id: int, step, message: str):
    found = _visible(request_id)
    _requester(found)
    return _attempt(found, lambda: step(found, _user()), message)


@bp.post("/<int:request_id>/submit")
@allow(FOCAL_POINT)
def submit(request_id: int):
    return _step(request_id, requests.submit, _("Your request is submitted."))


@bp.post("/<int:request_id>/withdraw")
@allow(FOCAL_POINT)
def withdraw(request_id: int):
    return _step(request_id, requests.withdraw, _("Your request is withdrawn."))


def _proposal(found: ExchangeRequest, proposal_id: int):
    try:
        return requests.get_proposal(found, proposal_id)
    except NotFound:
        abort(404)


def _decision(request_id: int, proposal_id: int, decide, message: str):
    found = _visible(request_id)
    proposal = _proposal(found, proposal_id)
    side = requests.side_of(current_user, found)

    def action():
        if side is None:
            raise ExchangeRequestError({"side": _("Only the two cities decide on a proposal.")})
        decide(proposal, side, _user())

    return _attempt(found, action, message)


@bp.post("/<int:request_id>/proposals/<int:proposal_id>/accept")
@allow(FOCAL_POINT)
def accept(request_id: int, proposal_id: int):
    return _decision(request_id, proposal_id, requests.accept, _("You accepted the proposal."))


@bp.post("/<int:request_id>/proposals/<int:proposal_id>/decline")
@allow(FOCAL_POINT)
def decline(request_id: int, proposal_id: int):
    return _decision(request_id, proposal_id, requests.decline, _("You declined the proposal."))


@bp.post("/<int:request_id>/report")
@allow(FOCAL_POINT)
def report(request_id: int):
    found = _visible(request_id)
    side = requests.side_of(current_user, found)
    fields = {name: request.form.get(name, "") for name in ("outcomes", "feedback", "rating")}
    try:
        if side is None:
            raise ExchangeRequestError({"side": _("Only the two cities report on an exchange.")})
        requests.report(found, side, fields, _user())
    except ExchangeRequestError as error:
        db.session.rollback()
        page = render_template(
            "exchanges/report_form.html",
            found=found,
            errors=error.errors,
            form=request.form,
            open_to_report=side is not None and side not in {r.side for r in found.reports},
        )
        return page, 400 if set(error.errors) & set(fields) else 409
    db.session.commit()
    flash(_("Thank you for your report."), "notice")
    return _back(found)


# --- Staff: review proposals, run rounds, watch the figures -----------------------------------


def _staff_step(request_id: int, proposal_id: int, step, message: str):
    found = _visible(request_id)
    proposal = _proposal(found, proposal_id)

    def action():
        put = step(proposal)  # the proposal now before both cities, if any
        if put is not None:
            exchange_mail.tell_cities(put)

    return _attempt(found, action, message)


@bp.post("/<int:request_id>/proposals/<int:proposal_id>/approve")
@allow(STAFF)
def approve(request_id: int, proposal_id: int):
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: requests.approve(p, _user()),
        _("The proposal is approved and put to both cities."),
    )


@bp.post("/<int:request_id>/proposals/<int:proposal_id>/change")
@allow(STAFF)
def change(request_id: int, proposal_id: int):
    city = requests.city_by_slug(request.form.get("city", ""))
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: requests.change_mentor(p, city, _user()),
        _("The mentor is changed and the proposal put to both cities."),
    )


@bp.post("/<int:request_id>/proposals/<int:proposal_id>/discard")
@allow(STAFF)
def discard(request_id: int, proposal_id: int):
    return _staff_step(
        request_id,
        proposal_id,
        lambda p: requests.discard(p, _user()),
        _("The proposal is discarded; the request waits for the next round."),
    )


@bp.get("/staff")
@allow(STAFF)
def staff_board():
    return render_template(
        "exchanges/staff.html",
        by_status=exchange_board.requests_by_status(),
        review=exchange_board.awaiting_review(),
        uncovered=exchange_board.uncovered_themes(),
        load=exchange_board.mentor_load(),
        acceptance=exchange_board.acceptance(),
        reason=requests.reason,
    )


@bp.post("/rounds")
@allow(STAFF)
def run_round():
    dry_run = request.form.get("dry_run") == "1"
    done = requests.run_round(_user(), dry_run=dry_run)
    if dry_run:
        page = render_template(
            "exchanges/round.html",
            done=done,
            requests_by_id={r.id: r for r in db.session.scalars(db.select(ExchangeRequest))},
            cities=exchange_board.cities_by_id(),
            reason=requests.reason,
        )
        db.session.rollback()
        return page
    db.session.commit()
    proposed, unmatched = len(done.stored), len(done.result.unmatched)
    flash(
        ngettext(
            "The round proposed %(num)d mentor; review it below.",
            "The round proposed %(num)d mentors; review them below.",
            proposed,
        ),
        "notice",
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
    return redirect(url_for("exchanges.staff_board")), 303
