"""Members write to a city's focal point through the hub: the mail goes out with Reply-To the
member, the focal point's address stays hidden, and sending is rate-limited and audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.audit import AuditAction, AuditEvent
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.conftest import app_with_people, signed_in

MESSAGE = {"subject": "Your county action plan", "message": "Could we talk about the wards?"}


@pytest.fixture
def site(database):
    return app_with_people(database, WTF_CSRF_ENABLED=False)


def messages(app) -> list[MailMessage]:
    with app.app_context():
        return list(db.session.scalars(sa.select(MailMessage)))


def test_a_member_writes_to_a_focal_point_whose_address_stays_hidden(site):
    member = signed_in(site, "practitioner")
    city_page = member.get("/en/cities/mombasa").get_data(as_text=True)
    assert "/en/cities/mombasa/contact" in city_page
    form = member.get("/en/cities/mombasa/contact").get_data(as_text=True)
    assert "mombasa@example.org" not in form
    answer = member.post("/en/cities/mombasa/contact", data=MESSAGE)
    assert answer.status_code == 303
    shown = member.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Your message is on its way" in shown and "mombasa@example.org" not in shown
    [relayed] = messages(site)
    assert relayed.recipient == "mombasa@example.org"
    assert relayed.reply_to == "practitioner@example.org"
    assert "Your county action plan" in relayed.subject
    assert "Could we talk about the wards?" in relayed.body
    with site.app_context():
        event = db.session.scalar(
            sa.select(AuditEvent).filter_by(action=AuditAction.city_contacted)
        )
    assert event.after == {"recipients": 1, "characters": len(MESSAGE["message"])}
    assert "wards" not in str(event.after)  # the log says that, not what


def test_a_city_without_a_focal_point_says_so_clearly(site):
    member = signed_in(site, "practitioner")
    page = member.get("/en/cities/berlin/contact")
    assert page.status_code == 200
    assert "Berlin has no focal point on the hub yet" in page.get_data(as_text=True)
    answer = member.post("/en/cities/berlin/contact", data=MESSAGE)
    assert answer.status_code == 409
    assert "Berlin has no focal point on the hub yet" in answer.get_data(as_text=True)
    assert messages(site) == []


def test_bad_messages_are_named_by_label_and_nothing_is_sent(site):
    member = signed_in(site, "practitioner")
    answer = member.post("/en/cities/mombasa/contact", data={"subject": "", "message": " "})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Subject</a>: This field is required." in page
    assert "Message</a>: This field is required." in page
    assert messages(site) == []


def test_anonymous_readers_are_asked_to_sign_in(site):
    answer = site.test_client().post("/en/cities/mombasa/contact", data=MESSAGE)
    assert answer.status_code == 302 and "/en/login" in answer.headers["Location"]
    assert messages(site) == []


def test_sending_is_rate_limited_per_member(site):
    member = signed_in(site, "practitioner")
    for _ in range(5):
        assert member.post("/en/cities/mombasa/contact", data=MESSAGE).status_code == 303
    assert member.post("/en/cities/zanzibar/contact", data=MESSAGE).status_code == 429
    # Another member is not held back by the first one's messages.
    assert (
        signed_in(site, "staff").post("/en/cities/zanzibar/contact", data=MESSAGE).status_code
        == 303
    )
    assert len(messages(site)) == 6
