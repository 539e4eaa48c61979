"""Members write to a city's focal point through the hub: the message is relayed by mail, with
Reply-To the member, so the focal point's address stays hidden until they answer."""

from __future__ import annotations

from hub import audit, mail
from hub.accounts.models import Role, User
from hub.audit import AuditAction
from hub.cities.models import City
from hub.errors import StepRefused
from hub.extensions import db
from hub.i18n import force_locale
from hub.i18n import gettext as _
from hub.i18n import lazy_gettext as _l


def focal_points(city: City) -> list[User]:
    """The active accounts that speak for `city`."""
    query = db.select(User).filter_by(city_id=city.id, role=Role.focal_point, active=True)
    return list(db.session.scalars(query.order_by(User.id)))


def no_focal_point(city: City, lang: str) -> StepRefused:
    return StepRefused(
        _l(
            "%(city)s has no focal point on the hub yet, so there is nobody to send this to. "
            "The network's staff can put you in touch: see the Contact page.",
            city=city.display_name(lang),
        )
    )


def write_to_city(city: City, sender: User, subject: str, message: str, lang: str) -> int:
    """Queue the message to each focal point of `city`, in their language; how many there are."""
    recipients = focal_points(city)
    if not recipients:
        raise no_focal_point(city, lang)
    sender_city = sender.city.display_name(lang) if sender.city else ""
    for person in recipients:
        with force_locale(person.preferred_language):
            intro = _(
                "%(name)s (%(email)s) wrote to you as the focal point of %(city)s, through the "
                "cities knowledge hub. To answer, reply to this e-mail: your reply goes to them. "
                "The hub did not show them your address.",
                name=sender.name or sender.email,
                email=sender.email,
                city=city.display_name(person.preferred_language),
            )
            if sender_city:
                intro += "\n" + _("Their city: %(city)s.", city=sender_city)
            mail.send(
                person.email,
                _("Through the hub: %(subject)s", subject=subject),
                f"{intro}\n\n---\n\n{message}\n",
                reply_to=sender.email,
            )
    audit.record(
        AuditAction.city_contacted,
        f"city:{city.id}",
        after={"recipients": len(recipients), "characters": len(message)},
        actor=sender,
    )
    return len(recipients)
