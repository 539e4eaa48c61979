"""The page benchmark's generator (bench/network.py) makes the network it reports, and the
pages render it: so `make bench-pages` cannot silently measure something else."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from bench import network
from hub.cities.models import City
from hub.exchanges.models import ExchangeRequest, MatchProposal
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, Webinar

SIZES = network.Sizes(cases=60, cities=12, webinars=5, requests=40)


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_generated_network_is_what_the_benchmark_reports(app):
    with app.app_context():
        made = network.generate(SIZES)
        assert (made.cases, made.cities, made.webinars, made.requests) == (60, 12, 5, 40)
        assert (_count(CaseStudy), _count(City), _count(Webinar)) == (60, 12, 5)
        assert _count(ExchangeRequest) == 40
        languages = Counter(
            count
            for count in db.session.scalars(
                sa.select(sa.func.count()).select_from(CaseText).group_by(CaseText.case_id)
            )
        )
        assert languages == made.languages_per_case
        assert set(languages) <= {1, 2, 3, 4} and len(languages) >= 2
        statuses = Counter(db.session.scalars(sa.select(ExchangeRequest.status)))
        assert statuses == made.requests_by_status
        assert len(statuses) >= 4  # mixed states, not only submitted ones
        assert _count(MatchProposal) == made.proposals > 0
        assert db.session.get(ExchangeRequest, made.submitted_request).status == "submitted"


def test_the_pages_the_benchmark_visits_render_the_generated_network(app):
    with app.app_context():
        made = network.generate(SIZES)
    client = app.test_client()
    for path in (
        "/en/",
        "/en/cases?page=3",
        f"/en/cases/{made.case_slug}",
        "/en/webinars",
        "/en/cities",
        f"/en/cities/{made.city_slug}",
        "/en/exchanges",
    ):
        assert client.get(path).status_code == 200, path
