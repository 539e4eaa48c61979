"""Controlled vocabularies: each value, its label for readers, and any threshold behind it."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

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

EXCHANGE_FORMATS = {
    "virtual": _l("Virtual exchange"),
    "study-visit": _l("Study visit"),
    "mentoring": _l("Mentoring over months"),
}

EXCHANGE_SIDES = {"mentor": _l("Mentor"), "learner": _l("Learner")}

# The life of a request for a peer exchange, in order; the last two end it early.
REQUEST_STATUSES = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "proposed": _l("Mentor proposed"),
    "accepted": _l("Accepted"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "declined": _l("Declined"),
}

# A proposed mentor: waiting for staff review, then for both cities; or settled.
PROPOSAL_STATES = {
    "review": _l("Awaiting staff review"),
    "cities": _l("Awaiting both cities"),
    "accepted": _l("Accepted by both cities"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}

# What each city has said to a proposal put to it.
PROPOSAL_DECISIONS = {
    "pending": _l("Not decided yet"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
}

# Each factor of a proposal's score, as the breakdown table names it.
MATCH_FACTORS = {
    "thematic_fit": _l("Thematic fit"),
    "experience": _l("Experience"),
    "language": _l("Shared languages"),
    "context": _l("Region and context"),
    "relation": _l("Earlier relationship"),
    "size": _l("Size relation"),
    "load": _l("Current load"),
}

# Why a close alternative was not proposed (codes from hub.matching.explain).
WHY_NOT = {
    "lower_thematic_fit": _l("lower thematic fit"),
    "less_experienced": _l("less experience on these themes"),
    "no_shared_language": _l("no shared language"),
    "less_similar_context": _l("a less similar region or context"),
    "no_earlier_relation": _l("no earlier relationship"),
    "smaller_city": _l("a smaller city"),
    "busier_mentor": _l("already mentoring more cities"),
    "not_more_experienced": _l("not more experienced than your city on these themes"),
    "no_capacity": _l("no capacity left"),
    "no_capacity_left_in_round": _l("its free places went to other requests in this round"),
    "best_candidate_taken_in_round": _l("the best candidate went to another request"),
    "higher_score": _l("a higher score, but not chosen in the round"),
    "tied_score": _l("an equal score"),
}

# Why a matching round left a request without a mentor (hub.matching.UNMATCHED_REASONS).
UNMATCHED_REASONS = {
    "unknown_city": _l("The requesting city is unknown."),
    "no_mentor_for_themes": _l("No city shows experience on these themes."),
    "no_more_experienced_mentor": _l(
        "No city is more experienced than the requesting city on these themes."
    ),
    "no_free_capacity": _l("Every city that could mentor this request is fully booked."),
    "lost_to_higher_scoring_requests": _l(
        "The cities that could mentor it were given to requests they fit better."
    ),
}

# How an exchange went, as each side rates it when reporting back.
EXCHANGE_RATINGS = {
    1: _l("Poor"),
    2: _l("Fair"),
    3: _l("Good"),
    4: _l("Very good"),
    5: _l("Excellent"),
}
