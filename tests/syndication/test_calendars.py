"""iCalendar files, read by the icalendar parser as a calendar application would."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from hub.extensions import db
from hub.i18n import LANGUAGES
from hub.publishing.models import Webinar
from tests.conftest import app_with_content
from tests.syndication.conftest import page


def read_calendar(client, url: str) -> Calendar:
    answer = client.get(url)
    assert answer.status_code == 200, url
    assert answer.mimetype == "text/calendar"
    return Calendar.from_ical(answer.data)


def version_shown(record, lang: str):
    by_language = {text.language: text for text in record.texts}
    return by_language.get(lang) or by_language[record.original_language]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_calendar_holds_every_webinar_in_the_readers_language(client, webinars, lang):
    calendar = read_calendar(client, f"/{lang}/webinars.ics")
    events = {str(event["uid"]).split("@")[0]: event for event in calendar.walk("VEVENT")}
    assert sorted(events) == sorted(f"webinar-{webinar.slug}" for webinar in webinars)
    for webinar in webinars:
        event = events[f"webinar-{webinar.slug}"]
        assert str(event["summary"]) == version_shown(webinar, lang).title
        assert str(event["url"]).endswith(f"/{lang}/webinars/{webinar.slug}")
        start = event.decoded("dtstart")
        # No seed webinar records its start time: each is a date-only event.
        assert type(start) is date
        if webinar.date_precision == "day":
            assert start == webinar.starts_on
            assert event.decoded("dtend") == date.fromordinal(start.toordinal() + 1)
        else:  # only the month is known: the event spans it
            assert start == webinar.starts_on.replace(day=1)
            assert event.decoded("dtend").day == 1
            assert event.decoded("dtend").month != start.month


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_event_page_offers_add_to_calendar(client, webinars, lang):
    for webinar in webinars:
        tree = page(client, f"/{lang}/webinars/{webinar.slug}")
        (href,) = tree.xpath('//dd/span[@class="add-to-calendar"]/a/@href')
        assert href == f"/{lang}/webinars/{webinar.slug}.ics"
        (event,) = read_calendar(client, href).walk("VEVENT")
        assert str(event["summary"]) == version_shown(webinar, lang).title


def test_a_recorded_start_time_gives_a_timed_event_in_its_time_zone(database):
    app = app_with_content(database)
    with app.app_context():
        webinar = db.session.scalar(sa.select(Webinar).filter_by(date_precision="day"))
        webinar.start_time, webinar.timezone = time(14, 30), "Europe/Copenhagen"
        slug, day = webinar.slug, webinar.starts_on
        db.session.commit()
    calendar = read_calendar(app.test_client(), f"/es/webinars/{slug}.ics")
    (event,) = calendar.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime.combine(day, time(14, 30), tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert event["dtstart"].params["TZID"] == "Europe/Copenhagen"
    assert "dtend" not in event  # the end is not recorded
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Copenhagen"


def test_an_unknown_webinar_calendar_is_a_404(client):
    assert client.get("/en/webinars/no-such-event.ics").status_code == 404
