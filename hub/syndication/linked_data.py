"""schema.org descriptions of the public records as JSON-LD: an Article for a case study, an
Event for a webinar, a City for a city profile. Pages embed them as `application/ld+json`, which
is data, not script, so the CSP stays free of inline script."""

from __future__ import annotations

from flask import Flask

from hub.cities.models import City
from hub.i18n import country_name, localized
from hub.i18n import gettext as _
from hub.publishing.models import CaseStudy, Webinar
from hub.web import external_url

CONTEXT = "https://schema.org"
ATTENDANCE = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "in-person": "https://schema.org/OfflineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(case_ld=case_ld, webinar_ld=webinar_ld, city_ld=city_ld)


def _hub() -> dict:
    return {
        "@type": "Organization",
        "name": _("Cities Knowledge Hub"),
        "url": external_url("home.index"),
    }


def _place(city: City, lang: str) -> dict:
    return {
        "@type": "City",
        "name": city.display_name(lang),
        "url": external_url("cities.detail", lang=lang, slug=city.slug),
    }


def _themes(themes, lang: str) -> list[dict]:
    return [
        {
            "@type": "Thing",
            "name": localized(theme.names, lang),
            "url": external_url("home.theme", lang=lang, slug=theme.slug),
        }
        for theme in themes
    ]


def _translation(record, text, endpoint: str, kind: str) -> dict:
    """Where this version comes from, when it is a translation."""
    if text.language == record.original_language:
        return {}
    original = record.original
    return {
        "translationOfWork": {
            "@type": kind,
            "name": original.title,
            "inLanguage": original.language,
            "url": external_url(endpoint, lang=original.language, slug=record.slug),
        }
    }


def case_ld(case: CaseStudy, text, lang: str) -> dict:
    page = external_url("cases.detail", lang=lang, slug=case.slug)
    changed = max(filter(None, [case.published_on, text.updated_on]))
    found = {
        "@context": CONTEXT,
        "@type": "Article",
        "headline": text.title,
        "description": text.summary,
        "inLanguage": text.language,
        "url": page,
        "mainEntityOfPage": page,
        "datePublished": case.published_on.isoformat(),
        "dateModified": changed.isoformat(),
        "timeRequired": f"PT{text.reading_minutes}M",
        "publisher": _hub(),
        "author": (
            {"@type": "Organization", "name": case.lead_organization}
            if case.lead_organization
            else _hub()
        ),
        "about": _themes(case.themes, lang),
        "spatialCoverage": [_place(city, lang) for city in case.cities],
        **_translation(case, text, "cases.detail", "Article"),
    }
    if case.source:
        found["citation"] = case.source
    if case.source_url:
        found["isBasedOn"] = case.source_url
    return found


def webinar_ld(webinar: Webinar, text, lang: str) -> dict:
    page = external_url("webinars.detail", lang=lang, slug=webinar.slug)
    start = webinar.starts_at.isoformat() if webinar.starts_at else webinar.starts_on.isoformat()
    if webinar.date_precision == "month":
        start = webinar.starts_on.isoformat()[:7]
    if webinar.format == "online":
        location: dict = {"@type": "VirtualLocation", "url": webinar.recording_url or page}
    else:
        location = {"@type": "Place", "name": text.place or ""}
    found = {
        "@context": CONTEXT,
        "@type": "Event",
        "name": text.title,
        "description": text.summary,
        "inLanguage": text.language,
        "url": page,
        "startDate": start,
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": ATTENDANCE.get(webinar.format, ATTENDANCE["online"]),
        "location": location,
        "organizer": [{"@type": "Organization", "name": name} for name in webinar.organizers]
        or [_hub()],
        "performer": [
            {
                "@type": "Person",
                "name": localized(speaker.names, text.language),
                "jobTitle": localized(speaker.roles, text.language),
            }
            for speaker in webinar.speakers
        ],
        "about": _themes(webinar.themes, lang),
        **_translation(webinar, text, "webinars.detail", "Event"),
    }
    if webinar.source_url:
        found["isBasedOn"] = webinar.source_url
    if webinar.recording_url:
        found["recordedIn"] = {"@type": "CreativeWork", "url": webinar.recording_url}
    return found


def city_ld(city: City, lang: str) -> dict:
    return {
        "@context": CONTEXT,
        "@type": "City",
        "name": city.display_name(lang),
        "alternateName": sorted(
            {name for name in [city.name, *city.names.values()] if name} - {city.display_name(lang)}
        ),
        "description": localized(city.summaries, lang),
        "url": external_url("cities.detail", lang=lang, slug=city.slug),
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": city.latitude,
            "longitude": city.longitude,
        },
        "address": {"@type": "PostalAddress", "addressCountry": city.country},
        "containedInPlace": {"@type": "Country", "name": country_name(city.country)},
        "knowsAbout": _themes(city.expertise, lang),
    }
