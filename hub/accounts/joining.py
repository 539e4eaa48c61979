"""A way in: a city official asks for access at /<lang>/join, staff approve or decline.

Approval sends the invitation an admin would send (`operations.invite`). The join form carries a
signed stamp of when it was shown: a form sent back faster than a person can fill it, or long
after it was shown, is refused, as is one whose honeypot field was filled. Functions flush at
most, never commit, and raise the hub's errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from hub import audit, mail
from hub.accounts import operations as accounts
from hub.accounts.models import AccessRequest, AccessStatus, Role, User
from hub.audit import AuditAction
from hub.cities.models import City
from hub.database import utcnow
from hub.errors import InvalidInput, NotFound, StepRefused
from hub.extensions import db
from hub.i18n import force_locale
from hub.i18n import gettext as _
from hub.i18n import lazy_gettext as _l

# Nobody reads the join form and types a name, a city, a role, an address and a reason this fast.
MIN_FILL_SECONDS = 3
# A form shown this long ago is refused: long enough to fetch a colleague's details, short enough
# that a stamp copied once cannot be replayed for days.
MAX_FORM_AGE = 4 * 60 * 60
# The roles an access request can lead to; an admin gives staff and admin roles in Accounts.
GRANTABLE = (Role.practitioner, Role.focal_point)
# One message for every spam check, so the answer does not tell a bot which one it failed.
REFUSED = _l(
    "The form could not be accepted: it was sent back too quickly, or it was opened too long "
    "ago. Please check your answers and send it again."
)


# --- The form's stamp ----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="join-form")


def form_stamp(shown_at: float | None = None) -> str:
    """A signed record of when the join form was shown (now unless `shown_at`)."""
    return _serializer().dumps(int(shown_at if shown_at is not None else time.time()))


def stamp_is_plausible(stamp: str, now: float | None = None) -> bool:
    """Whether the form came back from a person: a valid stamp, neither too fresh nor too old."""
    try:
        shown_at = _serializer().loads(stamp or "")
    except BadSignature:
        return False
    if not isinstance(shown_at, int):
        return False
    elapsed = (now if now is not None else time.time()) - shown_at
    return MIN_FILL_SECONDS <= elapsed <= MAX_FORM_AGE


# --- Asking -------------------------------------------------------------------------------------


@dataclass
class Application:
    """What a person sends from the join page, already checked by its form."""

    name: str
    email: str
    city: str  # a member city's name in any language, or another city
    position: str
    reason: str
    language: str


def member_city(name: str) -> City | None:
    """The member city called `name` in any of its languages, ignoring case."""
    wanted = name.strip().casefold()
    for city in db.session.scalars(db.select(City)):
        names = {city.slug, city.name.casefold(), *(n.casefold() for n in city.names.values())}
        if wanted in names:
            return city
    return None


def ask_for_access(application: Application) -> AccessRequest:
    """Store a request for access; a second one from the same address while the first waits
    updates it instead of adding another."""
    email = accounts.normalize_email(application.email)
    city = member_city(application.city)
    waiting = db.session.scalar(
        db.select(AccessRequest).filter_by(email=email, status=AccessStatus.pending)
    )
    repeated = waiting is not None
    access = waiting or AccessRequest(email=email, status=AccessStatus.pending)
    access.name = application.name
    access.city = city
    access.city_name = "" if city else application.city
    access.position = application.position
    access.reason = application.reason
    access.language = application.language
    if not repeated:
        db.session.add(access)
    db.session.flush()
    # The address stays out of the log, which outlives the request (`retention`).
    audit.record(AuditAction.access_requested, f"access:{access.id}", after={"repeated": repeated})
    return access


# --- Deciding -----------------------------------------------------------------------------------


def access_request(request_id: int) -> AccessRequest:
    access = db.session.get(AccessRequest, request_id)
    if access is None:
        raise NotFound(_l("There is no such request for access."))
    return access


def approve(access: AccessRequest, role: Role | str, city_slug: str | None, actor: User) -> User:
    """Invite the person who asked, in the language they asked in, with the role staff chose."""
    try:
        granted = Role(role)
    except ValueError:
        granted = None
    if granted not in GRANTABLE:
        raise InvalidInput(
            {
                "role": _l(
                    "A request for access leads to a practitioner's or a focal point's account."
                )
            }
        )
    _decide(access, AccessStatus.approved, actor)
    with force_locale(access.language):
        user = accounts.invite(access.email, granted, city_slug, access.name, actor)
    user.preferred_language = access.language
    audit.record(
        AuditAction.access_approved,
        f"access:{access.id}",
        after={"user": user.id, "role": str(user.role)},
        actor=actor,
    )
    return user


def decline(access: AccessRequest, actor: User, notify: bool, note: str = "") -> None:
    """Decline a request; with `notify`, the person gets a polite note, staff's words included."""
    _decide(access, AccessStatus.declined, actor)
    if notify:
        with force_locale(access.language):
            body = _(
                "Dear %(name)s,\n\nThank you for your interest in the cities knowledge hub. "
                "We cannot open an account for you at this time: accounts are for officials of "
                "the network's member cities and its partners.",
                name=access.name,
            )
            if note:
                body += "\n\n" + note
            body += "\n\n" + _("With our best wishes,\nThe network's staff")
            mail.send(access.email, _("Your request for access to the hub"), body)
    audit.record(
        AuditAction.access_declined,
        f"access:{access.id}",
        after={"notified": notify},
        actor=actor,
    )


def _decide(access: AccessRequest, status: AccessStatus, actor: User) -> None:
    """Decide a waiting request once: of two staff deciding at the same moment, the second is
    refused (the update names the state it read, and waits on the first one's row lock)."""
    decided = db.session.execute(
        db.update(AccessRequest)
        .where(AccessRequest.id == access.id, AccessRequest.status == AccessStatus.pending)
        .values(status=status, decided_at=utcnow(), decided_by_id=actor.id)
        .execution_options(synchronize_session="fetch")
    )
    if decided.rowcount != 1:
        raise StepRefused(_l("This request for access has been decided already."))
