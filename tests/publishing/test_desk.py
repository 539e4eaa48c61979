"""The publishing desk as staff use it: every problem at once by label, the original language
chosen, text fields in the language edited, checkbox groups, a confirmation before a step, and
the Markdown preview the desk's script asks for."""

from __future__ import annotations

import lxml.html
import pytest
import sqlalchemy as sa

from hub.audit import AuditEvent
from hub.extensions import db
from hub.publishing.models import CaseStudy, Webinar
from hub.types import TEXT_LIMIT
from tests.publishing.conftest import case_form, signed_in

NEW_CASE = "/en/publishing/cases/new"
PREVIEW = "/en/publishing/preview"


def page(answer) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(answer.get_data(as_text=True))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stored(app, slug) -> CaseStudy | None:
    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug=slug))
        if case is not None:
            db.session.expunge_all()
        return case


def case_id(app, slug) -> int:
    return stored(app, slug).id


def flashes(client) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


# Problems ---------------------------------------------------------------------------------------


def test_every_problem_is_listed_at_once_by_label_with_a_link_and_next_to_its_field(site):
    staff = signed_in(site)
    before = count(site, CaseStudy)
    wrong = case_form(title="", summary=" ", themes=[], published="15 January", start_year="1")
    answer = staff.post(NEW_CASE, data=wrong)
    assert answer.status_code == 400
    assert count(site, CaseStudy) == before
    html = page(answer)
    (summary,) = html.xpath("//*[contains(@class, 'error-summary')]")
    assert "error" in summary.classes and "notice" not in summary.classes
    links = {a.text_content(): a.get("href") for a in summary.xpath(".//a")}
    assert links == {
        "Title": "#title",
        "Summary (one paragraph, plain text)": "#summary",
        "Themes (at least one)": "#themes-0",
        "Start year": "#start_year",
        "Published on (YYYY-MM-DD)": "#published",
    }
    assert "title:" not in summary.text_content()  # by label, not by the field's name
    for target in links.values():
        assert html.get_element_by_id(target[1:]) is not None  # each link leads to its field
    for name in ("title", "summary", "themes", "start_year", "published"):
        assert html.get_element_by_id(f"{name}-error").text_content().strip()
    assert html.get_element_by_id("title").get("aria-describedby") == "title-error"
    # What was typed is kept.
    assert html.get_element_by_id("start_year").get("value") == "1"


def test_a_webinar_form_lists_its_problems_by_label_too(site):
    staff = signed_in(site)
    before = count(site, Webinar)
    answer = staff.post("/en/publishing/webinars/new", data={"action": "save", "title": ""})
    assert answer.status_code == 400
    assert count(site, Webinar) == before
    labels = [
        a.text_content() for a in page(answer).xpath("//*[contains(@class, 'error-summary')]//a")
    ]
    assert "Title" in labels and "Themes (at least one)" in labels


# Original language, lang and dir ----------------------------------------------------------------


def test_the_original_language_is_chosen_by_name_and_stored(site):
    staff = signed_in(site)
    form = page(staff.get(NEW_CASE))
    options = {o.get("value"): o.text for o in form.xpath("//select[@id='language']/option")}
    assert options == {"en": "English", "ar": "Arabic", "fr": "French", "es": "Spanish"}

    french = case_form(language="fr", title="Conseils de jeunes à Mombasa", summary="Des jeunes.")
    assert staff.post(NEW_CASE, data=french).status_code == 302
    case = stored(site, "conseils-de-jeunes-a-mombasa")
    assert case.original_language == "fr"
    edit = staff.get(f"/en/publishing/cases/{case.id}")
    html = page(edit)
    assert not html.xpath("//select[@id='language']")  # fixed once the record exists
    assert "Original language: French" in " ".join(html.text_content().split())
    assert html.get_element_by_id("title").get("lang") == "fr"
    # Saving the edit keeps the language.
    edited = case_form(title="Conseils de jeunes", summary="Des jeunes.", language="en")
    assert staff.post(f"/en/publishing/cases/{case.id}", data=edited).status_code == 302
    assert stored(site, "conseils-de-jeunes-a-mombasa").original_language == "fr"


