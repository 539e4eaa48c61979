"""The public pages' query strings, declared once: each parameter, what it accepts, and the
message, naming the parameter, that a reader gets for a value the page cannot use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from hub import vocab
from hub.i18n import LANGUAGES
from hub.i18n import lazy_gettext as _l
from hub.types import MAX_YEAR, MIN_YEAR, Schema, check_slug

# No listing has this many pages; a larger number must not reach the database's OFFSET.
MAX_PAGE = 100_000


def choice(allowed: Iterable[str], message: Any) -> Any:
    """A text parameter that must be one of `allowed`; `message` says which parameter is wrong."""
    allowed = frozenset(allowed)

    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(message)
        return value

    return Annotated[
        str, BeforeValidator(check), Field(json_schema_extra={"enum": sorted(allowed)})
    ]


def number_check(low: int, high: int, message: Any) -> Callable[[Any], int]:
    """A check that a parameter is a number from `low` to `high`, written in digits only."""

    def check(value: Any) -> int:
        text = str(value)
        if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
            raise ValueError(message)
        return int(text)

    return check


def whole_number(low: int, high: int, message: Any) -> Any:
    """A number parameter from `low` to `high`; `message` says which parameter is wrong."""
    return Annotated[int, BeforeValidator(number_check(low, high, message))]


def _theme_slug(value: Any) -> str:
    try:
        return check_slug(value)
    except ValueError:
        raise ValueError(_l("Unknown theme.")) from None


Region = choice(vocab.REGIONS, _l("Unknown region."))
SizeBand = choice(vocab.SIZE_BANDS_BY_SLUG, _l("Unknown city size."))
SiteLanguage = choice(LANGUAGES, _l("Unknown language."))
EvidenceLevel = choice(vocab.EVIDENCE_LEVELS, _l("Unknown evidence level."))
# Well formed only: whether the theme exists is for the query to say.
ThemeSlug = Annotated[str, BeforeValidator(_theme_slug)]
YEAR_RULE = _l("The year must be a number such as 2022.")
FilterYear = whole_number(MIN_YEAR, MAX_YEAR, YEAR_RULE)
Page = whole_number(1, MAX_PAGE, _l("The page number must be a whole number from 1."))


class QueryArgs(Schema):
    """A query string: an empty parameter (a form's "any" choice) is as good as none."""

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {name: value for name, value in data.items() if value not in ("", None)}
        return data


class PageArgs(QueryArgs):
    page: Page = Field(1, description="The page of the listing, from 1.")


class CaseFilters(PageArgs):
    """The case study list's filters; they combine."""

    theme: ThemeSlug | None = Field(None, description="Cases on this theme (its slug).")
    region: Region | None = Field(None, description="Cases involving a city in this region.")
    size: SizeBand | None = Field(None, description="Cases involving a city of this size band.")
    language: SiteLanguage | None = Field(None, description="Cases with a version in it.")
    year: FilterYear | None = Field(None, description="Cases published in this year.")
    evidence: EvidenceLevel | None = Field(None, description="Cases with this evidence level.")

    @property
    def active(self) -> dict[str, Any]:
        """The filters in use, as query parameters (for the pager and "Clear filters")."""
        return self.model_dump(exclude={"page"}, exclude_none=True)


class CityFilters(QueryArgs):
    """The city list's filters."""

    region: Region | None = Field(None, description="Cities in this region.")
    size: SizeBand | None = Field(None, description="Cities of this size band.")
