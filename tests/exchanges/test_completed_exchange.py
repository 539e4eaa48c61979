"""An exchange completed in the hub is the same public record a content file describes: it shows
on both cities' pages and the theme page, counts once on the home page and in matching, and is
exported as an exchange file that loads back. Requests completed before the record existed get
theirs from the migration."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from hub.cities.models import City
from hub.content import files as content_files
from hub.content.documents import read_document
from hub.exchanges import board, network
from hub.exchanges.models import Exchange
from hub.extensions import db
from tests.conftest import Database, _dispose, copy_of, make_app
from tests.exchanges import test_exchange_api as api
from tests.exchanges.test_exchange_api import BASE, REPORT, call

site = api.site  # the network's content, its people and an API token for each
TITLE = "Mombasa and Zanzibar: a peer exchange"
SUMMARY = (
    "Zanzibar asked the network for a peer city on Local action plans. Mombasa mentored it, "
    "and both cities reported on the exchange when it ended."
)


def completed(app) -> int:
    """Zanzibar's exchange with Mombasa on local action plans, reported on by both cities."""
    request_id, _proposal_id = api.under_way(app)
    for who, rating in (("zanzibar", 5), ("mombasa", 4)):
        answer = call(app, who, "POST", f"{BASE}/{request_id}/report", {**REPORT, "rating": rating})
        assert answer.status_code == 201, answer.json
    assert answer.json["status"] == "completed"
    return request_id


def home_count(app) -> int:
    page = app.test_client().get("/en/").get_data(as_text=True)
    return int(re.search(r"<dt>Completed exchanges</dt><dd>(\d+)</dd>", page)[1])


def experience(app) -> list[tuple[list[str], float | None]]:
    """Mombasa's completed exchanges as matching reads them, and the staff board's count."""
    with app.app_context():
        mombasa = db.session.scalar(sa.select(City.id).filter_by(slug="mombasa"))
        found = [(t, f) for city, t, f in network.completed_exchanges() if city == mombasa]
        (load,) = [row for row in board.mentor_load() if row.city.id == mombasa]
        assert load.completed == len(found)
        return found


