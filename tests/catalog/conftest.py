"""Fixtures of the public read side: a way to grow the network's data."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
import sqlalchemy as sa

from hub.cities.models import City, Theme
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, Speaker, Webinar, WebinarText


@pytest.fixture
def grow_content():
    """A function adding `cities` cities and `cases` published cases (and a few webinars)
    linked to the existing cities and themes, so every public page has more to show."""

    def grow(app, *, cases: int, cities: int, webinars: int = 20) -> None:
        with app.app_context():
            themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.position)))
            added = [_city(number, themes) for number in range(cities)]
            db.session.add_all(added)
            every_city = list(db.session.scalars(sa.select(City).order_by(City.id))) + added
            mombasa = db.session.scalar(sa.select(City).filter_by(slug="mombasa"))
            pick = itertools.cycle(every_city)
            for number in range(cases):
                lead = mombasa if number % 2 else next(pick)
                db.session.add(_case(number, lead, [next(pick), next(pick)], themes))
            for number in range(webinars):
                db.session.add(_webinar(number, [mombasa, next(pick)], themes))
            db.session.commit()

    return grow


def _city(number: int, themes: list[Theme]) -> City:
    return City(
        slug=f"grown-city-{number}",
        name=f"Grown City {number}",
        names={"ar": f"مدينة {number}"},
        country="KE",
        region="africa",
        population=50_000 + number * 90_000,
        latitude=-4.0,
        longitude=39.6,
        languages=["en", "sw"],
        mentor_capacity=number % 3,
        summaries={"en": f"A city added for test number {number}."},
        expertise=[themes[number % len(themes)], themes[(number + 1) % len(themes)]],
    )


def _case(number: int, lead: City, partners: list[City], themes: list[Theme]) -> CaseStudy:
    youth = next(theme for theme in themes if theme.slug == "youth")
    return CaseStudy(
        slug=f"grown-case-{number}",
        original_language="en",
        state="published",
        lead_city=lead,
        partner_cities=[city for city in partners if city is not lead],
        adapted_by=partners[:1],
        status="ongoing",
        evidence_level="monitored",
        published_on=date(2020 + number % 5, 1 + number % 12, 1),
        themes=[youth, themes[number % len(themes)]]
        if themes[number % len(themes)] is not youth
        else [youth],
        texts=[
            CaseText(language="en", title=f"Grown case {number}", summary="Mombasa youth work."),
            CaseText(language="ar", title=f"حالة {number}", summary="عمل الشباب"),
        ],
    )


def _webinar(number: int, cities: list[City], themes: list[Theme]) -> Webinar:
    return Webinar(
        slug=f"grown-webinar-{number}",
        original_language="en",
        state="published",
        starts_on=date(2021, 1 + number % 12, 1),
        timezone="UTC",
        format="online",
        published_on=date(2021, 1, 1),
        themes=[themes[number % len(themes)]],
        texts=[WebinarText(language="en", title=f"Grown webinar {number}", summary="Talks.")],
        speakers=[
            Speaker(position=index, city=city, names={"en": f"Speaker {index}"})
            for index, city in enumerate(cities)
        ],
    )
