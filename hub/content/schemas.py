"""What a content file may contain: each kind's fields, their types and their allowed values."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import lazy_gettext as _l

from hub import vocab
from hub.exchanges.states import ExchangeFormat, ParticipantSide

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
TEXT_LIMIT = 100_000  # characters in one Markdown field
LINE_LIMIT = 300  # characters in a title, name or label

Validator = Callable[[Any], Any]


class Invalid(ValueError):
    # Messages are lazy gettext strings: in a request they read in the reader's language, on the
    # command line in English.
    """A field's value is wrong; the message says why, for the person fixing the file."""


def line(limit: int = LINE_LIMIT) -> Validator:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise Invalid(_l("must be a non-empty text"))
        value = value.strip()
        if "\n" in value:
            raise Invalid(_l("must be a single line"))
        if len(value) > limit:
            raise Invalid(_l("is longer than %(limit)s characters", limit=limit))
        _no_control(value)
        return value

    return check


def text(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid(_l("must be a text"))
    if len(value) > TEXT_LIMIT:
        raise Invalid(_l("is longer than %(limit)s characters", limit=TEXT_LIMIT))
    _no_control(value)
    return value.strip()


def _no_control(value: str) -> None:
    if any(ord(char) < 32 and char not in "\n\t" for char in value):
        raise Invalid(_l("contains control characters"))


def slug(value: Any) -> str:
    if not isinstance(value, str) or not SLUG.match(value) or len(value) > 120:
        raise Invalid(
            _l(
                "%(value)s is not a slug (lowercase ASCII words joined by hyphens)",
                value=repr(value),
            )
        )
    return value


def slugs(value: Any) -> list[str]:
    """A set of slugs (themes, cities): their order in a file carries no meaning."""
    return sorted(_unique([slug(item) for item in _list(value)]))


def lines(value: Any) -> list[str]:
    return [line()(item) for item in _list(value)]


def language(value: Any) -> str:
    if not isinstance(value, str) or not LANGUAGE_CODE.match(value):
        raise Invalid(_l("%(value)s is not an ISO 639-1 language code", value=repr(value)))
    return value


def languages(value: Any) -> list[str]:
    return _unique([language(item) for item in _list(value)])


def country(value: Any) -> str:
    if not isinstance(value, str) or not COUNTRY_CODE.match(value):
        raise Invalid(_l("%(value)s is not an ISO 3166-1 alpha-2 country code", value=repr(value)))
    return value


def choice(values) -> Validator:
    def check(value: Any) -> str:
        if value not in values:
            raise Invalid(
                _l(
                    "%(value)s is not one of: %(values)s",
                    value=repr(value),
                    values=", ".join(values),
                )
            )
        return value

    return check


def integer(low: int, high: int) -> Validator:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(_l("must be a whole number"))
        if not low <= value <= high:
            raise Invalid(_l("must be between %(low)s and %(high)s", low=low, high=high))
        return value

    return check


def number(low: float, high: float) -> Validator:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(_l("must be a number"))
        if not low <= value <= high:
            raise Invalid(_l("must be between %(low)s and %(high)s", low=low, high=high))
        return float(value)

    return check


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid(_l("must be true or false"))
    return value


def day(value: Any) -> date:
    if isinstance(value, date):
        return value
    raise Invalid(_l("must be a date written YYYY-MM-DD"))


def clock(value: Any) -> time:
    if isinstance(value, str) and (match := HHMM.match(value)):
        return time(int(match[1]), int(match[2]))
    raise Invalid(_l('must be a time written "HH:MM" (quoted)'))


def timezone(value: Any) -> str:
    if not isinstance(value, str) or value not in _timezones():
        raise Invalid(
            _l("%(value)s is not an IANA time zone such as Europe/Oslo", value=repr(value))
        )
    ZoneInfo(value)
    return value


_TIMEZONES: set[str] = set()


def _timezones() -> set[str]:
    if not _TIMEZONES:
        _TIMEZONES.update(available_timezones())
    return _TIMEZONES


def url(value: Any) -> str:
    value = line(500)(value)
    if not value.startswith(("https://", "http://")):
        raise Invalid(_l("must be an http(s) address"))
    return value


def localized_map(value: Any) -> dict[str, str]:
    """`{language: text}` with an English value."""
    if not isinstance(value, dict) or not value:
        raise Invalid(_l("must be a mapping of language codes to texts"))
    result = {language(key): text(item) for key, item in value.items()}
    if not result.get("en"):
        raise Invalid(_l("needs an English (en) value"))
    return result


def names_map(value: Any) -> dict[str, str]:
    """`{language: name}` for names in languages other than the main one."""
    if not isinstance(value, dict):
        raise Invalid(_l("must be a mapping of language codes to names"))
    return {language(key): line()(item) for key, item in value.items()}


def records(schema: dict[str, tuple[Validator, bool]]) -> Validator:
    """A list of mappings, each checked against `schema`."""

    def check(value: Any) -> list[dict]:
        result = []
        for number_, item in enumerate(_list(value), start=1):
            if not isinstance(item, dict):
                raise Invalid(_l("item %(number)s must be a mapping", number=number_))
            try:
                result.append(validate_fields(item, schema))
            except FieldError as error:
                raise Invalid(f"item {number_}: {error.field}: {error.reason}") from None
        return result

    return check


def _list(value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(_l("must be a list"))
    return value


def _unique(items: list) -> list:
    if len(set(items)) != len(items):
        raise Invalid(_l("lists the same value twice"))
    return items


class FieldError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def validate_fields(data: dict, schema: dict[str, tuple[Validator, bool]]) -> dict:
    """Check every field; returns the normalized values, in the schema's order."""
    for key in data:
        if key not in schema:
            raise FieldError(str(key), str(_l("is not a field of this kind of record")))
    result = {}
    for key, (validator, required) in schema.items():
        value = data.get(key)
        if value is None or value == "" or value == [] or value == {}:
            if required:
                raise FieldError(key, str(_l("is required")))
            continue
        try:
            value = validator(value)
        except Invalid as error:
            raise FieldError(key, str(error)) from None
        if not required and DEFAULTS.get(key, ...) == value:
            continue  # the same as leaving the field out
        result[key] = value
    return result


# Optional fields whose absence means this value.
DEFAULTS = {"mentor_capacity": 0, "cost_band": "unknown", "staffing_band": "unknown"}


def _kind(value: Any) -> str:
    return value


REQUIRED, OPTIONAL = True, False

THEME = {
    "kind": (_kind, REQUIRED),
    "slug": (slug, REQUIRED),
    "names": (localized_map, REQUIRED),
    "descriptions": (localized_map, REQUIRED),
}

CITY = {
    "kind": (_kind, REQUIRED),
    "slug": (slug, REQUIRED),
    "name": (line(), REQUIRED),
    "names": (names_map, OPTIONAL),
    "country": (country, REQUIRED),
    "region": (choice(tuple(vocab.REGIONS)), REQUIRED),
    "population": (integer(1, 100_000_000), REQUIRED),
    "population_source": (line(), REQUIRED),
    "latitude": (number(-90, 90), REQUIRED),
    "longitude": (number(-180, 180), REQUIRED),
    "timezone": (timezone, REQUIRED),
    "languages": (languages, REQUIRED),
    "member_since": (integer(1900, 2100), OPTIONAL),
    "mentor_capacity": (integer(0, 50), OPTIONAL),
    "expertise": (slugs, OPTIONAL),
    "summaries": (localized_map, REQUIRED),
}

CASE_TEXT = {
    "kind": (_kind, REQUIRED),
    "translation_of": (slug, REQUIRED),
    "language": (language, REQUIRED),
    "machine_translated": (boolean, REQUIRED),
    "title": (line(), REQUIRED),
    "summary": (text, REQUIRED),
    "target_audience": (text, OPTIONAL),
    "what_was_done": (text, OPTIONAL),
    "results": (text, OPTIONAL),
    "what_did_not_work": (text, OPTIONAL),
    "transferability": (text, OPTIONAL),
    "updated": (day, OPTIONAL),
}

CASE = {
    "kind": (_kind, REQUIRED),
    "slug": (slug, REQUIRED),
    "language": (language, REQUIRED),
    "machine_translated": (boolean, REQUIRED),
    "title": (line(), REQUIRED),
    "summary": (text, REQUIRED),
    "lead_city": (slug, OPTIONAL),
    "lead_organization": (line(), OPTIONAL),
    "partner_cities": (slugs, OPTIONAL),
    "partner_organizations": (lines, OPTIONAL),
    "themes": (slugs, REQUIRED),
    "start_year": (integer(1900, 2100), OPTIONAL),
    "status": (choice(tuple(vocab.CASE_STATUSES)), REQUIRED),
    "target_audience": (text, OPTIONAL),
    "what_was_done": (text, OPTIONAL),
    "results": (text, OPTIONAL),
    "evidence_level": (choice(tuple(vocab.EVIDENCE_LEVELS)), REQUIRED),
    "what_did_not_work": (text, OPTIONAL),
    "cost_band": (choice(tuple(vocab.BANDS)), OPTIONAL),
    "staffing_band": (choice(tuple(vocab.BANDS)), OPTIONAL),
    "transferability": (text, OPTIONAL),
    "contact": (text, OPTIONAL),
    "published": (day, REQUIRED),
    "updated": (day, OPTIONAL),
    "adapted_by": (slugs, OPTIONAL),
    "source": (text, OPTIONAL),
}

SPEAKER = {"name": (line(), REQUIRED), "role": (line(), REQUIRED), "city": (slug, OPTIONAL)}
SPEAKER_TEXT = {"name": (line(), REQUIRED), "role": (line(), REQUIRED)}
TAKEAWAY = {"title": (line(), REQUIRED), "text": (text, REQUIRED)}

WEBINAR = {
    "kind": (_kind, REQUIRED),
    "slug": (slug, REQUIRED),
    "language": (language, REQUIRED),
    "machine_translated": (boolean, REQUIRED),
    "series": (line(), OPTIONAL),
    "title": (line(), REQUIRED),
    "summary": (text, REQUIRED),
    "date": (lambda value: value, REQUIRED),  # checked with date_precision, below
    "time": (clock, OPTIONAL),
    "timezone": (timezone, REQUIRED),
    "date_precision": (choice(vocab.DATE_PRECISIONS), REQUIRED),
    "format": (choice(tuple(vocab.WEBINAR_FORMATS)), REQUIRED),
    "place": (line(), OPTIONAL),
    "organizers": (lines, OPTIONAL),
    "recording_url": (url, OPTIONAL),
    "themes": (slugs, REQUIRED),
    "published": (day, REQUIRED),
    "speakers": (records(SPEAKER), OPTIONAL),
    "takeaways": (records(TAKEAWAY), OPTIONAL),
    "source": (text, OPTIONAL),
}

WEBINAR_TEXT = {
    "kind": (_kind, REQUIRED),
    "translation_of": (slug, REQUIRED),
    "language": (language, REQUIRED),
    "machine_translated": (boolean, REQUIRED),
    "series": (line(), OPTIONAL),
    "title": (line(), REQUIRED),
    "summary": (text, REQUIRED),
    "place": (line(), OPTIONAL),
    "speakers": (records(SPEAKER_TEXT), OPTIONAL),
    "takeaways": (records(TAKEAWAY), OPTIONAL),
}

PARTICIPANT = {
    "city": (slug, OPTIONAL),
    "label": (localized_map, OPTIONAL),
    "country": (country, OPTIONAL),
    "side": (choice(tuple(ParticipantSide)), REQUIRED),
}

EXCHANGE = {
    "kind": (_kind, REQUIRED),
    "slug": (slug, REQUIRED),
    "titles": (localized_map, REQUIRED),
    "format": (choice(tuple(ExchangeFormat)), REQUIRED),
    "started": (integer(1900, 2100), REQUIRED),
    "ended": (integer(1900, 2100), OPTIONAL),
    "themes": (slugs, REQUIRED),
    "supported_by": (lines, OPTIONAL),
    "participants": (records(PARTICIPANT), REQUIRED),
    "summaries": (localized_map, REQUIRED),
    "outcomes": (localized_map, OPTIONAL),
    "source": (text, OPTIONAL),
}


def webinar_date(value: Any, precision: str) -> date:
    """`2022-03-17`, or `2022-03` when only the month is known."""
    if precision == "month":
        if isinstance(value, str) and (match := MONTH.match(value)):
            year, month = int(match[1]), int(match[2])
            if 1 <= month <= 12:
                return date(year, month, 1)
        raise Invalid(_l('must be a month written "YYYY-MM" when date_precision is month'))
    return day(value)
