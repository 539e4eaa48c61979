"""What the exchange API, the pages and the board read and answer, declared once.

Inputs are checked here, every problem of a submission at once; the lifecycle resolves what
needs the database (themes, cities). Outputs are what `/api/v1/exchange-requests` answers.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, StrictBool

from hub import types, vocab
from hub.exchanges.states import (
    RATINGS,
    Decision,
    ExchangeFormat,
    ProposalState,
    ProposalStatus,
    RequestStatus,
    Side,
    StaffDecision,
)
from hub.i18n import lazy_gettext as _l
from hub.types import Moment, Schema, Slug, storable_text

MAX_CHALLENGE = 5000  # about two pages: enough to state a problem, short enough to read
MAX_TIMEFRAME = 200


def _themes(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(_l("Choose one or more themes."))
    bad = [v for v in value if not types.SLUG_PATTERN.match(v) or len(v) > types.SLUG_LIMIT]
    if bad:
        raise ValueError(_l("Unknown themes: %(names)s", names=", ".join(map(ascii, sorted(bad)))))
    return list(dict.fromkeys(value))


def _languages(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(_l("Give a list of ISO 639-1 language codes."))
    wrong = sorted({v for v in value if v not in types.language_codes()})
    if wrong:
        raise ValueError(_l("Unknown languages: %(codes)s", codes=", ".join(map(_shown, wrong))))
    return list(dict.fromkeys(value))


def _shown(text: str) -> str:
    """A value as a message may quote it: readable, or escaped if it holds a control."""
    try:
        return types.check_text(text, max_length=200, line=True)
    except ValueError:
        return ascii(text)


def _format(value: Any) -> ExchangeFormat:
    try:
        return ExchangeFormat(value)
    except (ValueError, TypeError):
        raise ValueError(_l("Choose a format: virtual, study-visit or mentoring.")) from None


def _challenge(value: Any) -> str:
    text = types.check_text(value, max_length=MAX_CHALLENGE, required=False)
    if not text:
        raise ValueError(_l("Describe the challenge."))
    return text


def _outcomes(value: Any) -> str:
    text = types.check_text(value, max_length=MAX_CHALLENGE, required=False)
    if not text:
        raise ValueError(_l("Say what came out of the exchange."))
    return text


def _rating(value: Any) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdecimal():
        value = int(value)  # from a form
    elif isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON has one kind of number: 3.0 is 3
    if type(value) is not int or value not in RATINGS:
        raise ValueError(_l("Choose a rating from 1 to 5."))
    return value


Themes = Annotated[list[str], BeforeValidator(_themes)]
Languages = Annotated[list[str], BeforeValidator(_languages)]
Format = Annotated[ExchangeFormat, BeforeValidator(_format)]
Challenge = Annotated[str, BeforeValidator(_challenge)]
Timeframe = storable_text(MAX_TIMEFRAME, required=False, line=True)
Feedback = storable_text(MAX_CHALLENGE, required=False)


# --- Inputs ------------------------------------------------------------------------------------


class RequestFields(Schema):
    """A request's own text: what a city asks for, and how it wants to work."""

    themes: Themes = Field(description="Slugs of the themes the city wants to learn about.")
    challenge: Challenge = Field(
        description="The challenge in the city's own words; private to the city, staff and "
        "the mentor city staff put it to."
    )
    languages: Languages = Field(
        default_factory=list, description="ISO 639-1 codes of the languages the city works in."
    )
    format: Format = Field(description="virtual, study-visit or mentoring.")
    timeframe: Timeframe = Field(default="", description="When the exchange should happen.")


class NewRequest(RequestFields):
    """A new request: as a draft or submitted at once; staff name the requesting city."""

    status: RequestStatus = Field(default=RequestStatus.draft, description="draft or submitted.")
    city: Slug | None = Field(
        default=None, description="The requesting city's slug (staff; a focal point's own city)."
    )


class RequestChanges(Schema):
    """Changes to a draft or submitted request: only the fields given change."""

    themes: Themes | None = Field(default=None, description="Slugs of the themes.")
    challenge: Challenge | None = Field(default=None, description="The challenge.")
    languages: Languages | None = Field(default=None, description="ISO 639-1 codes.")
    format: Format | None = Field(default=None, description="virtual, study-visit or mentoring.")
    timeframe: Timeframe | None = Field(default=None, description="When.")


class ReportFields(Schema):
    """One city's report when the exchange ends."""

    outcomes: Annotated[str, BeforeValidator(_outcomes)] = Field(
        default="", validate_default=True, description="What came out of the exchange."
    )
    feedback: Feedback = Field(default="", description="Feedback for the other city.")
    rating: Annotated[int, BeforeValidator(_rating)] = Field(
        description="How the exchange went, from 1 (poor) to 5 (excellent)."
    )


class MentorChange(Schema):
    """Staff put another city in a proposal's place."""

    city: Slug = Field(description="The slug of the new mentor city.")


