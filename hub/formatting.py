"""Dates, times and numbers for readers, in their locale."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.lists import format_list
from flask import Flask

from hub import vocab
from hub.i18n import babel_locale, current_language
from hub.i18n import gettext as _
from hub.publishing.models import Webinar

# Distinct dates a process formats; lists repeat the same few often.
FORMATTED_DATES = 8192


def long_date(day: date) -> str:
    return _long_date(day, current_language())


@lru_cache(maxsize=FORMATTED_DATES)
def _long_date(day: date, lang: str) -> str:
    return babel_dates.format_date(day, "long", locale=babel_locale(lang))


def partial_date(iso: str) -> str:
    """`2022-03-17` as a long date, `2022-03` as a month, in the reader's locale."""
    locale = current_language()
    if len(iso) == 7:
        return babel_dates.format_skeleton("yMMMM", date.fromisoformat(f"{iso}-01"), locale=locale)
    return long_date(date.fromisoformat(iso))


def listing(items) -> str:
    """Items joined as the reader's language lists them: "a, b and c", "أ وب وج"."""
    return format_list([str(item) for item in items], locale=current_language())


def event_when(webinar: Webinar, say_missing_time: bool = False) -> str:
    """When a webinar took place, as precisely as the record knows. A time zone is named only
    with a start time; `say_missing_time` adds that the start time was not recorded."""
    return _event_when(
        webinar.starts_on,
        webinar.start_time,
        webinar.timezone,
        webinar.date_precision,
        say_missing_time,
        current_language(),
    )


@lru_cache(maxsize=FORMATTED_DATES)
def _event_when(
    day: date, start: time | None, timezone: str, precision: str, say_missing: bool, lang: str
) -> str:
    locale = babel_locale(lang)
    if precision == "month":
        return babel_dates.format_skeleton("yMMMM", day, locale=locale)
    if start is not None:
        zone = ZoneInfo(timezone)
        starts_at = datetime.combine(day, start, tzinfo=zone)
        return babel_dates.format_datetime(starts_at, "full", tzinfo=zone, locale=locale)
    formatted = babel_dates.format_date(day, "full", locale=locale)
    if say_missing:
        return _("%(date)s (start time not recorded)", date=formatted)
    return formatted


def init_app(app: Flask) -> None:
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["event_when"] = event_when
    app.jinja_env.filters["partial_date"] = partial_date
    app.jinja_env.filters["listing"] = listing
    app.jinja_env.globals["vocab"] = vocab
