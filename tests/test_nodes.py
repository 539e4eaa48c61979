"""Several nodes on one database and one Redis: each keeps its own search index in step with its
own follower, and a person is the same person on every node (sessions, sign-in limits).

Node A is an app in this process; node B is what a second machine runs: gunicorn serving
`wsgi:app` and `flask --app hub search sync --follow`, in processes of their own, with an index
folder of their own. Flask-Limiter is one object per process, so only a node in another process
can show that sign-in failures are counted in Redis and not in a process's memory.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from hub import search
from hub.accounts import operations as accounts
from hub.accounts.models import User
from hub.extensions import db
from hub.search import follower
from tests.conftest import PASSWORD, ROOT, copy_of, make_app

REDIS_URL = "redis://127.0.0.1:6379/8"  # the Redis database of these tests
SECRET_KEY = "test"  # every node shares it: make_app's
# How long a node may take to start or to show a change before the test gives up: far beyond
# the second a change takes (the follower looks every half second), so only "never" fails.
PATIENCE = 120.0  # seconds
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")

CASE = {
    "title": "Quokka listening benches",
    "summary": "Benches where neighbours listen to each other.",
    "lead_city": "oslo",
    "themes": ["social-cohesion"],
    "start_year": 2024,
    "status": "ongoing",
    "evidence_level": "none",
    "published": "2026-06-01",
    "state": "published",
    "body": "Benches in every square.",
}


@pytest.fixture
def shared_redis():
    """This test's Redis. Tests on other workers share it at once, so nothing is flushed: each
    test signs in with an account and from a client address of its own (see `visitor`)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis on {REDIS_URL} ({error}): sign-in limits across nodes need one")
    yield client
    client.close()


