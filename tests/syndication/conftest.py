"""Helpers of the syndication tests: the published records, and pages read as HTML trees."""

from __future__ import annotations

import lxml.html
import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar


def published(app, model) -> list:
    """The published records of `model`, with their language versions, detached."""
    with app.app_context():
        stmt = sa.select(model).where(model.state == "published").order_by(model.slug)
        records = list(db.session.scalars(stmt))
        for record in records:
            record.texts, record.themes  # noqa: B018  (loaded before the session ends)
        db.session.expunge_all()
        return records


def page(client, url: str):
    """The page at `url` as an lxml tree, after checking it answered 200."""
    answer = client.get(url)
    assert answer.status_code == 200, url
    return lxml.html.fromstring(answer.get_data(as_text=True))


@pytest.fixture
def cases(content_app) -> list[CaseStudy]:
    return published(content_app, CaseStudy)


@pytest.fixture
def webinars(content_app) -> list[Webinar]:
    return published(content_app, Webinar)
