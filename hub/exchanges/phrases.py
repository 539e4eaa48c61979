"""How each theme reads inside a sentence, in the reader's language.

A theme's name is a title ("Plans d'action locaux"); inside a sentence it needs the article and
the case its language wants ("sur les plans d'action locaux"). That form is a translator's work,
so it lives in the catalogs, one message per theme of the controlled list (content/themes/).
A theme missing here still reads correctly: it is named as a theme, in quotes.
"""

from __future__ import annotations

from hub.i18n import gettext as _
from hub.i18n import lazy_gettext as _l

# The English form is lower case, as a theme reads after "on"; the French and Spanish forms
# carry their article, the Arabic its definite form.
THEMES_IN_A_SENTENCE = {
    "basic-needs-economic-inclusion": _l("basic needs and economic inclusion"),
    "community-partnerships": _l("community partnerships"),
    "crisis-response-recovery": _l("crisis response and recovery"),
    "disinformation": _l("disinformation"),
    "hate-speech": _l("hate speech"),
    "local-action-plans": _l("local action plans"),
    "local-democracy-elections": _l("local democracy and elections"),
    "monitoring-evaluation": _l("monitoring and evaluation"),
    "national-local-cooperation": _l("national-local cooperation"),
    "networks-partnerships": _l("networks and partnerships"),
    "online-harms": _l("online harms"),
    "polarization": _l("polarization"),
    "policing-community-trust": _l("policing and community trust"),
    "social-cohesion": _l("social cohesion"),
    "victim-support": _l("victim support"),
    "violent-extremism-prevention": _l("preventing violent extremism"),
    "women-gender": _l("women and gender"),
    "youth": _l("youth"),
}


def theme_in_a_sentence(slug: str, name: str) -> str:
    """The theme as it reads after "on" in the reader's language; `name`: its title there."""
    phrase = THEMES_IN_A_SENTENCE.get(slug)
    if phrase is not None:
        return str(phrase)
    return _("the theme “%(name)s”", name=name)