@pytest.fixture
def visitor(shared_redis):
    """An e-mail address and a client address no other test uses; their counts are removed."""
    mark = uuid.uuid4()
    email = f"visitor-{mark.hex[:12]}@example.org"
    address = f"198.18.{mark.bytes[0]}.{mark.bytes[1]}"  # RFC 2544's range, never a real client
    yield email, {"X-Forwarded-For": address}
    for pattern in (f"*{email}*", f"*/{address}/*"):
        for key in shared_redis.scan_iter(match=pattern):
            shared_redis.delete(key)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """A command of the hub in a process of its own, with its output in a file."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Node:
    """A hub node on another machine: gunicorn serving `wsgi:app` with HUB_* settings, and its
    search follower when asked for."""

    def __init__(self, directory: Path, database_url: str, **settings: str) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HUB_SECRET_KEY": SECRET_KEY,
            "HUB_SQLALCHEMY_DATABASE_URI": database_url,
            "HUB_SEARCH_INDEX_DIR": str(directory / "search"),
            "HUB_SEARCH_SYNC": "external",
            "HUB_PASSWORD_HASHING": "fast",
            **{f"HUB_{name}": value for name, value in settings.items()},
        }
        self.processes: list[Process] = []
        self.base = ""

    def serve(self) -> Node:
        command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", "127.0.0.1:0"]
        web = self._start([*command, "wsgi:app"], "web")
        port = eventually(lambda: LISTENING.search(web.output()), "gunicorn to listen", web)
        self.base = f"http://127.0.0.1:{port[1]}"
        eventually(lambda: self.get("/en/login").status_code == 200, "node B to answer", web)
        return self

    def follow(self) -> Process:
        flask = [sys.executable, "-m", "flask", "--app", "hub"]
        return self._start([*flask, "search", "sync", "--follow"], "search")

    def _start(self, command: list[str], name: str) -> Process:
        process = Process(command, self.env, self.directory / f"{name}.log")
        self.processes.append(process)
        return process

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base + path, timeout=PATIENCE, allow_redirects=False, **kwargs)

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


def eventually(check: Callable[[], object], what: str, process: Process | None = None):
    """The first true answer of `check`, asked again until PATIENCE runs out."""
    deadline = time.monotonic() + PATIENCE
    while True:
        answer = check()
        if answer:
            return answer
        if process is not None and process.process.poll() is not None:
            pytest.fail(f"waiting for {what}, the process ended:\n{process.output()}")
        if time.monotonic() > deadline:
            detail = process.output() if process is not None else ""
            pytest.fail(f"waited {PATIENCE} s for {what}\n{detail}")
        time.sleep(0.1)


@pytest.fixture
def nodes(database, tmp_path, shared_redis):
    """Node A (this process, the database's own index folder) and node B (served by gunicorn,
    an index folder of its own), on one database and one Redis, behind one proxy."""
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "PROXY_FIX_X_FOR": "1"}
    node_a = make_app(copy_of(database, "people"), **settings)
    node_b = Node(tmp_path / "node-b", database.url, **settings)
    yield node_a, node_b
    node_b.stop()


# --- Each node's search index ---------------------------------------------------------------


def titles(answer: dict) -> list[str]:
    return [result["title"] for result in answer["results"]]


def found_on_b(node_b: Node, words: str) -> list[str]:
    response = node_b.get("/api/v1/search", params={"q": words})
    return titles(response.json()) if response.status_code == 200 else []


def found_on_a(client, words: str) -> list[str]:
    response = client.get("/api/v1/search", query_string={"q": words})
    return titles(response.get_json()) if response.status_code == 200 else []


def follow_in_a_thread(app) -> tuple[threading.Event, threading.Thread, list]:
    """Node A's follower: the same loop as `search sync --follow`, on node A's index."""
    stop, failures = threading.Event(), []

    def run() -> None:
        try:
            with app.app_context():
                follower.follow(search.store(), should_stop=stop.is_set)
        except Exception as error:  # reported by the test
            failures.append(error)

    thread = threading.Thread(target=run, name="node-a-follower")
    thread.start()
    return stop, thread, failures


def test_a_record_published_on_one_node_is_found_on_both_each_by_its_own_index(nodes):
    node_a, node_b = nodes
    with node_a.app_context():
        staff = db.session.scalar(db.select(User).filter_by(email="staff@example.org"))
        token = accounts.issue_token(staff)
        db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    node_b.serve()
    # Node B starts with no index at all: its follower builds one from the database.
    assert not (node_b.directory / "search").exists()
    search_b = node_b.follow()
    eventually(lambda: found_on_b(node_b, "Mombasa"), "node B's follower to build its index")
    stop, thread, failures = follow_in_a_thread(node_a)
    try:
        client_a = node_a.test_client()
        created = client_a.post("/api/v1/cases", json=CASE, headers=bearer)
        assert created.status_code == 201, created.get_data(as_text=True)
        # Each node's own follower applied the same outbox row to its own index.
        eventually(lambda: CASE["title"] in found_on_b(node_b, "quokka"), "node B", search_b)
        eventually(lambda: CASE["title"] in found_on_a(client_a, "quokka"), "node A")

        # And the other way: a change through node B's API shows on node A.
        url = created.headers["Location"].removeprefix("http://localhost")
        current = requests.get(node_b.base + url, headers=bearer, timeout=PATIENCE)
        changed = requests.patch(
            node_b.base + url,
            json={"title": "Wombat listening benches"},
            headers={**bearer, "If-Match": current.headers["ETag"]},
            timeout=PATIENCE,
        )
        assert changed.status_code == 200, changed.text
        eventually(lambda: found_on_a(client_a, "wombat"), "node A to see node B's change")
        eventually(lambda: found_on_b(node_b, "wombat"), "node B", search_b)
        assert not found_on_a(client_a, "quokka") and not found_on_b(node_b, "quokka")
    finally:
        stop.set()
        thread.join(timeout=PATIENCE)
    assert not failures
    assert "Traceback" not in search_b.output()


# --- Sessions ------------------------------------------------------------------------------


def sign_in_over_http(
    node: Node, email: str, password: str, headers: dict | None = None
) -> requests.Response:
    """Sign in on a served node as a browser does: the form's CSRF token, then the post."""
    browser = requests.Session()
    browser.headers.update(headers or {})
    form = browser.get(node.base + "/en/login", timeout=PATIENCE)
    answer = browser.post(
        node.base + "/en/login",
        data={"email": email, "password": password, "csrf_token": TOKEN.search(form.text)[1]},
        allow_redirects=False,
        timeout=PATIENCE,
    )
    answer.browser = browser
    return answer


