"""Why a city is proposed, in one sentence in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from babel import Locale
from babel.lists import format_list
from flask import g
from flask_babel import gettext as _
from flask_babel import ngettext

from hub.cities.models import City, Theme
from hub.extensions import db
from hub.i18n import current_language


def _theme_names() -> dict[str, dict]:
    """Every theme's names by slug, read once per request however many sentences it makes."""
    if "exchange_theme_names" not in g:
        g.exchange_theme_names = {
            slug: names for slug, names in db.session.execute(sa.select(Theme.slug, Theme.names))
        }
    return g.exchange_theme_names


def reason(mentor: City, facts: dict[str, Any]) -> str:
    """One sentence in the reader's language saying why this city is proposed."""
    lang = current_language()
    themes = _theme_names()

    def theme_names(slugs: Iterable[str]) -> str:
        names = [themes[s].get(lang) or themes[s].get("en") or s for s in slugs]
        return format_list(names, locale=lang)

    # Literal strings, so that the catalog extraction finds them.
    counts = (
        (
            "evaluated_cases_on_themes",
            lambda n: ngettext("%(num)d evaluated case", "%(num)d evaluated cases", n),
        ),
        (
            "monitored_cases_on_themes",
            lambda n: ngettext("%(num)d monitored case", "%(num)d monitored cases", n),
        ),
        ("other_cases_on_themes", lambda n: ngettext("%(num)d case", "%(num)d cases", n)),
        (
            "exchanges_on_themes",
            lambda n: ngettext("%(num)d exchange as a mentor", "%(num)d exchanges as a mentor", n),
        ),
    )
    evidence = [word(facts[key]) for key, word in counts if facts[key]]
    parts = []
    if evidence:
        parts.append(
            _(
                "has %(evidence)s on %(themes)s",
                evidence=format_list(evidence, locale=lang),
                themes=theme_names(facts["themes_covered"]),
            )
        )
    elif facts["declared_expertise_on_themes"]:
        parts.append(
            _(
                "declares expertise in %(themes)s",
                themes=theme_names(facts["declared_expertise_on_themes"]),
            )
        )
    if facts["shared_languages"]:
        names = Locale.parse(lang).languages
        spoken = [names.get(code, code) for code in facts["shared_languages"]]
        parts.append(_("works in %(languages)s", languages=format_list(spoken, locale=lang)))
    else:
        parts.append(_("would need interpretation"))
    if facts["same_country"]:
        parts.append(_("is in your country"))
    elif facts["same_region"]:
        parts.append(_("is in your region"))
    if facts["earlier_relation"]:
        parts.append(_("has worked with you before"))
    return _(
        "%(city)s %(facts)s.", city=mentor.display_name(lang), facts=format_list(parts, locale=lang)
    )
