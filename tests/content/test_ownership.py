"""Who owns a record: `content load` keeps what people changed in the hub since the last load,
reports it, and overwrites it only when forced, in the audit log."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.audit import AuditAction, AuditEvent
from hub.cities.models import City
from hub.content import files as content_files
from hub.content.models import ContentStamp
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar
from tests.conftest import CONTENT, app_with_people

CASE = "mombasa-county-action-plan"
CASE_FILE = CONTENT / f"cases/{CASE}.en.md"
TOTAL = len(content_files.content_files(CONTENT))  # FORMAT.md and the site's pages are no records
SINCE = r"since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"


@pytest.fixture
def hub(database):
    """The hub with `content/` loaded (and stamped), its people, and a staff API token."""
    app = app_with_people(database)
    with app.app_context():
        staff = db.session.scalar(sa.select(User).filter_by(email="staff@example.org"))
        app.config["test_token"] = accounts.issue_token(staff)
        db.session.commit()
    return app


def api(app, method: str, path: str, **json):
    """A staff call to the publishing API, sending back the ETag the hub gave, if any."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {app.config['test_token']}"}
    etag = client.get(path, headers=headers).headers.get("ETag")
    if etag:
        headers["If-Match"] = etag
    response = client.open(path, method=method, json=json or None, headers=headers)
    assert response.status_code in (200, 201, 204), response.get_data(as_text=True)
    return response


def record_id(app, model, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(model.id).filter_by(slug=slug))


def case_title(app, slug: str = CASE) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(CaseStudy).filter_by(slug=slug)).original.title


