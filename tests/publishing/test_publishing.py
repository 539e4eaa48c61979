"""Staff publishing in the browser, translations, and readers' reports of translation problems."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hub import search
from hub.audit import AuditEvent
from hub.extensions import db
from hub.publishing.models import CaseStudy, TranslationReport, Webinar
from hub.search import indexer
from tests.publishing.conftest import STAFF_EMAIL, case_form, signed_in


def query(app, statement):
    with app.app_context():
        return list(db.session.scalars(statement))


def the_case(app, slug):
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug=slug))
        return (case.id, case.state, case.original.title) if case else None


def audit_actions(app, target):
    events = query(app, sa.select(AuditEvent).filter_by(target=target).order_by(AuditEvent.id))
    return [event.action for event in events]


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_case_goes_from_draft_to_published_to_archived(site):
    staff, reader = signed_in(site), site.test_client()
    assert "Youth councils" not in staff.get("/en/publishing/").get_data(as_text=True)
    page = staff.get("/en/publishing/cases/new")
    assert page.status_code == 200
    assert 'name="themes"' in page.get_data(as_text=True)
    before = count(site, CaseStudy)

    preview = staff.post("/en/publishing/cases/new", data=case_form(action="preview"))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Councils meet <strong>monthly</strong>." in html
    assert "Young people advise the county." in html  # the typed values are still there
    assert count(site, CaseStudy) == before  # a preview saves nothing

    saved = staff.post("/en/publishing/cases/new", data=case_form())
    assert saved.status_code == 302
    case_id, state, title = the_case(site, "youth-councils-in-mombasa")
    assert (state, title) == ("draft", "Youth councils in Mombasa!")
    assert saved.headers["Location"].endswith(f"/en/publishing/cases/{case_id}")
    # A draft does not exist for the public: 404, not 403.
    assert reader.get("/en/cases/youth-councils-in-mombasa").status_code == 404
    assert reader.get(f"/api/v1/cases/{case_id}").status_code == 404

    publish = staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "publish", "confirmed": "yes"}
    )
    assert publish.status_code == 303
    public = reader.get("/en/cases/youth-councils-in-mombasa")
    assert public.status_code == 200
    assert "Councils meet <strong>monthly</strong>." in public.get_data(as_text=True)
    assert reader.get(f"/api/v1/cases/{case_id}").status_code == 200
    with site.app_context():
        indexer.sync(search.store())
    found = reader.get("/en/search?q=councils").get_data(as_text=True)
    assert "Youth councils in Mombasa!" in found

    staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "unpublish", "confirmed": "yes"}
    )
    assert the_case(site, "youth-councils-in-mombasa")[1] == "draft"
    assert reader.get("/en/cases/youth-councils-in-mombasa").status_code == 404
    staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "archive", "confirmed": "yes"}
    )
    assert the_case(site, "youth-councils-in-mombasa")[1] == "archived"
    assert reader.get("/en/cases/youth-councils-in-mombasa").status_code == 404
    assert reader.get(f"/api/v1/cases/{case_id}").status_code == 404
    with site.app_context():
        indexer.sync(search.store())
    assert "Youth councils" not in reader.get("/en/search?q=councils").get_data(as_text=True)

    target = f"case:{case_id}"
    assert audit_actions(site, target) == ["create", "publish", "unpublish", "archive"]
    with site.app_context():
        publish_event = db.session.scalar(sa.select(AuditEvent).filter_by(action="publish"))
        assert publish_event.before == {"state": "draft", "title": "Youth councils in Mombasa!"}
        assert publish_event.after["state"] == "published"
        assert publish_event.actor.email == STAFF_EMAIL


def test_slugs_are_unique_and_editing_keeps_the_state(site):
    staff = signed_in(site)
    staff.post("/en/publishing/cases/new", data=case_form())
    staff.post("/en/publishing/cases/new", data=case_form())
    assert the_case(site, "youth-councils-in-mombasa-2") is not None
    case_id = the_case(site, "youth-councils-in-mombasa")[0]
    staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "publish", "confirmed": "yes"}
    )

    form = staff.get(f"/en/publishing/cases/{case_id}").get_data(as_text=True)
    assert "Young people advise the county." in form
    assert re.search(r'<input checked id="partner_cities-\d+" [^>]*value="zanzibar">', form)
    edited = staff.post(
        f"/en/publishing/cases/{case_id}", data=case_form(title="Youth councils", start_year="")
    )
    assert edited.status_code == 302
    assert the_case(site, "youth-councils-in-mombasa")[1:] == ("published", "Youth councils")
    with site.app_context():
        case = db.session.get(CaseStudy, case_id)
        assert case.start_year is None and case.partner_organizations == []
        event = db.session.scalar(sa.select(AuditEvent).filter_by(action="edit"))
        assert event.target == f"case:{case_id}"
        assert event.after["changed"] == ["start_year", "title"]


@pytest.mark.parametrize(
    "path",
    [
        "/en/publishing/",
        "/en/publishing/cases/new",
        "/en/publishing/webinars/new",
        "/en/publishing/translations/missing",
        "/en/publishing/reports",
    ],
)
def test_only_staff_may_publish(site, path):
    assert signed_in(site, "ana@example.org").get(path).status_code == 403
    assert site.test_client().get(path).status_code == 302  # asked to sign in
    assert signed_in(site).get(path).status_code == 200


def test_a_practitioner_cannot_change_a_record(site):
    with site.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        case_id = case.id
    client = signed_in(site, "ana@example.org")
    assert client.post(f"/en/publishing/cases/{case_id}", data=case_form()).status_code == 403
    refused = client.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "archive", "confirmed": "yes"}
    )
    assert refused.status_code == 403
    assert the_case(site, "mombasa-county-action-plan")[1] == "published"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "x" * 301}, "title", "At most 300 characters."),
        ({"themes": ["no-such-theme"]}, "themes", "&#39;no-such-theme&#39; is not a valid choice"),
        ({"themes": []}, "themes", "This field is required."),
        ({"lead_city": "atlantis"}, "lead_city", "Not a valid choice."),
        ({"start_year": "soon"}, "start_year", "This must be a whole number."),
        ({"start_year": "1066"}, "start_year", "This must be 1900 or more."),
        ({"published": "yesterday"}, "published", "This must be a date (YYYY-MM-DD)."),
        ({"body": "x" * 100_001}, "body", "At most 100000 characters."),
        (
            {"results": "Nul\x00 byte"},
            "results",
            "This text contains characters that cannot be saved.",
        ),
    ],
)
def test_invalid_input_is_explained_next_to_the_field_and_changes_nothing(
    site, changes, field, message
):
    staff = signed_in(site)
    before = count(site, CaseStudy)
    response = staff.post("/en/publishing/cases/new", data=case_form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in html
    assert "Young people advise the county." in html  # nothing typed is lost
    assert count(site, CaseStudy) == before
    assert audit_actions(site, "case:1") == []


def test_markup_in_titles_is_escaped_and_scripts_are_removed(site):
    staff = signed_in(site)
    title = '<img src=x onerror="alert(1)"> Safe streets'
    body = "Hello <script>alert(2)</script> [link](javascript:alert(3))"
    assert (
        staff.post("/en/publishing/cases/new", data=case_form(title=title, body=body)).status_code
        == 302
    )
    case_id = the_case(site, "img-src-x-onerror-alert-1-safe-streets")[0]
    staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "publish", "confirmed": "yes"}
    )
    html = (
        site.test_client()
        .get("/en/cases/img-src-x-onerror-alert-1-safe-streets")
        .get_data(as_text=True)
    )
    assert "&lt;img src=x onerror=" in html
    assert "<img" not in html
    # The one script element is the page's JSON-LD, data that no browser runs.
    assert html.count("<script") == html.count('<script type="application/ld+json">') == 1
    assert "alert(2)" not in html
    assert "javascript:" not in html


def test_webinar_records_are_created_and_edited(site):
    staff = signed_in(site)
    form = {
        "series": "Safe Cities Talks",
        "title": "Listening to young people",
        "summary": "A conversation.",
        "date": "2026-02-03",
        "time": "14:30",
        "timezone": "Africa/Nairobi",
        "date_precision": "minute",
        "format": "hybrid",
        "place": "Mombasa",
        "organizers": "Strong Cities Network\nMombasa County",
        "recording_url": "https://example.org/recording",
        "themes": ["youth"],
        "speakers": "Amina Said | Youth officer | mombasa\nJo Berg | Researcher",
        "takeaways": "Listen first | Ask before acting.",
        "published": "2026-02-10",
        "body": "Notes.",
        "action": "save",
    }
    assert staff.post("/en/publishing/webinars/new", data=form).status_code == 302
    with site.app_context():
        webinar = db.session.scalar(sa.select(Webinar).filter_by(slug="listening-to-young-people"))
        assert webinar.state == "draft"
        assert webinar.organizers == ["Strong Cities Network", "Mombasa County"]
        assert [s.names["en"] for s in webinar.speakers] == ["Amina Said", "Jo Berg"]
        assert webinar.speakers[0].city.slug == "mombasa"
        assert webinar.original.takeaways == [
            {"title": "Listen first", "text": "Ask before acting."}
        ]
        webinar_id = webinar.id
    page = staff.get(f"/en/publishing/webinars/{webinar_id}").get_data(as_text=True)
    assert "Amina Said | Youth officer | mombasa" in page
    bad = staff.post(f"/en/publishing/webinars/{webinar_id}", data={**form, "time": ""})
    assert bad.status_code == 400
    assert "A time is required when date_precision is minute." in bad.get_data(as_text=True)
    edited = staff.post(f"/en/publishing/webinars/{webinar_id}", data={**form, "place": "Online"})
    assert edited.status_code == 302

    new_translation = f"/en/publishing/webinar/{webinar_id}/translations/new?language=ar"
    page = staff.get(new_translation).get_data(as_text=True)
    assert (
        "Amina Said | Youth officer\nJo Berg | Researcher" in page
    )  # the original's, to translate
    translation = {
        "language": "ar",
        "title": "الاستماع إلى الشباب",
        "summary": "حوار.",
        "speakers": "أمينة سعيد | مسؤولة الشباب",
        "takeaways": "استمع أولا | اسأل قبل أن تعمل.",
        "action": "save",
    }
    short = staff.post(new_translation, data=translation)
    assert short.status_code == 400
    assert "List 2 items, as the original does." in short.get_data(as_text=True)
    translation["speakers"] += "\nجو بيرغ | باحث"
    assert staff.post(new_translation, data=translation).status_code == 302
    with site.app_context():
        webinar = db.session.get(Webinar, webinar_id)
        assert webinar.languages == ["ar", "en"]
        assert webinar.speakers[1].names == {"en": "Jo Berg", "ar": "جو بيرغ"}
        assert not webinar.text_in("ar").machine_translated
    assert audit_actions(site, f"webinar:{webinar_id}") == ["create", "edit", "add_translation"]


def test_a_translation_marked_machine_made_is_shown_as_such(site):
    staff = signed_in(site)
    staff.post("/en/publishing/cases/new", data=case_form())
    case_id = the_case(site, "youth-councils-in-mombasa")[0]
    missing = staff.get("/en/publishing/translations/missing").get_data(as_text=True)
    assert f"/en/publishing/case/{case_id}/translations/new?language=fr" in missing

    form = staff.get(f"/en/publishing/case/{case_id}/translations/new?language=fr")
    assert form.status_code == 200
    translation = {
        "language": "fr",
        "title": "Conseils de jeunes à Mombasa",
        "summary": "Les jeunes conseillent le comté.",
        "machine_translated": "on",
        "body": "Les conseils se réunissent **chaque mois**.",
        "action": "save",
    }
    preview = staff.post(
        f"/en/publishing/case/{case_id}/translations/new", data={**translation, "action": "preview"}
    )
    assert "<strong>chaque mois</strong>" in preview.get_data(as_text=True)
    saved = staff.post(f"/en/publishing/case/{case_id}/translations/new", data=translation)
    assert saved.status_code == 302
    again = staff.post(f"/en/publishing/case/{case_id}/translations/new", data=translation)
    assert again.status_code == 400  # the French version exists already
    staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "publish", "confirmed": "yes"}
    )

    reader = site.test_client()
    french = reader.get("/fr/cases/youth-councils-in-mombasa").get_data(as_text=True)
    assert "Conseils de jeunes à Mombasa" in french
    assert "chaque mois" in french
    assert "Signaler un problème dans cette traduction" in french
    english = reader.get("/en/cases/youth-councils-in-mombasa").get_data(as_text=True)
    assert "machine translation" in english
    assert "Report a problem with this translation" not in english  # the original
    missing = staff.get("/en/publishing/translations/missing").get_data(as_text=True)
    assert f"/en/publishing/case/{case_id}/translations/new?language=fr" not in missing
    assert f"/en/publishing/case/{case_id}/translations/new?language=es" in missing

    # Reviewed now: the checkbox left empty.
    reviewed = {**translation, "machine_translated": ""}
    edit_url = f"/en/publishing/case/{case_id}/translations/fr"
    assert 'checked id="machine_translated" name="machine_translated" type="checkbox"' in (
        staff.get(edit_url).get_data(as_text=True)
    )
    assert staff.post(edit_url, data=reviewed).status_code == 302
    french = reader.get("/fr/cases/youth-councils-in-mombasa").get_data(as_text=True)
    assert "translated by machine" not in french
    assert audit_actions(site, f"case:{case_id}") == [
        "create",
        "add_translation",
        "publish",
        "edit",
    ]


def test_a_readers_report_reaches_the_staff_queue(site):
    with site.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        case_id = case.id
    reader = site.test_client()
    page = reader.get("/ar/cases/mombasa-county-action-plan").get_data(as_text=True)
    assert f'action="/ar/reports/case/{case_id}"' in page
    report = {
        "language": "ar",
        "problem": "The second heading is in English.",
        "location": "Results",
    }
    sent = reader.post(f"/ar/reports/case/{case_id}", data=report)
    assert sent.status_code == 303
    assert "/ar/cases/mombasa-county-action-plan" in sent.headers["Location"]
    thanked = reader.get(sent.headers["Location"])
    assert thanked.status_code == 200
    # Thanked in a message that is not an error (base.html: class "flash <kind>").
    thanks = thanked.get_data(as_text=True)
    assert 'class="flash success" role="status"' in thanks or 'class="flash notice"' in thanks

    staff = signed_in(site)
    queue = staff.get("/en/publishing/reports").get_data(as_text=True)
    assert "The second heading is in English." in queue
    report_id = query(site, sa.select(TranslationReport.id))[0]
    resolved = staff.post(f"/en/publishing/reports/{report_id}/resolve")
    assert resolved.status_code == 302
    with site.app_context():
        stored = db.session.get(TranslationReport, report_id)
        assert (stored.kind, stored.record_id, stored.language) == ("case", case_id, "ar")
        assert stored.location == "Results" and stored.resolved
    assert "Mark resolved" not in staff.get("/en/publishing/reports").get_data(as_text=True)
    assert audit_actions(site, f"translation_report:{report_id}") == ["resolve_report"]


def test_bad_reports_are_refused_and_store_nothing(site):
    staff = signed_in(site)
    staff.post("/en/publishing/cases/new", data=case_form())
    draft_id = the_case(site, "youth-councils-in-mombasa")[0]
    case_id = the_case(site, "mombasa-county-action-plan")[0]
    reader = site.test_client()
    good = {"language": "en", "problem": "A typo.", "location": ""}
    for data, status, message in [
        ({**good, "problem": "  "}, 400, "This field is required."),
        ({**good, "problem": "x" * 2001}, 400, "At most 2000 characters."),
        ({**good, "location": "x" * 301}, 400, "At most 300 characters."),
        ({**good, "language": "de"}, 400, "This record has no version in that language."),
    ]:
        response = reader.post(f"/en/reports/case/{case_id}", data=data)
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert message in html
        assert data["problem"].strip()[:50] in html  # what was typed is kept
    assert reader.post(f"/en/reports/case/{draft_id}", data=good).status_code == 404
    assert reader.post("/en/reports/case/999999", data=good).status_code == 404
    assert count(site, TranslationReport) == 0
