"""What each API route reads and answers, named once: its query and body schemas, its answer's
schema and status, and the errors its steps can give. Paths, methods, path parameters and who
may call a route come from the app's URL map and its `@allow` policies; `tests/openapi` fails
for an /api/v1 route missing here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.exchanges.schemas import (
    MentorChange,
    NewRequest,
    OfferOut,
    ReportFields,
    RequestChanges,
    RequestList,
    RequestOut,
    RequestQuery,
    RoundChoice,
    RoundOut,
    Suggestions,
)
from hub.openapi.answers import SearchAnswer
from hub.publishing.schemas import CREATE, OUTPUT, PATCH
from hub.search.params import SearchParams
from hub.types import Paging

# Tags group the operations in the document and on its page.
PUBLISHING, EXCHANGES, SEARCH = "Publishing", "Peer exchanges", "Search"


@dataclass(frozen=True)
class Operation:
    tag: str
    summary: str
    answer: Any = None  # the 2xx answer's schema (a pydantic model), or None for no content
    status: int = 200
    also: tuple[int, ...] = ()  # other success statuses with the same answer
    query: Any = None  # a schema, or a tuple of schemas
    paged: bool = False  # a list answered one page at a time, with a Link header
    body: Any = None
    body_required: bool = True
    # Statuses beyond those the route's shape implies (see `hub.openapi.spec.error_statuses`).
    errors: tuple[int, ...] = ()
    # Per value of an `any(...)` path part: a different body or answer schema.
    by_choice: dict[str, dict[str, Any]] = field(default_factory=dict)


def _per_collection(kind_map: dict[str, Any], role: str) -> dict[str, dict[str, Any]]:
    return {
        "cases": {role: kind_map["case"]},
        "webinars": {role: kind_map["webinar"]},
    }


STEP = (409,)  # a step out of order, or a write that lost a race

OPERATIONS: dict[str, Operation] = {
    "search.api": Operation(
        SEARCH,
        "Search case studies, webinars and cities",
        SearchAnswer,
        query=SearchParams,
        paged=True,
    ),
    "api_publishing.get_record": Operation(
        PUBLISHING,
        "One case study or webinar record (drafts and archived records for staff only)",
        by_choice=_per_collection(OUTPUT, "answer"),
    ),
    "api_publishing.create_record": Operation(
        PUBLISHING,
        "Create a case study or webinar record",
        status=201,
        errors=STEP,
        by_choice={
            choice: {**roles, **_per_collection(OUTPUT, "answer")[choice]}
            for choice, roles in _per_collection(CREATE, "body").items()
        },
    ),
    "api_publishing.update_record": Operation(
        PUBLISHING,
        "Change some fields of a record, or its state",
        errors=STEP,
        by_choice={
            choice: {**roles, **_per_collection(OUTPUT, "answer")[choice]}
            for choice, roles in _per_collection(PATCH, "body").items()
        },
    ),
    "api_publishing.delete_record": Operation(
        PUBLISHING, "Delete a record and its translations", status=204, errors=STEP
    ),
    "api_exchanges.list_requests": Operation(
        EXCHANGES,
        "The exchange requests the caller may see",
        RequestList,
        query=(RequestQuery, Paging),
        paged=True,
    ),
    "api_exchanges.create_request": Operation(
        EXCHANGES,
        "Ask for a peer exchange (a draft, or submitted at once)",
        RequestOut,
        status=201,
        body=NewRequest,
        errors=STEP,
    ),
    "api_exchanges.get_request": Operation(EXCHANGES, "One exchange request", RequestOut),
    "api_exchanges.edit_request": Operation(
        EXCHANGES,
        "Change a draft or submitted request",
        RequestOut,
        body=RequestChanges,
        errors=STEP,
    ),
    "api_exchanges.submit_request": Operation(
        EXCHANGES, "Submit a draft request", RequestOut, errors=STEP
    ),
    "api_exchanges.withdraw_request": Operation(
        EXCHANGES, "Withdraw a request", RequestOut, errors=STEP
    ),
    "api_exchanges.suggestions": Operation(
        EXCHANGES,
        "The cities that could mentor a request now, ranked, with reasons",
        Suggestions,
        errors=STEP,
    ),
    "api_exchanges.offer": Operation(
        EXCHANGES,
        "Offer the caller's city as a mentor for a submitted request",
        (RequestOut, OfferOut),
        status=201,
        errors=STEP,
    ),
    "api_exchanges.approve": Operation(
        EXCHANGES, "Staff put a proposal to both cities", RequestOut, errors=STEP
    ),
    "api_exchanges.discard": Operation(EXCHANGES, "Staff drop a proposal", RequestOut, errors=STEP),
    "api_exchanges.change": Operation(
        EXCHANGES,
        "Staff replace a proposal's mentor city",
        RequestOut,
        status=201,
        body=MentorChange,
        errors=STEP,
    ),
    "api_exchanges.accept": Operation(
        EXCHANGES, "The caller's city accepts a proposal", RequestOut, errors=STEP
    ),
    "api_exchanges.decline": Operation(
        EXCHANGES, "The caller's city declines a proposal", RequestOut, errors=STEP
    ),
    "api_exchanges.report": Operation(
        EXCHANGES,
        "The caller's city reports how the exchange went",
        RequestOut,
        status=201,
        body=ReportFields,
        errors=STEP,
    ),
    "api_exchanges.run_round": Operation(
        EXCHANGES,
        "Run a matching round (or a dry run that stores nothing: 200)",
        RoundOut,
        status=201,
        also=(200,),
        body=RoundChoice,
        body_required=False,
        errors=STEP,
    ),
}