def load(app, path: Path = CONTENT, *options: str):
    result = app.test_cli_runner().invoke(args=["content", "load", *options, str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def overwrites(app) -> list[AuditEvent]:
    with app.app_context():
        stmt = sa.select(AuditEvent).filter_by(action=AuditAction.content_overwritten)
        return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def test_an_edit_in_the_api_survives_content_load_and_is_reported(hub):
    case_id = record_id(hub, CaseStudy, CASE)
    api(hub, "PATCH", f"/api/v1/cases/{case_id}", title="Retitled by staff in the hub")

    output = load(hub)

    assert re.search(rf"^{CASE_FILE}: changed in the hub {SINCE}, not overwritten$", output, re.M)
    assert f"0 created, 0 updated, {TOTAL - 1} unchanged, 0 with errors" in output
    assert "1 kept as the hub holds them" in output
    assert case_title(hub) == "Retitled by staff in the hub"
    # Loading again changes nothing and says the same.
    assert load(hub) == output
    assert overwrites(hub) == []


def test_a_state_changed_in_the_hub_is_not_undone_by_a_load(hub):
    slug = "world-bank-fragility-forum-2022"
    webinar_id = record_id(hub, Webinar, slug)
    api(hub, "PATCH", f"/api/v1/webinars/{webinar_id}", state="archived")

    output = load(hub)

    assert f"{CONTENT}/webinars/{slug}.en.md: changed in the hub since" in output
    with hub.app_context():
        assert db.session.get(Webinar, webinar_id).state == "archived"
    assert hub.test_client().get(f"/en/webinars/{slug}").status_code == 404


def test_force_overwrites_and_the_audit_log_names_the_record_and_how(hub):
    case_id = record_id(hub, CaseStudy, CASE)
    api(hub, "PATCH", f"/api/v1/cases/{case_id}", title="Retitled by staff in the hub")

    output = load(hub, CONTENT, "--force")

    line = rf"^{CASE_FILE}: changed in the hub {SINCE}, overwritten \(see the audit log\)$"
    assert re.search(line, output, re.M), output
    assert case_title(hub) != "Retitled by staff in the hub"
    [event] = overwrites(hub)
    assert event.target == f"case:{case_id}"
    assert event.before["record"] == f"case {CASE} (en)"
    assert event.after["file"] == str(CASE_FILE)
    assert event.after["by"].startswith("content load --force (")
    # The file owns the record again: the next load finds nothing to do.
    assert f"0 updated, {TOTAL} unchanged" in load(hub)


def test_the_files_still_load_around_a_record_changed_in_the_hub(hub, tmp_path):
    folder = shutil.copytree(CONTENT, tmp_path / "content")
    case_id = record_id(hub, CaseStudy, CASE)
    api(hub, "PATCH", f"/api/v1/cases/{case_id}", summary="Summarized in the hub.")
    for name in (f"cases/{CASE}.en.md", "cases/saida-local-prevention-network.en.md"):
        path = folder / name
        path.write_text(path.read_text().replace("title: ", "title: Edited ", 1))

    output = load(hub, folder)

    assert f"updated: {folder}/cases/saida-local-prevention-network.en.md" in output
    assert f"{folder}/cases/{CASE}.en.md: changed in the hub since" in output
    assert case_title(hub, "saida-local-prevention-network").startswith("Edited ")
    assert not case_title(hub).startswith("Edited ")


def test_an_export_brings_hub_edits_into_the_files_which_own_the_record_again(hub, tmp_path):
    case_id = record_id(hub, CaseStudy, CASE)
    api(hub, "PATCH", f"/api/v1/cases/{case_id}", title="Retitled by staff in the hub")
    runner = hub.test_cli_runner()
    assert runner.invoke(args=["content", "export", str(tmp_path / "out")]).exit_code == 0
    exported = tmp_path / f"out/cases/{CASE}.en.md"
    assert "title: Retitled by staff in the hub\n" in exported.read_text()

    assert f"0 updated, {TOTAL} unchanged" in load(hub, tmp_path / "out")
    exported.write_text(exported.read_text().replace("by staff in the hub", "in the file"))
    assert f"updated: {exported}" in load(hub, tmp_path / "out")
    assert case_title(hub) == "Retitled in the file"


def test_a_record_deleted_in_the_hub_is_not_loaded_again_unless_forced(hub):
    case_id = record_id(hub, CaseStudy, CASE)
    api(hub, "DELETE", f"/api/v1/cases/{case_id}")

    output = load(hub)

    for language in ("en", "ar", "fr", "es"):
        path = CONTENT / f"cases/{CASE}.{language}.md"
        assert f"{path}: deleted in the hub since" in output
    assert "0 with errors" in output and "4 kept" in output
    assert record_id(hub, CaseStudy, CASE) is None

    forced = load(hub, CONTENT, "--force")
    assert f"{CASE_FILE}: deleted in the hub since" in forced and "loaded again" in forced
    assert record_id(hub, CaseStudy, CASE) is not None
    assert [event.after["file"] for event in overwrites(hub)][0] == str(CASE_FILE)


def test_a_record_made_in_the_hub_is_not_replaced_by_a_file_of_the_same_slug(hub, tmp_path):
    api(
        hub,
        "POST",
        "/api/v1/cases",
        slug="youth-in-the-hub",
        title="Made in the hub",
        summary="Staff wrote it.",
        themes=["youth"],
        status="ongoing",
        evidence_level="none",
        published="2026-03-01",
    )
    text = CASE_FILE.read_text().replace(f"slug: {CASE}\n", "slug: youth-in-the-hub\n")
    (tmp_path / "c").mkdir()
    (tmp_path / "c/youth-in-the-hub.en.md").write_text(text)

    output = load(hub, tmp_path / "c")

    assert f"{tmp_path}/c/youth-in-the-hub.en.md: changed in the hub since" in output
    assert case_title(hub, "youth-in-the-hub") == "Made in the hub"


def test_records_loaded_before_stamps_existed_follow_the_audit_log(hub, tmp_path):
    """A hub upgraded from before stamps: a record with an audit event was changed in the hub."""
    folder = shutil.copytree(CONTENT, tmp_path / "content")
    oslo = folder / "cities/oslo.md"
    oslo.write_text(oslo.read_text().replace("name: Oslo\n", "name: Oslo kommune\n"))
    case_id = record_id(hub, CaseStudy, CASE)
    api(hub, "PATCH", f"/api/v1/cases/{case_id}", title="Retitled by staff in the hub")
    with hub.app_context():
        db.session.execute(sa.delete(ContentStamp))
        db.session.commit()

    output = load(hub, folder)

    assert f"updated: {oslo}" in output
    assert f"{folder}/cases/{CASE}.en.md: changed in the hub since" in output
    with hub.app_context():
        assert db.session.scalar(sa.select(City.name).filter_by(slug="oslo")) == "Oslo kommune"
        assert db.session.scalar(sa.select(sa.func.count(ContentStamp.id))) == TOTAL - 1


def test_a_bad_value_in_the_database_is_reported_by_record_and_stops_nothing(hub):
    with hub.app_context():
        city = db.session.scalar(sa.select(City).filter_by(slug="mombasa"))
        city.summaries = {"fr": "Résumé sans version anglaise"}  # no English: files refuse it
        webinar = db.session.scalar(
            sa.select(Webinar).filter_by(slug="world-bank-fragility-forum-2022")
        )
        webinar.speakers[0].names = None  # not even a mapping
        db.session.commit()
    runner = hub.test_cli_runner()

    result = runner.invoke(args=["content", "load", str(CONTENT)])

    assert result.exit_code == 0, result.output
    assert "warning: city mombasa: summaries: Give an English (en) value." in result.output
    assert "warning: webinar world-bank-fragility-forum-2022 (en): It cannot be read back" in (
        result.output
    )
    assert f"{CONTENT}/cities/mombasa.md: changed in the hub since" in result.output
    assert "0 with errors" in result.output
    assert hub.test_client().get("/en/cities/mombasa").status_code == 200

    forced = runner.invoke(args=["content", "load", "--force", str(CONTENT)])
    assert forced.exit_code == 0, forced.output
    with hub.app_context():
        city = db.session.scalar(sa.select(City).filter_by(slug="mombasa"))
        assert city.summaries["en"].startswith("Mombasa County in Kenya")
    assert "warning" not in load(hub)
