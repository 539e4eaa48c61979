"""Mail about peer exchanges: when staff put a proposal to two cities, both focal points hear,
with the reasons for the proposal.

Each message is in the reader's own language and links to the request's page. The lifecycle
queues it with the step (`hub.mail.send`); it goes out only if the step's transaction commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from hub import mail, web
from hub.accounts.models import Role, User
from hub.exchanges.models import MatchProposal
from hub.exchanges.reasons import reason
from hub.extensions import db
from hub.i18n import force_locale
from hub.i18n import gettext as _


def tell_cities(proposal: MatchProposal) -> None:
    """Mail the active focal points of both cities that a decision on `proposal` awaits them."""
    found = proposal.request
    people = db.session.scalars(
        sa.select(User)
        .where(
            User.role == Role.focal_point,
            User.active.is_(True),
            User.city_id.in_((found.city_id, proposal.mentor_city_id)),
        )
        .order_by(User.id)
    )
    for person in people:
        lang = person.preferred_language
        named = None if person.city_id == found.city_id else found.city  # "your" to the asker
        with force_locale(lang):
            link = _link(found.id, lang)
            mail.send(
                person.email,
                _("A peer exchange awaits your city's decision"),
                _(
                    "The network proposes %(mentor)s as the mentor city for the request of "
                    "%(city)s. %(reason)s\n\nOpen the request to accept or decline:\n\n%(link)s",
                    mentor=proposal.mentor_city.display_name(lang),
                    city=found.city.display_name(lang),
                    reason=reason(proposal.mentor_city, proposal.facts, named),
                    link=link,
                ),
            )


def _link(request_id: int, lang: str) -> str:
    """The request page's address, on the configured server (HUB_SERVER_NAME)."""
    return web.external_url("exchanges.detail", request_id=request_id, lang=lang)
