"""Controlled vocabularies: each value, its label for readers, and any threshold behind it."""

from __future__ import annotations

from dataclasses import dataclass

from hub.i18n import lazy_gettext as _l

REGIONS = {
    "africa": _l("Africa"),
    "middle-east-north-africa": _l("Middle East and North Africa"),
    "europe": _l("Europe"),
    "north-america": _l("North America"),
    "latin-america-caribbean": _l("Latin America and the Caribbean"),
    "asia-pacific": _l("Asia and the Pacific"),
}


@dataclass(frozen=True)
class SizeBand:
    slug: str
    label: object
    minimum: int
    maximum: int | None  # exclusive; None for the top band


# A city's size band is derived from its population with these thresholds and nowhere else.
# 100,000 and 500,000 follow the usual small/medium/large split in urban statistics; two million
# separates the metropolises, whose administrations work at a different scale.
SIZE_BANDS = (
    SizeBand("small", _l("Small city (under 100,000)"), 0, 100_000),
    SizeBand("medium", _l("Medium-sized city (100,000 to 500,000)"), 100_000, 500_000),
    SizeBand("large", _l("Large city (500,000 to 2 million)"), 500_000, 2_000_000),
    SizeBand("metropolis", _l("Metropolis (2 million or more)"), 2_000_000, None),
)
SIZE_BANDS_BY_SLUG = {band.slug: band for band in SIZE_BANDS}

# The languages a city ticks on its profile and on an exchange request: those the network's
# cities work in (content/cities) and the hub's own. Any other ISO 639-1 code stays valid: the
# API takes it, and a form keeps one already stored.
WORKING_LANGUAGES = ("ar", "da", "de", "en", "es", "fr", "nl", "no", "ny", "sw")


def size_band(population: int) -> SizeBand:
    for band in SIZE_BANDS:
        if band.maximum is None or population < band.maximum:
            return band
    raise AssertionError("the top band has no maximum")


EVIDENCE_LEVELS = {
    "none": _l("No evaluation"),
    "monitored": _l("Monitored"),
    "independently-evaluated": _l("Independently evaluated"),
}

CASE_STATUSES = {"ongoing": _l("Ongoing"), "completed": _l("Completed")}

BANDS = {
    "unknown": _l("Not recorded"),
    "low": _l("Low"),
    "medium": _l("Medium"),
    "high": _l("High"),
}

WEBINAR_FORMATS = {"online": _l("Online"), "in-person": _l("In person"), "hybrid": _l("Hybrid")}

DATE_PRECISIONS = ("minute", "day", "month")
