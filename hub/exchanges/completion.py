"""The public record of an exchange completed in the hub.

When both cities have reported, the request gets the same `Exchange` record a content file
describes: both cities with their sides, the themes, the format and the years. City pages, theme
pages, the home page's figures, the content export and matching's experience all read that one
table. The record names facts only: the challenge, the reports and the ratings stay with the two
cities and staff, as on the request's own page.

`public_texts` and `free_slug` work on plain values, so the migration that adds the link can
record the exchanges completed before it (20261130_5b1d2e7f9a30).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from babel.lists import format_list

from hub.database import utcnow
from hub.exchanges.models import Exchange, ExchangeParticipant, ExchangeRequest
from hub.exchanges.states import ParticipantSide, RequestStatus
from hub.extensions import db
from hub.i18n import DEFAULT_LANGUAGE, LANGUAGES, force_locale
from hub.i18n import gettext as _

# A city as the texts name it: its English name and its names in other languages.
Named = tuple[str, dict]


def _name(named: Named, lang: str) -> str:
    english, names = named
    return (names or {}).get(lang) or english


def public_texts(city: Named, mentor: Named, themes: Iterable[dict]) -> tuple[dict, dict]:
    """The record's titles and summaries in English and each language the hub translates them
    to (a language whose catalog lacks them is left out rather than shown in English)."""
    themes = list(themes)
    titles: dict[str, str] = {}
    summaries: dict[str, str] = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            names = {"city": _name(city, lang), "mentor": _name(mentor, lang)}
            topics = [t.get(lang) or t.get(DEFAULT_LANGUAGE, "") for t in themes]
            title = _("%(mentor)s and %(city)s: a peer exchange", **names)
            summary = _(
                "%(city)s asked the network for a peer city on %(themes)s. %(mentor)s mentored "
                "it, and both cities reported on the exchange when it ended.",
                themes=format_list(topics, locale=lang) if topics else "",
                **names,
            )
        if lang == DEFAULT_LANGUAGE or title != titles[DEFAULT_LANGUAGE]:
            titles[lang], summaries[lang] = title, summary
    return titles, summaries


def free_slug(city: str, mentor: str, year: int, request_id: int, taken: set[str]) -> str:
    """`<city>-<mentor>-<year>`, or with the request's id when that is taken already."""
    slug = f"{city}-{mentor}-{year}"
    return slug if slug not in taken else f"{slug}-{request_id}"


def source_note(request_id: int) -> str:
    return f"Completed in the hub: exchange request {request_id}, reported on by both cities."


def record(request: ExchangeRequest) -> Exchange:
    """The public record of `request`, which has just been completed."""
    mentor = request.accepted_proposal.mentor_city
    ended = utcnow().year
    started = next(
        (c.created_at.year for c in request.history if c.to_status == RequestStatus.in_progress),
        ended,
    )
    titles, summaries = public_texts(
        (request.city.name, request.city.names),
        (mentor.name, mentor.names),
        [theme.names for theme in request.themes],
    )
    base = f"{request.city.slug}-{mentor.slug}-{ended}"
    taken = set(db.session.scalars(sa.select(Exchange.slug).where(Exchange.slug.startswith(base))))
    exchange = Exchange(
        slug=free_slug(request.city.slug, mentor.slug, ended, request.id, taken),
        request_id=request.id,
        titles=titles,
        format=request.format,
        started=started,
        ended=ended,
        themes=list(request.themes),
        summaries=summaries,
        source=source_note(request.id),
        participants=[
            ExchangeParticipant(position=0, side=ParticipantSide.mentor, city=mentor),
            ExchangeParticipant(position=1, side=ParticipantSide.learner, city=request.city),
        ],
    )
    db.session.add(exchange)
    db.session.flush()
    return exchange
