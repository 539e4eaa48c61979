"""Query budgets: the publishing pages and API run as many SQL statements with more records,
more language versions, more speakers and more reports as with few."""

from __future__ import annotations

import sqlalchemy as sa

from hub.extensions import db
from hub.publishing import operations as publishing
from hub.publishing.models import CaseStudy, TranslationReport, Webinar
from hub.publishing.states import PublicationState
from tests.publishing.conftest import signed_in

CITIES = ["mombasa", "zanzibar", "oslo", "saida"]


def statements(app, client, url: str) -> int:
    """SQL statements one answer to `url` runs (after one warm-up request)."""
    assert client.get(url).status_code == 200, url
    counted: list[int] = []
    with app.app_context():
        engine = db.engine

    def count(*_args) -> None:
        counted.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def add_case(number: int, partners: list[str]) -> CaseStudy:
    case = publishing.create_record(
        "case",
        {
            "title": f"Extra case {number}",
            "summary": "A summary.",
            "lead_city": "mombasa",
            "partner_cities": partners,
            "themes": ["youth", "local-action-plans"],
            "status": "ongoing",
            "evidence_level": "none",
        },
        "Body.",
        None,
    )
    publishing.add_translation(case, "fr", {"title": "Cas", "summary": "Résumé."}, "", True, None)
    return case


def add_webinar(number: int, speakers: int) -> Webinar:
    people = [
        {"name": f"Person {n}", "role": "Speaker", "city": CITIES[n % 4]} for n in range(speakers)
    ]
    return publishing.create_record(
        "webinar",
        {
            "title": f"Extra webinar {number}",
            "summary": "A summary.",
            "date": "2026-01",
            "timezone": "UTC",
            "date_precision": "month",
            "format": "online",
            "themes": ["youth", "online-harms"],
            "speakers": people,
        },
        "",
        None,
    )


def grow(app, cases: int = 8, webinars: int = 4) -> None:
    with app.app_context():
        for number in range(cases):
            case = add_case(number, CITIES[: number % 5])
            case.state = PublicationState.published
            db.session.add(
                TranslationReport(kind="case", record_id=case.id, language="fr", problem="Typo.")
            )
        for number in range(webinars):
            webinar = add_webinar(number, number + 1)
            db.session.add(
                TranslationReport(kind="webinar", record_id=webinar.id, language="en", problem="x")
            )
        db.session.commit()


LISTS = [
    "/en/publishing/",
    "/en/publishing/translations/missing",
    "/en/publishing/reports",
]


def test_the_staff_lists_do_not_grow_with_the_data(site):
    staff = signed_in(site)
    with site.app_context():
        for kind in ("case", "webinar"):
            db.session.add(TranslationReport(kind=kind, record_id=1, language="en", problem="x"))
        db.session.commit()
    before = {url: statements(site, staff, url) for url in LISTS}
    grow(site)
    after = {url: statements(site, staff, url) for url in LISTS}
    assert after == before


def test_forms_and_the_api_do_not_grow_with_a_records_relations(site):
    staff = signed_in(site)
    with site.app_context():
        small_case, large_case = add_case(1, []).id, add_case(2, CITIES).id
        small_webinar, large_webinar = add_webinar(1, 1).id, add_webinar(2, 6).id
        for model in (CaseStudy, Webinar):
            for record in db.session.scalars(sa.select(model)):
                record.state = PublicationState.published  # the API shows them to anyone
        db.session.commit()
    for kind, collection, small, large in [
        ("case", "cases", small_case, large_case),
        ("webinar", "webinars", small_webinar, large_webinar),
    ]:
        for url in (
            f"/en/publishing/{collection}/{{}}",
            f"/en/publishing/{kind}/{{}}/translations/new",
            f"/api/v1/{collection}/{{}}",
        ):
            assert statements(site, staff, url.format(small)) == statements(
                site, staff, url.format(large)
            ), url
    french = "/en/publishing/case/{}/translations/fr"
    assert statements(site, staff, french.format(small_case)) == statements(
        site, staff, french.format(large_case)
    )
