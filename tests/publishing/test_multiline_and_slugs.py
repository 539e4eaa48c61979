"""What a browser sends is saved as typed: multi-line text (CRLF) in cases, webinars and
translations; titles in any script give readable slugs; new records are drafts."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from hub.extensions import db
from hub.publishing import operations as publishing
from hub.publishing.models import CaseStudy, Webinar
from hub.publishing.states import PublicationState
from tests.publishing.conftest import case_form, signed_in

# What a browser's textarea sends: every line ends in CRLF.
SUMMARY = "Young people advise the county.\r\nThey meet every month."
BODY = "## How it started\r\n\r\nCouncils meet **monthly**.\r\n\r\nThey report to the county."
LIST = "- Set up councils.\r\n- Trained the members."


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def stored_case(app, slug):
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug=slug))
        original = case.original
        return case.id, original.summary, original.body, original.what_was_done


def test_a_multi_line_case_saves_from_the_browser_with_lf(site):
    staff = signed_in(site)
    form = case_form(summary=SUMMARY, body=BODY, what_was_done=LIST)
    assert staff.post("/en/publishing/cases/new", data=form).status_code == 302
    case_id, summary, body, done = stored_case(site, "youth-councils-in-mombasa")
    assert (summary, body, done) == (lf(SUMMARY), lf(BODY), lf(LIST))

    # Saved again unchanged, as the browser sends it back: nothing changes.
    again = staff.post(f"/en/publishing/cases/{case_id}", data=form)
    assert again.status_code == 302
    assert stored_case(site, "youth-councils-in-mombasa")[1:] == (lf(SUMMARY), lf(BODY), lf(LIST))

    staff.post(
        f"/en/publishing/case/{case_id}/state", data={"action": "publish", "confirmed": "yes"}
    )
    page = site.test_client().get("/en/cases/youth-councils-in-mombasa").get_data(as_text=True)
    assert "<p>Councils meet <strong>monthly</strong>.</p>" in page
    assert "<p>They report to the county.</p>" in page


def test_an_unchanged_content_case_saves_from_the_browser(site):
    """A case of content/ with multi-line texts, sent back as a browser sends its form."""
    with site.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="mombasa-county-action-plan"))
        front, body = publishing.export(case)
        case_id = case.id
    assert "\n" in body
    form = {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for name, value in front.items()
        if name in case_form()
    }
    form.update(body=body.replace("\n", "\r\n"), action="save", published=str(front["published"]))
    staff = signed_in(site)
    assert staff.post(f"/en/publishing/cases/{case_id}", data=form).status_code == 302
    with site.app_context():
        case = db.session.get(CaseStudy, case_id)
        assert publishing.export(case) == (front, body)


def test_a_multi_line_webinar_and_translation_save_from_the_browser(site):
    staff = signed_in(site)
    form = {
        "title": "Listening to young people",
        "summary": SUMMARY,
        "date": "2026-02-03",
        "timezone": "Africa/Nairobi",
        "date_precision": "day",
        "format": "online",
        "organizers": "Strong Cities Network\r\nMombasa County",
        "themes": ["youth"],
        "speakers": "Amina Said | Youth officer | mombasa\r\nJo Berg | Researcher",
        "takeaways": "Listen first | Ask before acting.\r\nFollow up | Say what changed.",
        "published": "2026-02-10",
        "body": BODY,
        "action": "save",
    }
    assert staff.post("/en/publishing/webinars/new", data=form).status_code == 302
    with site.app_context():
        webinar = db.session.scalar(sa.select(Webinar).filter_by(slug="listening-to-young-people"))
        assert (webinar.original.summary, webinar.original.body) == (lf(SUMMARY), lf(BODY))
        assert webinar.organizers == ["Strong Cities Network", "Mombasa County"]
        assert len(webinar.original.takeaways) == 2
        webinar_id = webinar.id

    translation = {
        "language": "fr",
        "title": "Écouter les jeunes",
        "summary": "Une conversation.\r\nEn deux lignes.",
        "speakers": "Amina Said | Responsable jeunesse\r\nJo Berg | Chercheur",
        "takeaways": "Écouter d'abord | Demander.\r\nSuivre | Dire ce qui a changé.",
        "body": "Premier paragraphe.\r\n\r\nSecond paragraphe.",
        "action": "save",
    }
    url = f"/en/publishing/webinar/{webinar_id}/translations/new"
    assert staff.post(url, data=translation).status_code == 302
    edit = f"/en/publishing/webinar/{webinar_id}/translations/fr"
    assert staff.post(edit, data=translation).status_code == 302  # unchanged, saved again
    with site.app_context():
        french = db.session.get(Webinar, webinar_id).text_in("fr")
        assert french.summary == "Une conversation.\nEn deux lignes."
        assert french.body == "Premier paragraphe.\n\nSecond paragraphe."


def test_a_title_in_arabic_gets_a_readable_latin_slug(site):
    staff = signed_in(site)
    form = case_form(title="مجالس الشباب في صيدا")
    assert staff.post("/en/publishing/cases/new", data=form).status_code == 302
    assert staff.post("/en/publishing/cases/new", data=form).status_code == 302
    with site.app_context():
        slugs = db.session.scalars(
            sa.select(CaseStudy.slug).filter(CaseStudy.state == PublicationState.draft)
        ).all()
    first, second = sorted(slugs)
    assert re.fullmatch(r"[a-z]+(-[a-z]+){2,}", first), first  # words, not "case-2"
    assert second == f"{first}-2"


def test_a_new_record_is_a_draft_unless_someone_publishes_it(app):
    with app.app_context():
        case = CaseStudy(
            slug="x",
            original_language="en",
            status="ongoing",
            evidence_level="none",
            published_on=date(2026, 1, 1),
        )
        db.session.add(case)
        db.session.flush()
        assert case.state == PublicationState.draft
        assert not case.is_published
        db.session.rollback()


def test_a_step_the_state_does_not_allow_is_refused_and_explained(site):
    staff = signed_in(site)
    staff.post("/en/publishing/cases/new", data=case_form())
    case_id = stored_case(site, "youth-councils-in-mombasa")[0]
    url = f"/en/publishing/case/{case_id}/state"
    assert staff.post(url, data={"action": "publish", "confirmed": "yes"}).status_code == 303
    twice = staff.post(url, data={"action": "publish", "confirmed": "yes"})  # a second click
    assert twice.status_code == 303
    page = staff.get(twice.headers["Location"]).get_data(as_text=True)
    assert "The record is Published already." in page
    unknown = staff.post(url, data={"action": "delete", "confirmed": "yes"})
    assert unknown.status_code == 303
    assert "Choose publish, unpublish or archive." in staff.get("/en/publishing/").get_data(
        as_text=True
    )
    # The dashboard offers only the steps the state allows.
    form = staff.get(f"/en/publishing/cases/{case_id}").get_data(as_text=True)
    assert 'value="publish"' not in form
    assert 'value="unpublish"' in form and 'value="archive"' in form