def test_a_language_that_is_not_the_hubs_is_refused(site):
    staff = signed_in(site)
    before = count(site, CaseStudy)
    answer = staff.post(NEW_CASE, data=case_form(language="de"))
    assert answer.status_code == 400
    assert count(site, CaseStudy) == before
    assert (
        "Original language"
        in page(answer).xpath("//*[contains(@class, 'error-summary')]")[0].text_content()
    )


def text_fields(html) -> list:
    desk = "//form[contains(@class, 'desk')]"
    return html.xpath(f"{desk}//textarea | {desk}//input[@type='text']")


def test_text_fields_carry_the_language_edited_and_dir_auto(site):
    staff = signed_in(site)
    new = text_fields(page(staff.get(NEW_CASE)))
    assert new and all((f.get("lang"), f.get("dir")) == ("en", "auto") for f in new)

    refused = staff.post(NEW_CASE, data=case_form(language="ar", title="", summary=""))
    arabic = text_fields(page(refused))
    assert all((f.get("lang"), f.get("dir")) == ("ar", "auto") for f in arabic)

    with site.app_context():
        webinar = db.session.scalars(sa.select(Webinar)).first()
        missing = [code for code in ("ar", "fr", "es") if code not in webinar.languages]
        webinar_id = webinar.id
    code = missing[0]
    url = f"/en/publishing/webinar/{webinar_id}/translations/new?language={code}"
    fields = text_fields(page(staff.get(url)))
    assert fields and all((f.get("lang"), f.get("dir")) == (code, "auto") for f in fields)


# Checkbox groups --------------------------------------------------------------------------------


def test_themes_and_cities_are_checkbox_groups_that_send_the_same_values(site):
    staff = signed_in(site)
    html = page(staff.get(NEW_CASE))
    assert not html.xpath("//select[@multiple]")
    for name, legend in (("themes", "Themes (at least one)"), ("partner_cities", "Partner cities")):
        (group,) = html.xpath(f"//fieldset[.//input[@name='{name}']]")
        assert group.xpath("legend")[0].text_content() == legend
        boxes = group.xpath(f".//input[@name='{name}']")
        assert len(boxes) > 3 and all(box.get("type") == "checkbox" for box in boxes)
        assert all(html.xpath(f"//label[@for='{box.get('id')}']") for box in boxes)

    form = case_form(themes=["youth", "local-action-plans"], partner_cities=["zanzibar", "saida"])
    assert staff.post(NEW_CASE, data=form).status_code == 302
    with site.app_context():
        case = db.session.scalar(sa.select(CaseStudy).filter_by(slug="youth-councils-in-mombasa"))
        assert {theme.slug for theme in case.themes} == {"youth", "local-action-plans"}
        assert {city.slug for city in case.partner_cities} == {"zanzibar", "saida"}
        case_id = case.id
    edit = page(staff.get(f"/en/publishing/cases/{case_id}"))
    checked = {box.get("value") for box in edit.xpath("//input[@name='partner_cities'][@checked]")}
    assert checked == {"zanzibar", "saida"}

    before = count(site, CaseStudy)
    unknown = staff.post(NEW_CASE, data=case_form(themes=["youth", "no-such-theme"]))
    assert unknown.status_code == 400
    assert count(site, CaseStudy) == before


# Confirmation -----------------------------------------------------------------------------------


def state_of(app, record_id) -> str:
    with app.app_context():
        return str(db.session.get(CaseStudy, record_id).state)


def steps_taken(app, record_id) -> list[str]:
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).filter_by(target=f"case:{record_id}"))
        return [event.action for event in events if event.action != "create"]


