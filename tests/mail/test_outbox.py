"""Mail is queued in the transaction that causes it and sent after commit by the mail follower,
over a real SMTP server: retried with backoff while the server refuses or is away, given up on
after a bounded number of attempts, and shown to admins in each state."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from hub import mail
from hub.accounts import operations as accounts
from hub.database import utcnow
from hub.errors import StepRefused
from hub.extensions import db
from hub.mail import sender
from hub.mail.models import MailMessage, MailStatus
from hub.security.access import PUBLIC, allow
from tests.mail.conftest import PASSWORD

MINUTE = timedelta(minutes=1)


def messages(app) -> list[MailMessage]:
    with app.app_context():
        found = list(db.session.scalars(sa.select(MailMessage).order_by(MailMessage.id)))
        db.session.expunge_all()
        return found


def send_pending(app, now=None) -> sender.Report:
    with app.app_context():
        return sender.send_pending(now=now)


def queue(app, *recipients: str) -> None:
    with app.app_context():
        for recipient in recipients:
            mail.send(recipient, "Hello", f"A message for {recipient}")
        db.session.commit()


def admin_page(app, lang: str = "en") -> str:
    with app.app_context():
        if accounts.find_user("admin@example.org") is None:
            accounts.create_user("admin@example.org", "admin", PASSWORD)
            db.session.commit()
    admin = app.test_client()
    admin.post("/en/login", data={"email": "admin@example.org", "password": PASSWORD})
    answer = admin.get(f"/{lang}/admin/mail")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_a_reset_mail_is_sent_after_commit_by_the_follower_not_by_the_request(mail_app, smtp):
    answer = mail_app.test_client().post("/en/password-reset", data={"email": "ana@example.org"})
    assert answer.status_code == 302
    assert smtp.received == []  # the request did not talk to SMTP
    [queued] = messages(mail_app)
    assert queued.status == MailStatus.pending and queued.attempts == 0

    report = send_pending(mail_app)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 0)
    [delivered] = smtp.received
    assert delivered.rcpt_tos == ["ana@example.org"]
    assert delivered.mail_from == "hub@example.org"
    assert b"https://hub.example.org/en/password-reset/" not in delivered.content  # http default
    assert re.search(rb"http://hub\.example\.org/en/password-reset/\S+", delivered.content)
    assert f"Message-ID: <mail-{queued.id}@hub.example.org>".encode() in delivered.content
    [sent] = messages(mail_app)
    assert sent.status == MailStatus.sent and sent.attempts == 1 and sent.sent_at is not None
    assert send_pending(mail_app).attempted == 0  # sent once, never again
    assert len(smtp.received) == 1


@pytest.mark.parametrize("prefix", ["/en/test", "/api/v1/test"])
def test_a_step_that_fails_after_queueing_mail_leaves_no_message_and_mails_nobody(
    mail_app, smtp, prefix
):
    def step():
        accounts.request_reset("ana@example.org")  # queues the reset mail
        db.session.flush()
        raise StepRefused({"status": "Not now."})

    for root in ("/<lang:lang>/test", "/api/v1/test"):
        mail_app.add_url_rule(f"{root}/step", f"{root}-step", allow(PUBLIC)(step), methods=["POST"])
    assert mail_app.test_client().post(f"{prefix}/step").status_code == 409
    assert messages(mail_app) == []
    assert send_pending(mail_app).attempted == 0
    assert smtp.received == []


def test_a_server_that_refuses_then_accepts_gets_the_message_on_a_later_attempt(mail_app, smtp):
    smtp.mailbox.refusals = ["451 4.3.0 Try again later"]
    queue(mail_app, "ana@example.org")
    start = utcnow()

    report = send_pending(mail_app, now=start)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    [waiting] = messages(mail_app)
    assert waiting.status == MailStatus.pending and waiting.attempts == 1
    assert "451" in waiting.last_error and "Try again later" in waiting.last_error
    assert waiting.next_attempt_at == start + MINUTE  # the first wait: HUB_MAIL_RETRY_FIRST
    page = admin_page(mail_app)
    assert "Waiting to be sent" in page and "1 attempt" in page
    assert f"next attempt at {(start + MINUTE):%Y-%m-%d %H:%M} (UTC)" in page
    assert "451 4.3.0 Try again later" in page

    assert send_pending(mail_app, now=start + MINUTE / 2).attempted == 0  # not due yet
    assert send_pending(mail_app, now=start + MINUTE).sent == 1
    assert [envelope.rcpt_tos for envelope in smtp.received] == [["ana@example.org"]]
    [sent] = messages(mail_app)
    assert sent.status == MailStatus.sent and sent.attempts == 2
    page = admin_page(mail_app)
    assert "Sent" in page and "next attempt" not in page and "Last error" not in page


def test_a_server_that_is_away_gets_the_message_once_it_is_back(mail_app, smtp):
    smtp.stop()
    queue(mail_app, "ana@example.org")
    start = utcnow()
    assert send_pending(mail_app, now=start).retrying == 1
    [waiting] = messages(mail_app)
    assert "ConnectionRefusedError" in waiting.last_error
    smtp.start()
    assert send_pending(mail_app, now=start + MINUTE).sent == 1
    assert len(smtp.received) == 1


def test_waits_double_and_after_the_last_attempt_the_message_fails_where_admins_see_it(
    mail_app, smtp
):
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 4
    smtp.mailbox.refusals = ["421 4.7.0 Too busy, come back later"] * 4
    queue(mail_app, "ana@example.org")
    now, waits = utcnow(), []
    for _attempt in range(3):
        assert send_pending(mail_app, now=now).retrying == 1
        [waiting] = messages(mail_app)
        waits.append(waiting.next_attempt_at - now)
        now = waiting.next_attempt_at
    assert waits == [MINUTE, 2 * MINUTE, 4 * MINUTE]
    assert send_pending(mail_app, now=now).failed == 1
    [failed] = messages(mail_app)
    assert failed.status == MailStatus.failed and failed.attempts == 4
    assert failed.next_attempt_at is None
    assert send_pending(mail_app, now=now + timedelta(days=1)).attempted == 0  # given up on
    assert smtp.received == []

    page = admin_page(mail_app)
    assert "1 message could not be sent." in page
    assert "Could not be sent" in page and "4 attempts" in page
    assert "421 4.7.0 Too busy, come back later" in page
    assert "next attempt" not in page
    assert 'dir="rtl"' in admin_page(mail_app, "ar")

    # Once the problem is solved, an admin queues it again from the command line.
    result = mail_app.test_cli_runner().invoke(args=["mail", "retry", "--failed"])
    assert result.exit_code == 0 and "1 messages queued again" in result.output
    assert send_pending(mail_app).sent == 1
    assert len(smtp.received) == 1


def test_a_recipient_the_server_refuses_for_good_fails_at_once(mail_app, smtp):
    smtp.mailbox.unknown = {"gone@example.org"}
    queue(mail_app, "gone@example.org", "ana@example.org")
    report = send_pending(mail_app)
    assert (report.sent, report.retrying, report.failed) == (1, 0, 1)
    gone, ana = messages(mail_app)
    assert gone.status == MailStatus.failed and gone.attempts == 1
    assert "550" in gone.last_error
    assert ana.status == MailStatus.sent
    assert [envelope.rcpt_tos for envelope in smtp.received] == [["ana@example.org"]]


def test_two_followers_at_once_send_each_message_exactly_once(mail_app, smtp):
    recipients = [f"person{number}@example.org" for number in range(40)]
    queue(mail_app, *recipients)
    start, reports, failures = threading.Barrier(2), [], []

    def follower() -> None:
        try:
            start.wait()
            reports.append(send_pending(mail_app))
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=follower) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert sum(report.sent for report in reports) == 40
    delivered = sorted(envelope.rcpt_tos[0] for envelope in smtp.received)
    assert delivered == sorted(recipients)
    assert {message.attempts for message in messages(mail_app)} == {1}


def test_without_a_mail_server_messages_wait_in_the_outbox(form_app):
    queue(form_app, "ana@example.org")
    result = form_app.test_cli_runner().invoke(args=["mail", "send-pending"])
    assert result.exit_code == 1
    assert "HUB_MAIL_SERVER is not set" in result.output
    [waiting] = messages(form_app)
    assert waiting.status == MailStatus.pending and waiting.attempts == 0


def test_send_pending_and_status_on_the_command_line(mail_app, smtp):
    smtp.mailbox.unknown = {"gone@example.org"}
    queue(mail_app, "ana@example.org", "gone@example.org")
    runner = mail_app.test_cli_runner()
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 to retry, 1 failed" in result.output
    status = runner.invoke(args=["mail", "status"]).output
    assert "pending: 0" in status and "sent: 1" in status and "failed: 1" in status
    assert "to gone@example.org: recipient refused: 550" in status
