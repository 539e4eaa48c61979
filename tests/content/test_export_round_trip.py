"""`content export` is faithful: every record, drafts and archived ones, with its publication state
and its translations' provenance, comes back the same from an export loaded into an empty hub."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from hub.cities.models import City
from hub.extensions import db
from hub.publishing import operations as publishing
from hub.publishing.models import CaseStudy, Webinar
from hub.publishing.states import PublicationState
from tests.conftest import Database, copy_of, make_app


def files_in(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.md"))}


def publication(app) -> dict:
    """Each case's and webinar's state, and each language version's provenance."""
    with app.app_context():
        found = {}
        for model in (CaseStudy, Webinar):
            for record in db.session.scalars(sa.select(model)):
                found[record.slug] = (
                    str(record.state),
                    record.original_language,
                    {text.language: text.machine_translated for text in record.texts},
                )
        return found


def change_in_the_hub(app) -> None:
    """What people do in the hub that a content file must carry: drafts, archived records,
    translations made by machine or by people, a multi-line city summary."""
    with app.app_context():
        case = publishing.create_record(
            "case",
            {
                "title": "Street mediators",
                "summary": "Mediators walk the old town at night.",
                "lead_city": "mombasa",
                "themes": ["youth", "social-cohesion"],
                "status": "ongoing",
                "evidence_level": "monitored",
                "published": date(2026, 11, 2),
                "what_was_done": "- Trained twelve mediators.\n- Walked every Friday.",
            },
            "Mediators **listen** first.\n\nThen they talk.",
            None,
        )  # a draft: nobody has published it
        publishing.add_translation(
            case,
            "fr",
            {"title": "Médiateurs de rue", "summary": "Des médiateurs la nuit."},
            "Les médiateurs **écoutent**.",
            machine_translated=True,
            actor=None,
        )
        publishing.add_translation(
            case,
            "ar",
            {"title": "وسطاء الشوارع", "summary": "وسطاء يجوبون المدينة ليلا."},
            "",
            machine_translated=False,
            actor=None,
        )
        archived = db.session.scalar(sa.select(Webinar).order_by(Webinar.slug))
        publishing.set_state(archived, PublicationState.archived, None)
        unpublished = db.session.scalar(
            sa.select(CaseStudy).filter_by(slug="saida-local-prevention-network")
        )
        publishing.set_state(unpublished, PublicationState.draft, None)
        oslo = db.session.scalar(sa.select(City).filter_by(slug="oslo"))
        oslo.summaries = {**oslo.summaries, "en": "Oslo trains teachers.\n\nIt also funds clubs."}
        db.session.commit()


def test_export_load_into_an_empty_hub_export_again_is_identical(database, tmp_path):
    hub = make_app(copy_of(database, "content"))
    change_in_the_hub(hub)
    first, second = tmp_path / "first", tmp_path / "second"
    result = hub.test_cli_runner().invoke(args=["content", "export", str(first)])
    assert result.exit_code == 0, result.output
    assert "state: draft\n" in (first / "cases/street-mediators.en.md").read_text()
    assert "machine_translated: true\n" in (first / "cases/street-mediators.fr.md").read_text()

    empty_database = copy_of(Database(database.backend, tmp_path / "empty"), "schema")
    empty = make_app(empty_database)
    try:
        runner = empty.test_cli_runner()
        loaded = runner.invoke(args=["content", "load", str(first)])
        assert loaded.exit_code == 0, loaded.output
        assert " 0 updated, 0 unchanged, 0 with errors" in loaded.output
        assert runner.invoke(args=["content", "export", str(second)]).exit_code == 0

        assert files_in(second) == files_in(first)
        states = publication(empty)
        assert states == publication(hub)
        assert states["street-mediators"] == (
            "draft",
            "en",
            {"ar": False, "en": False, "fr": True},
        )
        assert states["saida-local-prevention-network"][0] == "draft"
        assert "archived" in {state for state, _, _ in states.values()}
    finally:
        empty_database.drop()


def test_an_export_loaded_into_the_same_hub_changes_nothing(database, tmp_path):
    hub = make_app(copy_of(database, "content"))
    change_in_the_hub(hub)
    runner = hub.test_cli_runner()
    assert runner.invoke(args=["content", "export", str(tmp_path / "out")]).exit_code == 0
    before = publication(hub)

    result = runner.invoke(args=["content", "load", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.output and "kept" not in result.output
    assert publication(hub) == before


def test_a_record_that_cannot_be_read_back_is_reported_not_crashed_on(database, tmp_path):
    hub = make_app(copy_of(database, "content"))
    with hub.app_context():
        webinar = db.session.scalar(sa.select(Webinar).filter(Webinar.speakers.any()))
        webinar.speakers[0].names = None
        city = db.session.scalar(sa.select(City).filter_by(slug="oslo"))
        city.summaries = {"fr": "Sans anglais"}
        slug = webinar.slug
        db.session.commit()

    result = hub.test_cli_runner().invoke(args=["content", "export", str(tmp_path / "out")])

    assert result.exit_code == 1
    assert f"error: webinar {slug} (en): It cannot be read back" in result.output
    assert "warning: city oslo: summaries: Give an English (en) value." in result.output
    assert (tmp_path / "out/cities/oslo.md").exists()
    assert not (tmp_path / f"out/webinars/{slug}.en.md").exists()
