"""Why a city is proposed, in two short sentences in the reader's language.

The first sentence says what the city has shown on the requested themes, the second what it
shares with the requesting city. Each sentence is one message, so a translator writes it whole:
numbers go through `ngettext` (Arabic has six plural forms), and a count is said once.

The reader is addressed as the requesting city ("is in your region") only when the reader
speaks for it; staff and the mentor city read the requesting city's name instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from babel import Locale
from babel.lists import format_list
from flask import g

from hub.cities.models import City, Theme
from hub.exchanges.models import ExchangeRequest
from hub.exchanges.phrases import theme_in_a_sentence
from hub.extensions import db
from hub.i18n import current_language, ngettext
from hub.i18n import gettext as _
from hub.i18n import lazy_gettext as _l

# What the two cities share, said to the requesting city, naming it, and once it is named.
CLAUSES = {
    "no_shared_language": (
        _l("shares no working language with your city"),
        _l("shares no working language with %(city)s"),
        _l("shares no working language with %(city)s"),  # always said first
    ),
    "same_country": (
        _l("is in your country"),
        _l("is in the same country as %(city)s"),
        _l("is in the same country"),
    ),
    "same_region": (
        _l("is in your region"),
        _l("is in the same region as %(city)s"),
        _l("is in the same region"),
    ),
    "earlier_relation": (
        _l("has worked with your city before"),
        _l("has worked with %(city)s before"),
        _l("has worked with it before"),
    ),
}


def _theme_names() -> dict[str, dict]:
    """Every theme's names by slug, read once per request however many sentences it makes."""
    if "exchange_theme_names" not in g:
        g.exchange_theme_names = {
            slug: names for slug, names in db.session.execute(sa.select(Theme.slug, Theme.names))
        }
    return g.exchange_theme_names


def addressee(found: ExchangeRequest, user: Any) -> City | None:
    """The requesting city to name in a reason, or None when `user` speaks for it ("your")."""
    if getattr(user, "city_id", None) == found.city_id and not getattr(user, "is_staff", False):
        return None
    return found.city


def reason(mentor: City, facts: dict[str, Any], requester: City | None = None) -> str:
    """Why `mentor` is proposed. `requester`: the requesting city, named for a reader who does
    not speak for it (staff, the mentor city); None addresses its own focal point as "you"."""
    lang = current_language()
    city = mentor.display_name(lang)
    other = requester.display_name(lang) if requester is not None else None
    return f"{_experience(city, facts, lang)} {_fit(facts, other, lang)}"


def _themes(slugs: Iterable[str], lang: str) -> str:
    names = _theme_names()
    phrases = []
    for slug in slugs:
        title = names.get(slug, {})
        phrases.append(theme_in_a_sentence(slug, title.get(lang) or title.get("en") or slug))
    return format_list(phrases, locale=lang)


def _cases(evaluated: int, monitored: int, other: int) -> tuple[str, list[str]]:
    """The case studies as one noun phrase, and the stronger evidence among them if mixed."""
    total = evaluated + monitored + other
    if evaluated == total:
        return ngettext(
            "one independently evaluated case study",
            "%(num)d independently evaluated case studies",
            total,
        ), []
    if monitored == total:
        return ngettext("one monitored case study", "%(num)d monitored case studies", total), []
    evidence = []
    if evaluated:
        evidence.append(
            ngettext("one independently evaluated", "%(num)d independently evaluated", evaluated)
        )
    if monitored:
        evidence.append(ngettext("one monitored", "%(num)d monitored", monitored))
    return ngettext("one case study", "%(num)d case studies", total), evidence


def _experience(city: str, facts: dict[str, Any], lang: str) -> str:
    """What the city has shown on the requested themes: cases, mentoring, or declared expertise."""
    counts = (
        facts["evaluated_cases_on_themes"],
        facts["monitored_cases_on_themes"],
        facts["other_cases_on_themes"],
    )
    mentored = facts["exchanges_on_themes"]
    themes = _themes(facts["themes_covered"], lang)
    if not sum(counts) and not mentored:
        if facts["declared_expertise_on_themes"]:
            themes = _themes(facts["declared_expertise_on_themes"], lang)
            return _("%(city)s declares expertise in %(themes)s.", city=city, themes=themes)
        return _("%(city)s has not yet shown experience on these themes.", city=city)
    exchanges = ngettext(
        "has been the mentor city in one exchange",
        "has been the mentor city in %(num)d exchanges",
        mentored,
    )
    if not sum(counts):
        return _(
            "%(city)s %(exchanges)s on %(themes)s.", city=city, exchanges=exchanges, themes=themes
        )
    cases, strongest = _cases(*counts)
    evidence = format_list(strongest, locale=lang) if strongest else ""
    words = {"city": city, "cases": cases, "themes": themes, "evidence": evidence}
    if mentored and evidence:
        return _(
            "%(city)s has %(cases)s on %(themes)s, including %(evidence)s, and %(exchanges)s.",
            exchanges=exchanges,
            **words,
        )
    if mentored:
        return _(
            "%(city)s has %(cases)s on %(themes)s and %(exchanges)s.", exchanges=exchanges, **words
        )
    if evidence:
        return _("%(city)s has %(cases)s on %(themes)s, including %(evidence)s.", **words)
    return _("%(city)s has %(cases)s on %(themes)s.", **words)


def _fit(facts: dict[str, Any], other: str | None, lang: str) -> str:
    """What the city shares with the requesting city: languages, place, an earlier exchange.
    A named requesting city is named once; later clauses refer back to it."""
    parts = []
    shared = facts["shared_languages"]
    said = [] if shared else ["no_shared_language"]
    if shared:
        names = Locale.parse(lang).languages
        spoken = format_list([names.get(code, code) for code in shared], locale=lang)
        parts.append(
            ngettext(
                "works in %(languages)s", "works in %(languages)s", len(shared), languages=spoken
            )
        )
    if facts["same_country"]:
        said.append("same_country")
    elif facts["same_region"]:
        said.append("same_region")
    if facts["earlier_relation"]:
        said.append("earlier_relation")
    named = False
    for fact in said:
        yours, naming, again = CLAUSES[fact]
        if other is None:
            parts.append(str(yours))
        elif named:
            parts.append(str(again))
        else:
            parts.append(str(naming) % {"city": other})
            named = True
    return _("It %(facts)s.", facts=format_list(parts, locale=lang))
