"""A way in: a city official asks for access at /join, staff approve or decline it, and the
approval sends the invitation; bots are refused without anything being stored."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa

from hub.accounts import joining
from hub.accounts import operations as accounts
from hub.accounts.models import AccessRequest, AccessStatus, User
from hub.audit import AuditAction, AuditEvent
from hub.extensions import db
from hub.mail.models import MailMessage
from tests.conftest import PASSWORD, app_with_people, signed_in

ASKING = {
    "name": "Amina Odhiambo",
    "email": "Amina@Mombasa.example",
    "city": "Mombasa",
    "position": "Head of the county's prevention office",
    "reason": "We would like to share our county action plan and learn from others.",
}


@pytest.fixture
def site(database):
    app = app_with_people(database, WTF_CSRF_ENABLED=False)
    with app.app_context():
        accounts.create_user("admin@example.org", "admin", PASSWORD)
        db.session.commit()
    return app


def stamp(app, seconds_ago: float) -> str:
    with app.app_context():
        return joining.form_stamp(time.time() - seconds_ago)


def ask(app, client=None, lang: str = "en", seconds_ago: float = 30, **changes):
    client = client or app.test_client()
    data = {**ASKING, "stamp": stamp(app, seconds_ago), "website": "", **changes}
    return client.post(f"/{lang}/join", data=data)


def requests_stored(app) -> list[AccessRequest]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AccessRequest).order_by(AccessRequest.id)))


def mail(app) -> list[MailMessage]:
    with app.app_context():
        return list(db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id)))


def test_an_official_asks_staff_approve_and_the_invitee_signs_in(site):
    page = site.test_client().get("/en/join").get_data(as_text=True)
    assert 'list="member-cities"' in page and '<option value="Mombasa">' in page
    assert ask(site, lang="fr").status_code == 303
    [access] = requests_stored(site)
    assert (access.email, access.status, access.language) == (
        "amina@mombasa.example",
        AccessStatus.pending,
        "fr",
    )
    staff = signed_in(site, "staff")
    listing = staff.get("/en/admin/access-requests").get_data(as_text=True)
    assert "Amina Odhiambo" in listing and "county action plan" in listing
    answer = staff.post(
        f"/en/admin/access-requests/{access.id}/approve",
        data={"role": "focal_point", "city": "mombasa"},
    )
    assert answer.status_code == 303
    [invitation] = mail(site)
    assert invitation.recipient == "amina@mombasa.example"
    assert "Ouvrez ce lien" in invitation.body  # in the language she asked in
    link = re.search(r"http://127.0.0.1:5000(/\S+)", invitation.body)[1]
    newcomer = site.test_client()
    chosen = "a passphrase of her own"
    answer = newcomer.post(link, data={"new_password": chosen, "confirm_password": chosen})
    assert answer.status_code == 302
    signing_in = {"email": "amina@mombasa.example", "password": chosen}
    assert newcomer.post("/en/login", data=signing_in).status_code == 302
    assert "Edit the city profile" in newcomer.get("/en/cities/mombasa").get_data(as_text=True)
    [decided] = requests_stored(site)
    assert decided.status == AccessStatus.approved
    with site.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {AuditAction.access_requested, AuditAction.access_approved} <= actions
    # Decided once: a second approval is refused and mails nobody.
    again = staff.post(
        f"/en/admin/access-requests/{access.id}/approve",
        data={"role": "practitioner", "city": ""},
    )
    assert again.status_code == 303
    assert "decided already" in staff.get("/en/admin/access-requests").get_data(as_text=True)
    assert len(mail(site)) == 1


def test_a_declined_request_gets_a_polite_note_or_nothing(site):
    ask(site)
    ask(site, email="quiet@example.org", city="Atlantis")
    first, second = requests_stored(site)
    assert second.city_id is None and second.city_name == "Atlantis"
    staff = signed_in(site, "staff")
    note = {"notify": "y", "note": "Your city may join the network first."}
    assert staff.post(f"/en/admin/access-requests/{first.id}/decline", data=note).status_code == 303
    assert staff.post(f"/en/admin/access-requests/{second.id}/decline", data={}).status_code == 303
    [message] = mail(site)
    assert message.recipient == "amina@mombasa.example"
    assert (
        "Thank you for your interest" in message.body and "join the network first" in message.body
    )
    assert [r.status for r in requests_stored(site)] == [AccessStatus.declined] * 2
    with site.app_context():
        assert accounts.find_user("amina@mombasa.example") is None


def test_asking_twice_while_waiting_updates_the_one_request(site):
    ask(site)
    ask(site, reason="A clearer reason, the second time.", email="amina@mombasa.example")
    [access] = requests_stored(site)
    assert access.reason == "A clearer reason, the second time."


@pytest.mark.parametrize(
    "trap",
    [{"website": "http://spam.example"}, {"seconds_ago": 0}, {"seconds_ago": 5 * 60 * 60}],
    ids=["honeypot", "too fast", "too old"],
)
def test_bots_are_refused_and_nothing_is_stored(site, trap):
    answer = ask(site, **trap)
    assert answer.status_code == 400
    assert "could not be accepted" in answer.get_data(as_text=True)
    assert requests_stored(site) == [] and mail(site) == []


def test_a_forged_stamp_is_refused(site):
    answer = ask(site, stamp="1700000000")
    assert answer.status_code == 400 and requests_stored(site) == []


def test_every_problem_is_named_by_its_label_next_to_its_field(site):
    answer = ask(site, name="", email="not an address", reason="")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Your name</a>: This field is required." in page
    assert "Work e-mail address</a>: Enter a valid e-mail address." in page
    assert page.count('class="field-error"') == 3
    assert requests_stored(site) == []


def test_asking_is_throttled_per_address(site):
    client = site.test_client()
    for number in range(10):
        assert ask(site, client, email=f"person{number}@example.org").status_code == 303
    refused = ask(site, client, email="one-more@example.org", lang="ar")
    assert refused.status_code == 429
    assert 'dir="rtl"' in refused.get_data(as_text=True)
    assert len(requests_stored(site)) == 10


def test_the_way_in_is_linked_from_sign_in_and_member_only_contacts(site):
    client = site.test_client()
    assert "/en/join" in client.get("/en/login").get_data(as_text=True)
    with site.app_context():
        slug = db.session.scalar(sa.text("SELECT slug FROM cases LIMIT 1"))
    assert "/en/join" in client.get(f"/en/cases/{slug}").get_data(as_text=True)


def test_only_staff_decide_and_only_on_member_roles(site):
    ask(site)
    [access] = requests_stored(site)
    practitioner = signed_in(site, "practitioner")
    assert practitioner.get("/en/admin/access-requests").status_code == 403
    staff = signed_in(site, "staff")
    staff.post(f"/en/admin/access-requests/{access.id}/approve", data={"role": "admin"})
    assert requests_stored(site)[0].status == AccessStatus.pending
    assert mail(site) == []
    with site.app_context():
        assert db.session.scalar(sa.select(sa.func.count(User.id)).filter_by(role="admin")) == 1
