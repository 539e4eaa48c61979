"""`flask --app hub mail follow`: a process that sends the outbox as it grows, retries a
refusing server, and waits out a database that is away instead of exiting."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import sqlalchemy as sa

from hub import mail
from hub.extensions import db
from hub.mail import sender
from hub.mail.models import MailMessage, MailStatus
from tests.conftest import ROOT, AwayDatabase, stop_process
from tests.mail.conftest import mail_settings


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("not within the time allowed")


def start_follower(app, **settings: str) -> subprocess.Popen:
    """`flask --app hub mail follow` in a process of its own, on `app`'s database."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HUB_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "HUB_SEARCH_SYNC": "external",
        "HUB_SECRET_KEY": "test",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "hub", "mail", "follow"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def test_mail_follow_sends_each_message_after_its_request_commits(mail_app, smtp):
    follower = start_follower(
        mail_app,
        HUB_MAIL_SERVER="127.0.0.1",
        HUB_MAIL_PORT=str(smtp.port),
        HUB_MAIL_USE_TLS="false",
    )
    started = follower.stdout.readline()  # once up (slow on a busy machine), it says so
    client = mail_app.test_client()
    try:
        assert b"Sending the mail outbox" in started
        for sent in (1, 2):
            answer = client.post("/en/password-reset", data={"email": "ana@example.org"})
            assert answer.status_code == 302
            wait_for(lambda sent=sent: len(smtp.received) == sent)
    finally:
        _output, errors = stop_process(follower)
    assert follower.returncode == 0, errors.decode()
    with mail_app.app_context():
        statuses = db.session.scalars(sa.select(MailMessage.status)).all()
    assert statuses == [MailStatus.sent, MailStatus.sent]


def test_without_a_mail_server_mail_follow_stays_up_and_stops_when_asked(app):
    """Under honcho, a process that exits stops the others: without a server it waits."""
    follower = start_follower(app)
    said = b""
    while b"HUB_MAIL_SERVER is not set" not in said and follower.poll() is None:
        said += follower.stderr.readline()  # the process is up and has said why it waits
    time.sleep(1)
    assert follower.poll() is None
    stop_process(follower)
    assert follower.returncode == 0


def run_follower(app, stop: threading.Event, failures: list) -> threading.Thread:
    def run() -> None:
        try:
            with app.app_context():
                sender.follow(should_stop=stop.is_set)
        except Exception as error:  # the follower must not die of it
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_the_follower_retries_a_refusing_server_until_it_accepts(mail_app, smtp):
    mail_app.config.update(MAIL_RETRY_FIRST=0.2)
    smtp.mailbox.refusals = ["451 4.3.0 Try again later", "421 4.7.0 Busy"]
    with mail_app.app_context():
        mail.send("ana@example.org", "Hello", "Third time lucky")
        db.session.commit()
    stop, failures = threading.Event(), []
    follower = run_follower(mail_app, stop, failures)
    try:
        wait_for(lambda: len(smtp.received) == 1)
    finally:
        stop.set()
        follower.join(timeout=30)
    assert not failures
    with mail_app.app_context():
        message = db.session.scalar(sa.select(MailMessage))
        assert (message.status, message.attempts) == (MailStatus.sent, 3)


def test_the_follower_waits_for_the_database_to_come_back_instead_of_exiting(
    tmp_path, smtp, caplog
):
    database = AwayDatabase(tmp_path, **mail_settings(smtp))
    app = database.app
    with app.app_context():
        mail.send("ana@example.org", "Hello", "Sent once the database is back")
        db.session.commit()
    database.leave()
    stop, failures = threading.Event(), []
    follower = run_follower(app, stop, failures)
    try:
        time.sleep(3)
        assert follower.is_alive() and not failures
        assert smtp.received == []
        database.come_back()
        wait_for(lambda: len(smtp.received) == 1)
    finally:
        stop.set()
        follower.join(timeout=30)
        database.close()
    assert not failures
    assert "mail follow: database unavailable" in caplog.text
