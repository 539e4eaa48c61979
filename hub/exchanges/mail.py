"""Mail about peer exchanges: when staff put a proposal to two cities, both focal points hear.

Each message is in the reader's own language and links to the request's page. Links need a
request to be built against, so the views call this after a step, before they commit.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from hub import mail
from hub.accounts.models import User
from hub.exchanges.models import MatchProposal
from hub.extensions import db


def tell_cities(proposal: MatchProposal) -> None:
    """Mail the active focal points of both cities that a decision on `proposal` awaits them."""
    found = proposal.request
    people = db.session.scalars(
        sa.select(User)
        .where(
            User.role == "focal_point",
            User.active.is_(True),
            User.city_id.in_((found.city_id, proposal.mentor_city_id)),
        )
        .order_by(User.id)
    )
    for person in people:
        lang = person.preferred_language
        with force_locale(lang):
            link = url_for("exchanges.detail", request_id=found.id, lang=lang, _external=True)
            mail.send(
                person.email,
                _("A peer exchange awaits your city's decision"),
                _(
                    "The network proposes %(mentor)s as the mentor city for the request of "
                    "%(city)s. Open the request to accept or decline:\n\n%(link)s",
                    mentor=proposal.mentor_city.display_name(lang),
                    city=found.city.display_name(lang),
                    link=link,
                ),
            )
