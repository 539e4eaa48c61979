"""Dates, times and numbers for readers, in their locale."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.lists import format_list
from flask import Flask
from flask_babel import gettext as _

from hub import vocab
from hub.i18n import current_language
from hub.publishing.models import Webinar


def long_date(day: date) -> str:
    return babel_dates.format_date(day, "long", locale=current_language())


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
    locale = current_language()
    if webinar.date_precision == "month":
        return babel_dates.format_skeleton("yMMMM", webinar.starts_on, locale=locale)
    if webinar.starts_at is not None:
        zone = ZoneInfo(webinar.timezone)
        return babel_dates.format_datetime(webinar.starts_at, "full", tzinfo=zone, locale=locale)
    day = babel_dates.format_date(webinar.starts_on, "full", locale=locale)
    if say_missing_time:
        return _("%(date)s (start time not recorded)", date=day)
    return day


def init_app(app: Flask) -> None:
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["event_when"] = event_when
    app.jinja_env.filters["partial_date"] = partial_date
    app.jinja_env.filters["listing"] = listing
    app.jinja_env.globals["vocab"] = vocab
