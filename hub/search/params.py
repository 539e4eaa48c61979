"""The search's query string, declared once for the search page and `GET /api/v1/search`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from hub import vocab
from hub.catalog.schemas import (
    YEAR_RULE,
    QueryArgs,
    ThemeSlug,
    choice,
    number_check,
    whole_number,
)
from hub.i18n import lazy_gettext as _l
from hub.search.analysis import LANGUAGES
from hub.search.documents import KINDS
from hub.search.query import MAX_QUERY_LENGTH
from hub.search.schema import FACETS
from hub.types import MAX_YEAR, MIN_YEAR

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
SORTS = ("relevance", "newest")

UNKNOWN_VALUE = _l("Unknown value for this filter.")


def _cut(value: Any) -> Any:
    # The query parser reads at most MAX_QUERY_LENGTH characters and says it cut the rest;
    # keep enough beyond that for it to notice, no more.
    return value[: MAX_QUERY_LENGTH * 4] if isinstance(value, str) else value


_check_year = number_check(MIN_YEAR, MAX_YEAR, YEAR_RULE)


def _year(value: Any) -> str:
    # The index stores dates as text; the facet compares text.
    return str(_check_year(value))


class SearchParams(QueryArgs):
    """What to search for, how to narrow it by facet, and which page of results to show."""

    q: Annotated[str, BeforeValidator(_cut)] = Field("", description="The words to search for.")
    lang: choice(LANGUAGES, _l("Unknown language.")) = Field(
        "en",
        description="The reader's language: results show in it where a version exists. "
        "The search page defaults to the page's language.",
    )
    kind: choice(KINDS, UNKNOWN_VALUE) | None = Field(None, description="case, webinar or city.")
    theme: ThemeSlug | None = Field(None, description="Records on this theme (its slug).")
    region: choice(vocab.REGIONS, UNKNOWN_VALUE) | None = Field(
        None, description="Records of cities in this region."
    )
    size: choice(vocab.SIZE_BANDS_BY_SLUG, UNKNOWN_VALUE) | None = Field(
        None, description="Records of cities of this size band."
    )
    language: choice(LANGUAGES, UNKNOWN_VALUE) | None = Field(
        None, description="Records with a version in this language."
    )
    year: Annotated[str, BeforeValidator(_year)] | None = Field(
        None, description="Records dated in this year."
    )
    sort: choice(SORTS, _l("Sort by relevance or newest.")) = Field(
        "relevance", description="relevance, or newest first."
    )
    page: whole_number(1, MAX_PAGE, _l("The page number must be a whole number from 1.")) = Field(
        1, description="The page of results, from 1."
    )
    per_page: whole_number(1, MAX_PER_PAGE, _l("Results per page must be between 1 and 100.")) = (
        Field(DEFAULT_PER_PAGE, description="Results per page, from 1 to 100.")
    )

    @model_validator(mode="before")
    @classmethod
    def _reader_language(cls, data: Any, info: ValidationInfo) -> Any:
        """Without `lang`, the language of the page the search is made from."""
        reader = (info.context or {}).get("reader")
        if isinstance(data, dict) and reader and not data.get("lang"):
            return {**data, "lang": reader}
        return data

    @property
    def filters(self) -> dict[str, str]:
        """The facets chosen (facet -> value)."""
        return {facet: getattr(self, facet) for facet in FACETS if getattr(self, facet)}
