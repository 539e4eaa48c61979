"""Shared schema types: each rule about a kind of value, written once.

The API, content files and query strings use these as pydantic types (`LanguageCode`,
`storable_text(...)`, `Slug`, `Year`, `RecordId`); HTML forms use the same checks through
`hub.forms`. A check raises `ValueError` with a lazily translated message, so a problem reads in
the reader's language on a page or in `/api/v1`, and in English on the command line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, TypeVar

import sqlalchemy as sa
from babel import Locale
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from slugify import slugify

from hub.errors import GENERAL, InvalidInput
from hub.i18n import lazy_gettext as _l

M = TypeVar("M")

# --- Text a database keeps and a reader can trust -------------------------------------------

# Bidi embeddings, overrides and isolates reorder the text around them: a title could display
# as something other than what was typed (CVE-2021-42574, "Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# What no stored text may hold: C0 controls other than tab and newline, and bidi controls.
UNSAFE = frozenset(chr(code) for code in range(32) if chr(code) not in "\t\n") | BIDI_CONTROLS
LINE_LIMIT = 300  # characters in a title, name or label
TEXT_LIMIT = 100_000  # characters in one Markdown field


def normalize_newlines(value: str) -> str:
    """Browsers send a textarea's lines as CRLF; the hub stores LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def check_text(value: Any, *, max_length: int, required: bool = True, line: bool = False) -> str:
    """`value` as text the hub stores: LF newlines, trimmed, at most `max_length` characters.

    Refused: NUL (PostgreSQL cannot store it), lone surrogates (not UTF-8), other C0 controls
    than tab and newline, and bidi controls; a newline in a one-line value.
    """
    if not isinstance(value, str):
        raise ValueError(_l("This must be text."))
    value = normalize_newlines(value).strip()
    if required and not value:
        raise ValueError(_l("This field is required."))
    if len(value) > max_length:
        raise ValueError(_l("At most %(limit)d characters.", limit=max_length))
    if not UNSAFE.isdisjoint(value) or any(0xD800 <= ord(char) < 0xE000 for char in value):
        raise ValueError(_l("This text contains characters that cannot be saved."))
    if line and "\n" in value:
        raise ValueError(_l("This must be a single line."))
    return value


def storable_text(
    max_length: int = TEXT_LIMIT, *, required: bool = True, line: bool = False
) -> Any:
    """A pydantic type for `check_text` with these limits."""
    return Annotated[
        str,
        BeforeValidator(
            lambda value: check_text(value, max_length=max_length, required=required, line=line)
        ),
    ]


StorableText = storable_text(TEXT_LIMIT, required=False)
Line = storable_text(LINE_LIMIT, line=True)


# --- Codes and slugs -------------------------------------------------------------------------


@cache
def language_codes() -> frozenset[str]:
    """ISO 639-1 codes: the two-letter languages the CLDR knows."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def check_language(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in language_codes():
        raise ValueError(_l("Not a language code (ISO 639-1, such as en or ar)."))
    return value.strip().lower()


def check_country(value: Any) -> str:
    if not isinstance(value, str) or value.strip().upper() not in Locale("en").territories:
        raise ValueError(_l("Not a country code (ISO 3166-1, such as KE or LB)."))
    return value.strip().upper()


SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_LIMIT = 120


def check_slug(value: Any) -> str:
    if not isinstance(value, str) or len(value) > SLUG_LIMIT or not SLUG_PATTERN.match(value):
        raise ValueError(_l("Use lowercase letters, digits and hyphens, such as youth-councils."))
    return value


def make_slug(text: str, taken: Iterable[str] = (), fallback: str = "record") -> str:
    """A readable Latin slug for `text` in any script, not one in `taken`."""
    base = slugify(unicodedata.normalize("NFKC", text), max_length=SLUG_LIMIT - 4) or fallback
    taken = set(taken)
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


LanguageCode = Annotated[str, BeforeValidator(check_language)]
CountryCode = Annotated[str, BeforeValidator(check_country)]
Slug = Annotated[str, AfterValidator(check_slug)]


# --- Bounded numbers and dates ----------------------------------------------------------------

# A database INTEGER: an id past this does not exist, and must not reach the database.
MAX_ID = 2**31 - 1
# Years the network's records can be about: its cities' work started after 1900.
MIN_YEAR, MAX_YEAR = 1900, 2100


def check_day(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(
            _l("Give a date between %(first)s and %(last)s.", first=MIN_YEAR, last=MAX_YEAR)
        )
    return value


RecordId = Annotated[int, Field(ge=1, le=MAX_ID, strict=False)]
# A moment the hub stored (naive, in UTC), answered with its offset as RFC 3339 asks.
Moment = Annotated[
    datetime,
    AfterValidator(lambda value: value if value.tzinfo else value.replace(tzinfo=UTC)),
]
Day = Annotated[date, AfterValidator(check_day)]
Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]


# --- States: enums with their labels, stored behind a CHECK constraint --------------------------


class LabelledEnum(StrEnum):
    """A state or controlled value: its stored value, and its label for readers.

    Members are written `name = "value", _l("Label")`.
    """

    label: Any

    def __new__(cls, value: str, label: Any = None) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label if label is not None else value
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, Any]]:
        """(value, label) pairs, for a form's select field."""
        return [(member.value, member.label) for member in cls]


