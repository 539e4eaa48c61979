"""iCalendar files: every webinar or event as a subscribable calendar, and one event each.

A recorded start time gives a timed event in the event's own time zone (with its VTIMEZONE);
a start time not recorded gives a date-only event, and a record that knows only the month an
all-day span over that month, marked free, with a note saying so.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, current_app
from icalendar import Calendar, Event

from hub import vocab
from hub.catalog import queries as catalog
from hub.formatting import partial_date
from hub.i18n import current_language, localized
from hub.i18n import gettext as _
from hub.publishing.models import Webinar
from hub.security.access import PUBLIC, allow
from hub.syndication import queries
from hub.syndication.provenance import provenance
from hub.web import DEFAULT_SERVER_NAME, external_url

bp = Blueprint("calendars", __name__)

CALENDAR = "text/calendar"
# How often a subscribed calendar asks again: events are published a few times a month.
REFRESH = timedelta(hours=12)


@bp.get("/<lang:lang>/webinars.ics")
@allow(PUBLIC)
def webinars():
    calendar = _calendar(_("Webinars and events"))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for webinar in queries.all_webinars():
        calendar.add_component(_event(webinar))
    return _answer(calendar, "webinars")


@bp.get("/<lang:lang>/webinars/<slug:slug>.ics")
@allow(PUBLIC)
def webinar(slug: str):
    found = catalog.webinar_page(slug)
    calendar = _calendar(found.text_in(current_language()).title)
    calendar.add_component(_event(found))
    return _answer(calendar, slug)


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Cities Knowledge Hub//hub//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{name} · {_('Cities Knowledge Hub')}")
    return calendar


def _answer(calendar: Calendar, name: str) -> Response:
    calendar.add_missing_timezones()
    response = Response(calendar.to_ical(), mimetype=CALENDAR)
    response.headers["Content-Disposition"] = f'inline; filename="{name}.ics"'
    return response


def _event(webinar: Webinar) -> Event:
    lang = current_language()
    text = webinar.text_in(lang)
    page = external_url("webinars.detail", lang=lang, slug=webinar.slug)
    host = current_app.config.get("SERVER_NAME") or DEFAULT_SERVER_NAME
    event = Event()
    event.add("uid", f"webinar-{webinar.slug}@{host}")
    # The stamp is the publication, not the request: the same record gives the same file.
    event.add("dtstamp", datetime.combine(webinar.published_on, time(), tzinfo=UTC))
    event.add("summary", text.title)
    notes = [text.summary, provenance(webinar, text, lang)]
    if webinar.date_precision == "month":
        notes.append(
            _(
                "Only the month is recorded: %(month)s.",
                month=partial_date(webinar.starts_on.isoformat()[:7]),
            )
        )
        first = webinar.starts_on.replace(day=1)
        event.add("dtstart", first)
        event.add("dtend", _next_month(first))
        event.add("transp", "TRANSPARENT")
    elif webinar.starts_at is None:
        event.add("dtstart", webinar.starts_on)
        event.add("dtend", webinar.starts_on + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", webinar.starts_at)
    if webinar.recording_url:
        notes.append(_("Recording: %(url)s", url=webinar.recording_url))
    notes.append(page)
    event.add("description", "\n\n".join(notes))
    event.add("url", page)
    event.add("location", text.place or str(vocab.WEBINAR_FORMATS[webinar.format]))
    if webinar.themes:
        event.add("categories", [localized(theme.names, lang) for theme in webinar.themes])
    event.add("status", "CONFIRMED")
    return event


def _next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)