def test_a_session_begun_on_one_node_is_the_same_session_on_the_other(nodes):
    node_a, node_b = nodes
    node_b.serve()
    signed_in = sign_in_over_http(node_b, "practitioner@example.org", PASSWORD)
    assert signed_in.status_code == 302
    cookie = signed_in.browser.cookies["session"]

    client_a = node_a.test_client()
    client_a.set_cookie("session", cookie)
    page = client_a.get("/en/account/password")
    assert page.status_code == 200  # signed in on node A, with node B's cookie
    # A form node A made (its CSRF token lives in the session) is accepted by node B.
    token = TOKEN.search(page.get_data(as_text=True))[1]
    cookie = client_a.get_cookie("session").value  # node A renewed the "last seen" time
    signed_out = requests.post(
        node_b.base + "/en/logout",
        data={"csrf_token": token},
        cookies={"session": cookie},
        allow_redirects=False,
        timeout=PATIENCE,
    )
    assert signed_out.status_code == 302
    # Signing out on node B ended the session everywhere: node A no longer knows the cookie.
    client_a.set_cookie("session", cookie)
    assert client_a.get("/en/account/password").status_code == 302
    assert node_b.get("/en/account/password", cookies={"session": cookie}).status_code == 302


# --- Sign-in limits --------------------------------------------------------------------------


def sign_in_here(client, email: str, password: str, headers: dict) -> int:
    form = client.get("/en/login").get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": TOKEN.search(form)[1]}
    return client.post("/en/login", data=data, headers=headers).status_code


def test_failed_sign_ins_are_counted_across_nodes_in_redis(nodes, visitor):
    node_a, node_b = nodes
    email, client_address = visitor
    with node_a.app_context():
        accounts.create_user(email, "practitioner", PASSWORD)
        db.session.commit()
    node_b.serve()
    client_a = node_a.test_client()

    def on_a(password: str) -> int:
        return sign_in_here(client_a, email, password, client_address)

    def on_b(password: str) -> int:
        return sign_in_over_http(node_b, email, password, client_address).status_code

    failed = [on_a("wrong guess 1"), on_b("wrong guess 2"), on_a("wrong guess 3")]
    failed += [on_b("wrong guess 4"), on_a("wrong guess 5")]
    assert failed == [401] * 5
    # Five failures in all: each node refuses the sixth try, the right password too.
    assert on_b(PASSWORD) == 429
    assert on_a(PASSWORD) == 429
    # Another account is not held back.
    other = sign_in_over_http(node_b, "staff@example.org", PASSWORD, client_address)
    assert other.status_code == 302


def test_while_redis_is_away_sign_in_works_and_is_still_throttled(database, tmp_path):
    copy_of(database, "people")
    away = f"redis://127.0.0.1:{free_port()}/8"  # nothing listens there
    node = Node(tmp_path / "node", database.url, RATELIMIT_STORAGE_URI=away).serve()
    try:
        assert sign_in_over_http(node, "staff@example.org", PASSWORD).status_code == 302
        email = "practitioner@example.org"
        failed = [sign_in_over_http(node, email, f"wrong guess {n}").status_code for n in range(5)]
        assert failed == [401] * 5
        # Counted in the node's memory meanwhile: the account is still protected.
        assert sign_in_over_http(node, email, PASSWORD).status_code == 429
    finally:
        node.stop()
    log = node.processes[0].output()
    assert "Rate limit storage unreachable - falling back to in-memory storage" in log
    assert "Traceback" not in log