def test_a_completed_exchange_shows_once_everywhere_the_networks_exchanges_do(site, tmp_path):
    counted, known = home_count(site), experience(site)
    request_id = completed(site)

    with site.app_context():
        record = db.session.scalar(sa.select(Exchange).filter_by(request_id=request_id))
        year = datetime.now().year
        assert record.slug == f"zanzibar-mombasa-{year}"
        assert (record.titles["en"], record.summaries["en"]) == (TITLE, SUMMARY)
        assert (record.format, record.started, record.ended) == ("mentoring", year, year)
        assert [(p.side, p.city.slug) for p in record.participants] == [
            ("mentor", "mombasa"),
            ("learner", "zanzibar"),
        ]
        assert [t.slug for t in record.themes] == ["local-action-plans"]
        # What the cities wrote stays with them: the challenge, the reports, the ratings.
        assert record.outcomes == {} and REPORT["outcomes"] not in str(record.summaries)
        slug = record.slug

    client = site.test_client()
    for path in ("/en/cities/zanzibar", "/en/cities/mombasa", "/en/themes/local-action-plans"):
        page = client.get(path)
        assert page.status_code == 200
        assert page.get_data(as_text=True).count(TITLE) == 1, path
    assert "a peer exchange" not in client.get("/en/cities/kristiansand").get_data(as_text=True)
    assert home_count(site) == counted + 1
    assert experience(site) == [*known, (["local-action-plans"], 1.0)]

    result = site.test_cli_runner().invoke(args=["content", "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    exported = sorted((tmp_path / "out" / "exchanges").glob("*.md"))
    with site.app_context():
        assert len(exported) == db.session.scalar(sa.select(sa.func.count(Exchange.id)))
    document = read_document(tmp_path / "out" / "exchanges" / f"{slug}.md")
    assert document.data.kind == "exchange"
    assert [(p.side, p.city) for p in document.data.participants] == [
        ("mentor", "mombasa"),
        ("learner", "zanzibar"),
    ]
    assert (document.data.titles["en"], document.data.started) == (TITLE, year)


def test_the_export_of_a_completed_exchange_loads_into_another_hub(site, database, tmp_path):
    completed(site)
    with site.app_context():
        content_files.export_directory(tmp_path / "out")
    other = copy_of(Database(database.backend, tmp_path / "other"), "schema")
    try:
        again = make_app(other)
        with again.app_context():
            report = content_files.load_directory(tmp_path / "out")
            assert not report.errors, report.errors
            db.session.commit()
        page = again.test_client().get("/en/cities/zanzibar").get_data(as_text=True)
        assert page.count(TITLE) == 1
        assert experience(again)[-1] == (["local-action-plans"], None)  # the ratings stay home
        _dispose(again)
    finally:
        other.drop()


def test_the_migration_records_requests_completed_before_it(empty_app):
    """A request completed before the record existed gets its record once, at the upgrade."""

    def flask(*args):
        result = empty_app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output + repr(result.exception)

    flask("db", "upgrade", "7c3e1f20a9d4")
    with empty_app.app_context(), db.engine.begin() as connection:
        run = connection.exec_driver_sql
        run(
            "INSERT INTO themes (id, slug, names, descriptions, position) VALUES "
            """(1, 'youth', '{"en": "Youth", "fr": "Jeunesse"}', '{}', 0)"""
        )
        for n, (slug, name) in enumerate((("saida", "Saida"), ("oslo", "Oslo")), start=1):
            run(
                "INSERT INTO cities (id, slug, name, names, country, region, population, "
                "population_source, latitude, longitude, timezone, languages, mentor_capacity, "
                f"summaries) VALUES ({n}, '{slug}', '{name}', '{{}}', 'LB', 'mena', 100000, '', "
                "0, 0, 'UTC', '[]', 1, '{}')"
            )
        run(
            "INSERT INTO exchange_requests (id, city_id, challenge, languages, format, timeframe,"
            " status, created_at, updated_at) VALUES (7, 1, 'Private words.', '[]', 'virtual', '',"
            " 'completed', '2025-01-05 10:00:00', '2025-09-01 10:00:00')"
        )
        run("INSERT INTO exchange_request_themes (request_id, theme_id) VALUES (7, 1)")
        for status, day in (("in_progress", "2025-02-01"), ("completed", "2026-03-01")):
            run(
                "INSERT INTO exchange_request_history (request_id, to_status, note, created_at) "
                f"VALUES (7, '{status}', '', '{day} 10:00:00')"
            )
        run(
            "INSERT INTO match_proposals (request_id, mentor_city_id, score, rank, breakdown, "
            "facts, status, created_at) VALUES (7, 2, 0.5, 1, '{}', '{}', 'accepted', "
            "'2025-01-06 10:00:00')"
        )
    flask("db", "upgrade")
    with empty_app.app_context():
        (record,) = db.session.scalars(sa.select(Exchange)).all()
        assert (record.request_id, record.slug, record.started, record.ended) == (
            7,
            "saida-oslo-2026",
            2025,
            2026,
        )
        assert record.titles["en"] == "Oslo and Saida: a peer exchange"
        assert record.summaries["en"].startswith(
            "Saida asked the network for a peer city on Youth."
        )
        assert [(p.side, p.city.slug) for p in record.participants] == [
            ("mentor", "oslo"),
            ("learner", "saida"),
        ]
        assert [t.slug for t in record.themes] == ["youth"]
        mentor_id = db.session.scalar(sa.select(City.id).filter_by(slug="oslo"))
        assert (mentor_id, ["youth"], None) in network.completed_exchanges()
        db.session.remove()
        db.engine.dispose()
    flask("db", "downgrade", "7c3e1f20a9d4")  # takes the record back with the link
    with empty_app.app_context():
        assert db.session.execute(sa.text("SELECT count(*) FROM exchanges")).scalar() == 0
        db.session.remove()
        db.engine.dispose()
    flask("db", "upgrade")
    with empty_app.app_context():
        assert db.session.scalar(sa.select(Exchange.request_id)) == 7
        db.session.remove()
        db.engine.dispose()


def test_a_content_file_does_not_overwrite_an_exchange_completed_in_the_hub(site, tmp_path):
    request_id = completed(site)
    runner = site.test_cli_runner()
    assert runner.invoke(args=["content", "export", str(tmp_path / "out")]).exit_code == 0
    with site.app_context():
        slug = db.session.scalar(sa.select(Exchange.slug).filter_by(request_id=request_id))
    path = tmp_path / "out" / "exchanges" / f"{slug}.md"
    path.write_text(path.read_text().replace(TITLE, "A title from a file"))

    result = runner.invoke(args=["content", "load", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    assert f"{slug}.md: changed in the hub since" in result.output
    assert "not overwritten" in result.output
    page = site.test_client().get("/en/cities/zanzibar").get_data(as_text=True)
    assert TITLE in page and "A title from a file" not in page
