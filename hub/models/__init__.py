"""The hub's tables, one module per aggregate."""

from hub.models.cities import City, Theme
from hub.models.content import CaseStudy, CaseText, Speaker, Webinar, WebinarText
from hub.models.exchanges import Exchange, ExchangeParticipant

__all__ = [
    "CaseStudy",
    "CaseText",
    "City",
    "Exchange",
    "ExchangeParticipant",
    "Speaker",
    "Theme",
    "Webinar",
    "WebinarText",
]
