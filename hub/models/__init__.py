"""The hub's tables, one module per aggregate."""

from hub.models.cities import City, Theme
from hub.models.content import CaseStudy, CaseText, Speaker, Webinar, WebinarText
from hub.models.exchanges import Exchange, ExchangeParticipant
from hub.models.outbox import SearchOutbox

__all__ = [
    "CaseStudy",
    "CaseText",
    "City",
    "Exchange",
    "ExchangeParticipant",
    "SearchOutbox",
    "Speaker",
    "Theme",
    "Webinar",
    "WebinarText",
]