def enum_column(enum: type[LabelledEnum], name: str, length: int = 20) -> sa.Enum:
    """A column type storing `enum`'s values as text behind a CHECK constraint named `name`."""
    return sa.Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Schema(BaseModel):
    """A declared input or output: unknown fields are refused, so a typo is not silently lost."""

    model_config = ConfigDict(extra="forbid")


# A list in the API answers this many items a page unless asked for more, and at most MAX.
PER_PAGE, MAX_PER_PAGE, MAX_PAGE = 50, 100, 10_000


class Paging(Schema):
    """`?page=&per_page=` of an API list."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="The page, from 1.")
    per_page: int = Field(
        PER_PAGE, ge=1, le=MAX_PER_PAGE, description=f"Items a page, 1 to {MAX_PER_PAGE}."
    )


# --- Problems, by field, in the reader's language -----------------------------------------------

# What pydantic's own error types mean, in words the hub translates.
MESSAGES: Mapping[str, Any] = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("This field is not known."),
    "string_type": _l("This must be text."),
    "int_type": _l("This must be a whole number."),
    "int_parsing": _l("This must be a whole number."),
    "int_from_float": _l("This must be a whole number."),
    "bool_type": _l("This must be true or false."),
    "bool_parsing": _l("This must be true or false."),
    "list_type": _l("This must be a list."),
    "dict_type": _l("This must be an object."),
    "model_type": _l("This must be an object."),
    "model_attributes_type": _l("This must be an object."),
    "date_type": _l("This must be a date (YYYY-MM-DD)."),
    "date_parsing": _l("This must be a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _l("This must be a date (YYYY-MM-DD)."),
    "datetime_type": _l("This must be a date and time."),
    "datetime_parsing": _l("This must be a date and time."),
    "enum": _l("This value is not one of the choices."),
    "literal_error": _l("This value is not one of the choices."),
    "too_short": _l("Give at least %(min_length)s."),
    "too_long": _l("Give at most %(max_length)s."),
    "string_too_short": _l("This field is required."),
    "string_too_long": _l("At most %(max_length)s characters."),
    "greater_than_equal": _l("This must be %(ge)s or more."),
    "less_than_equal": _l("This must be %(le)s or less."),
    "greater_than": _l("This must be more than %(gt)s."),
    "less_than": _l("This must be less than %(lt)s."),
}
FALLBACK = _l("This value is not valid.")


def problems(error: ValidationError) -> dict[str, Any]:
    """Every problem of a submission, by field (the first problem of each field)."""
    found: dict[str, Any] = {}
    for item in error.errors(include_url=False):
        location = [str(part) for part in item["loc"] if not isinstance(part, int)]
        found.setdefault(location[0] if location else GENERAL, _message(item))
    return found


def _message(item: Any) -> Any:
    """One pydantic problem in the hub's words: a check's own message, or a translated one."""
    context = dict(item.get("ctx") or {})
    cause = context.get("error")
    if isinstance(cause, ValueError) and cause.args:
        return cause.args[0]
    message = MESSAGES.get(item["type"], FALLBACK)
    try:
        return message % context if context else message
    except (KeyError, TypeError, ValueError):
        return message


def validate(model: type[M], data: Any, **context: Any) -> M:
    """`data` read as `model`, or InvalidInput naming every field at fault."""
    if not isinstance(data, Mapping):
        raise InvalidInput(_l("The body must be a JSON object."))
    try:
        return model.model_validate(data, context=context or None)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise InvalidInput(problems(error)) from None
    except RecursionError:
        raise InvalidInput(_l("The body is nested too deeply.")) from None