@pytest.mark.parametrize(
    ("first", "step", "question", "state"),
    [
        ([], "publish", "Publish", "published"),
        (["publish"], "unpublish", "Unpublish", "draft"),
        ([], "archive", "Archive", "archived"),
    ],
)
def test_a_step_is_taken_only_once_confirmed(site, first, step, question, state):
    staff = signed_in(site)
    staff.post(NEW_CASE, data=case_form())
    record = case_id(site, "youth-councils-in-mombasa")
    url = f"/en/publishing/case/{record}/state"
    for earlier in first:
        staff.post(url, data={"action": earlier, "confirmed": "yes"})
    before, taken = state_of(site, record), steps_taken(site, record)

    # The state buttons ask first: they lead to the confirmation page, changing nothing.
    edit = page(staff.get(f"/en/publishing/cases/{record}"))
    (button,) = edit.xpath(f"//button[@value='{step}']")
    assert button.getparent().get("method") == "get"
    asked = staff.get(f"{url}?action={step}&back=edit")
    assert asked.status_code == 200
    assert state_of(site, record) == before
    html = page(asked)
    heading = html.xpath("//h1")[0].text_content()
    assert heading == f"{question} “Youth councils in Mombasa!”?"
    assert (
        html.xpath("//a[contains(@class, 'button')]")[0].get("href")
        == f"/en/publishing/cases/{record}"
    )
    (form,) = html.xpath("//form[contains(@class, 'confirm')]")
    assert form.get("action") == url and form.get("method") == "post"
    sent = {field.get("name"): field.get("value") for field in form.xpath(".//input")}

    # A post without the confirmation changes nothing and leads to the question.
    unasked = staff.post(url, data={"action": step, "back": "edit"})
    assert unasked.status_code == 303
    assert unasked.headers["Location"] == f"{url}?action={step}&back=edit"
    assert (state_of(site, record), steps_taken(site, record)) == (before, taken)

    confirmed = staff.post(url, data=sent)
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] == f"/en/publishing/cases/{record}"
    assert state_of(site, record) == state
    assert steps_taken(site, record) == [*taken, step]
    assert flashes(staff)[-1][0] == "success"


def test_the_confirmation_page_refuses_a_step_that_cannot_be_taken(site):
    staff = signed_in(site)
    staff.post(NEW_CASE, data=case_form())
    record = case_id(site, "youth-councils-in-mombasa")
    answer = staff.get(f"/en/publishing/case/{record}/state?action=delete")
    assert answer.status_code == 303
    assert flashes(staff)[-1] == ("error", "Choose publish, unpublish or archive.")
    refused = staff.get(f"/en/publishing/case/{record}/state?action=unpublish&back=edit")
    assert refused.headers["Location"] == f"/en/publishing/cases/{record}"
    assert flashes(staff)[-1] == ("error", "The record is Draft already.")
    assert state_of(site, record) == "draft"


def test_a_save_is_flashed_as_a_success(site):
    staff = signed_in(site)
    assert staff.post(NEW_CASE, data=case_form()).status_code == 302
    assert flashes(staff)[-1] == ("success", "Saved.")


# Previews ---------------------------------------------------------------------------------------


def test_the_preview_button_renders_every_markdown_field(site):
    staff = signed_in(site)
    typed = case_form(action="preview", results="**Forty** members.", transferability="*Any*")
    html = staff.post(NEW_CASE, data=typed).get_data(as_text=True)
    assert "<strong>Forty</strong> members." in html and "<em>Any</em>" in html
    assert "Councils meet <strong>monthly</strong>." in html


def test_the_preview_endpoint_renders_sanitized_markdown_for_staff(site):
    staff = signed_in(site)
    text = "## Plan\n\n*Monthly* [link](javascript:alert(1)) <script>alert(1)</script>"
    answer = staff.post(PREVIEW, data={"text": text})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "<h2>Plan</h2>" in html and "<em>Monthly</em>" in html
    assert "<script" not in html and "javascript:" not in html
    assert staff.post(PREVIEW, data={"text": ""}).get_data(as_text=True) == ""


def test_only_staff_may_ask_for_a_preview(site):
    anonymous = site.test_client().post(PREVIEW, data={"text": "*x*"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    member = signed_in(site, "ana@example.org").post(PREVIEW, data={"text": "*x*"})
    assert member.status_code == 403
    assert "<em>" not in member.get_data(as_text=True)


def test_a_preview_too_long_is_refused(site):
    staff = signed_in(site)
    too_long = staff.post(PREVIEW, data={"text": "a" * (TEXT_LIMIT + 1)})
    assert too_long.status_code == 400
    assert too_long.get_data(as_text=True).startswith('<p class="preview-problem">')
    assert "<p>a" not in too_long.get_data(as_text=True)
    too_large = staff.post(PREVIEW, data={"text": "a" * (3 * 1024 * 1024)})
    assert too_large.status_code == 413
