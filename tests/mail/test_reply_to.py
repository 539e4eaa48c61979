"""A message the hub relays for someone (a member writing to a city) reaches SMTP with Reply-To
that person, so the answer goes to them; other mail has no Reply-To."""

from __future__ import annotations

import os

import pytest

from hub import mail
from hub.extensions import db
from hub.mail import sender
from tests.conftest import copy_of, make_app
from tests.mail.conftest import SmtpServer, mail_settings

# This area's own ports (5800-5849), one per pytest-xdist worker.
PORT = 5800 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)


@pytest.fixture
def local_smtp():
    server = SmtpServer()
    server.port = PORT
    server.start()
    yield server
    server.stop()


def test_relayed_mail_carries_reply_to_and_other_mail_does_not(database, local_smtp):
    app = make_app(copy_of(database, "schema"), **mail_settings(local_smtp))
    with app.app_context():
        mail.send("focal@example.org", "Through the hub", "Hello", reply_to="member@example.org")
        mail.send("ana@example.org", "Reset your password", "A link")
        db.session.commit()
        assert sender.send_pending().sent == 2
    relayed, plain = (envelope.content.decode() for envelope in local_smtp.received)
    assert "Reply-To: member@example.org" in relayed and "To: focal@example.org" in relayed
    assert "Reply-To" not in plain
