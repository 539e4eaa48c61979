"""Who sees an exchange request, on which side they stand, and the guards the pages and the API
share.

A request is seen by its city's focal point, by staff, and by a mentor city once staff have put a
proposal to it; to anyone else it does not exist (404, written to the audit log). Only the
requesting city and staff plan the request itself; only the two cities decide and report.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request as http_request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from hub import audit
from hub.errors import NotAllowed, NotFound
from hub.exchanges.models import ExchangeReport, ExchangeRequest, MatchProposal
from hub.exchanges.states import Side
from hub.extensions import db
from hub.i18n import lazy_gettext as _l


def mentor_sees(request: ExchangeRequest, city_id: int | None) -> bool:
    """A mentor city sees a request once staff have put it to the city, and after."""
    return city_id is not None and any(
        p.mentor_city_id == city_id and p.put_to_mentor for p in request.proposals
    )


def visible_to(user: Any, request: ExchangeRequest) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    if not user.is_focal_point or user.city_id is None:
        return False
    return user.city_id == request.city_id or mentor_sees(request, user.city_id)


def side_of(user: Any, request: ExchangeRequest) -> Side | None:
    """requester or mentor for a focal point of either city; None for anyone else."""
    if getattr(user, "role", None) != "focal_point" or user.city_id is None:
        return None
    if user.city_id == request.city_id:
        return Side.requester
    live = request.live_proposal
    if live is not None and live.mentor_city_id == user.city_id and live.put_to_mentor:
        return Side.mentor
    return None


def plans(user: Any, request: ExchangeRequest) -> bool:
    """The requesting city and staff plan a request: change it, read its suggestions."""
    return bool(getattr(user, "is_staff", False)) or side_of(user, request) == Side.requester


def visible_filter(user: Any) -> sa.ColumnElement[bool]:
    """The requests `user` may see, as SQL: the same rule as `visible_to`."""
    if not getattr(user, "is_authenticated", False):
        return sa.false()
    if user.is_staff:
        return sa.true()
    if not user.is_focal_point or user.city_id is None:
        return sa.false()
    mentoring = sa.select(MatchProposal.request_id).where(
        MatchProposal.mentor_city_id == user.city_id, MatchProposal.put_to_mentor
    )
    return sa.or_(ExchangeRequest.city_id == user.city_id, ExchangeRequest.id.in_(mentoring))


def with_everything() -> list:
    """What a request's page and its JSON show, loaded in a fixed number of queries."""
    return [
        selectinload(ExchangeRequest.city),
        selectinload(ExchangeRequest.themes),
        selectinload(ExchangeRequest.history),
        selectinload(ExchangeRequest.proposals).selectinload(MatchProposal.mentor_city),
        selectinload(ExchangeRequest.reports).selectinload(ExchangeReport.city),
    ]


def find(request_id: int) -> ExchangeRequest:
    """A request, whoever asks; NotFound if there is none."""
    found = db.session.scalar(
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.id == request_id)
        .options(*with_everything())
    )
    if found is None:
        raise NotFound()
    return found


def _hidden(target: str) -> NotFound:
    """A record the reader may not see: as if it did not exist, and written down."""
    if current_user.is_authenticated:
        audit.record("permission_denied", target=target, after={"path": http_request.path})
    return NotFound()


def visible(request_id: int) -> ExchangeRequest:
    """The request, if the current user may see it."""
    found = find(request_id)
    if not visible_to(current_user, found):
        raise _hidden(f"exchange_request:{request_id}")
    return found


def planned(request_id: int) -> ExchangeRequest:
    """A request the current user plans: a mentor city does not see this part of it."""
    found = visible(request_id)
    if not plans(current_user, found):
        raise _hidden(f"exchange_request:{request_id}")
    return found


def proposal_of(found: ExchangeRequest, proposal_id: int) -> MatchProposal:
    proposal = next((p for p in found.proposals if p.id == proposal_id), None)
    if proposal is None:
        raise NotFound()
    return proposal


def refuse(target: str, errors: dict) -> NotAllowed:
    """A 403 for a record the user sees but may not act on, written to the audit log."""
    audit.record("permission_denied", target=target, after={"path": http_request.path})
    return NotAllowed(errors)


def _city_side(found: ExchangeRequest, target: str, refusal: Any) -> Side:
    side = side_of(current_user, found)
    if side is None:
        raise refuse(target, {"side": refusal})
    return side


def deciding_side(found: ExchangeRequest, proposal: MatchProposal) -> Side:
    """The current user's city in a decision on `proposal`; staff and others may not decide."""
    target = f"match_proposal:{proposal.id}"
    return _city_side(found, target, _l("Only the two cities decide on a proposal."))


def reporting_side(found: ExchangeRequest) -> Side:
    """The current user's city reporting on the exchange; staff and others do not report."""
    target = f"exchange_request:{found.id}"
    return _city_side(found, target, _l("Only the two cities report on an exchange."))


def own_city():
    """The current user's city, which offers and asks; NotAllowed for an account without one."""
    if current_user.city is None:
        raise refuse(http_request.path, {"city": _l("Your account is not linked to a city.")})
    return current_user.city