class RoundChoice(Schema):
    dry_run: StrictBool = Field(default=False, description="Show the proposals, store nothing.")


def _status(value: Any) -> RequestStatus | None:
    if value in (None, ""):
        return None
    try:
        return RequestStatus(value)
    except ValueError:
        raise ValueError(_l("Unknown status.")) from None


class RequestQuery(Schema):
    """`GET /api/v1/exchange-requests?status=`."""

    status: Annotated[RequestStatus | None, BeforeValidator(_status)] = Field(
        default=None, description="Only requests in this status."
    )


class _AnySlug:
    """Any well-formed slug (`in` for `_known`)."""

    def __contains__(self, value: object) -> bool:
        return isinstance(value, str) and bool(types.SLUG_PATTERN.match(value))


def _known(choices: Any, message: Any):
    def check(value: Any) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value not in choices:
            raise ValueError(message)
        return value

    return BeforeValidator(check)


def _page(value: Any) -> int:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        if 1 <= int(value) <= types.MAX_ID:
            return int(value)
    raise ValueError(_l("The page number must be a whole number from 1."))


class BoardQuery(BaseModel):
    """The public board's filters; other parameters are ignored. Whether the theme exists is
    the board's to say (`board.open_requests`)."""

    theme: Annotated[str | None, _known(_AnySlug(), _l("Unknown theme."))] = Field(
        default=None, description="A theme's slug."
    )
    region: Annotated[str | None, _known(vocab.REGIONS, _l("Unknown region."))] = Field(
        default=None, description="A region's slug."
    )
    size: Annotated[str | None, _known(vocab.SIZE_BANDS_BY_SLUG, _l("Unknown city size."))] = Field(
        default=None, description="A city size band: small, medium, large or metropolis."
    )
    format: Annotated[
        str | None, _known({f.value for f in ExchangeFormat}, _l("Unknown format."))
    ] = Field(default=None, description="An exchange format.")
    page: Annotated[int, BeforeValidator(_page)] = Field(
        default=1, description="The page number, from 1."
    )

    def active(self) -> dict[str, str]:
        """The filters in use, as the pager's links repeat them."""
        names = ("theme", "region", "size", "format")
        return {name: getattr(self, name) for name in names if getattr(self, name)}


# --- Outputs -----------------------------------------------------------------------------------


class HistoryOut(Schema):
    from_: RequestStatus | None = Field(alias="from", description="The status before.")
    to: RequestStatus = Field(description="The status after.")
    at: Moment = Field(description="When the status changed.")


class ProposalOut(Schema):
    id: int
    city: str = Field(description="The mentor city's slug.")
    score: float
    status: ProposalStatus
    state: ProposalState = Field(description="review, cities, accepted, declined or withdrawn.")
    staff_decision: StaffDecision | None
    requester_decision: Decision | None
    mentor_decision: Decision | None


class ReportOut(Schema):
    side: Side
    city: str
    outcomes: str
    feedback: str
    rating: int
    created_at: Moment


class RequestOut(Schema):
    """A request as its reader may see it."""

    id: int
    city: str = Field(description="The requesting city's slug.")
    status: RequestStatus
    themes: list[str]
    challenge: str
    languages: list[str]
    format: ExchangeFormat
    timeframe: str
    created_at: Moment
    history: list[HistoryOut]
    proposals: list[ProposalOut] = Field(
        description="Every proposal for staff and the requesting city; its own for a mentor."
    )
    side: Side | None = Field(default=None, description="The reader's side, if a city's.")
    reports: list[ReportOut] = Field(default_factory=list)


class RequestList(Schema):
    requests: list[RequestOut]
    total: int = Field(description="How many requests there are, on every page.")
    page: int
    per_page: int


class OfferOut(Schema):
    """What a city that offered sees until staff put it to the request: the public summary."""

    id: int
    status: RequestStatus
    themes: list[str]
    format: ExchangeFormat
    proposals: list[ProposalOut]


class SuggestionOut(Schema):
    city: str
    score: float
    rank: int
    factors: dict[str, dict[str, float]] = Field(
        description="value, weight and contribution per factor; contributions sum to the score."
    )
    facts: dict[str, Any] = Field(
        description="The facts behind the reason, for machines: case studies on the themes by "
        "evidence level, exchanges mentored, themes covered, shared languages, same region or "
        "country, an earlier relationship."
    )
    reason: str = Field(
        description="Why this city, in two short sentences in the reader's language; they "
        "name the requesting city unless the reader speaks for it."
    )


class Suggestions(Schema):
    request: int
    suggestions: list[SuggestionOut]


class RoundProposalOut(SuggestionOut):
    request: int
    id: int | None = Field(default=None, description="The stored proposal; none on a dry run.")


class UnmatchedOut(Schema):
    request: int
    reason: str = Field(description="A code of hub.matching.UNMATCHED_REASONS.")


class RoundOut(Schema):
    dry_run: bool
    total_score: float
    proposals: list[RoundProposalOut]
    unmatched: list[UnmatchedOut]
