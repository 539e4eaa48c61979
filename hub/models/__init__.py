"""The hub's tables, one module per aggregate."""

from hub.models.audit import AuditEvent
from hub.models.cities import City, Theme
from hub.models.content import (
    CaseStudy,
    CaseText,
    Speaker,
    TranslationReport,
    Webinar,
    WebinarText,
)
from hub.models.exchange_requests import (
    ExchangeReport,
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
)
from hub.models.exchanges import Exchange, ExchangeParticipant
from hub.models.outbox import SearchOutbox
from hub.models.users import ROLES, ApiToken, MailMessage, User

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEvent",
    "MailMessage",
    "TranslationReport",
    "User",
    "CaseStudy",
    "CaseText",
    "City",
    "Exchange",
    "ExchangeParticipant",
    "ExchangeRequest",
    "ExchangeRequestChange",
    "MatchProposal",
    "ExchangeReport",
    "SearchOutbox",
    "Speaker",
    "Theme",
    "Webinar",
    "WebinarText",
]
