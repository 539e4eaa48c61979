"""A real SMTP server (aiosmtpd) on a local port, and an app that sends its mail there."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from hub.accounts import operations as accounts
from hub.extensions import db
from tests.conftest import copy_of, make_app

PASSWORD = "correct horse battery staple 42"


class Mailbox:
    """aiosmtpd handler: keeps what it accepts; answers the next DATA commands with `refusals`
    first, and refuses the recipients in `unknown` for good."""

    def __init__(self) -> None:
        self.received: list = []
        self.refusals: list[str] = []
        self.unknown: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refusals:
            return self.refusals.pop(0)
        self.received.append(envelope)
        return "250 OK"


class SmtpServer:
    """A mail server on a port of its own, which a test can take away and bring back."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    @property
    def received(self) -> list:
        return self.mailbox.received

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def mail_settings(smtp: SmtpServer) -> dict:
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
        "MAIL_USE_TLS": False,
        "MAIL_DEFAULT_SENDER": "hub@example.org",
        "SERVER_NAME": "hub.example.org",
    }


@pytest.fixture
def mail_app(database, smtp):
    """An app (CSRF off) whose mail goes to `smtp`, with one practitioner, ana@example.org."""
    app = make_app(copy_of(database, "schema"), WTF_CSRF_ENABLED=False, **mail_settings(smtp))
    with app.app_context():
        accounts.create_user("ana@example.org", "practitioner", PASSWORD)
        db.session.commit()
    return app
