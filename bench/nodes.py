"""Two nodes on one database: how long a record published through node A takes to be found
through node B's search, each node with its own index and its own follower.

    make bench-nodes                                        # SQLite file shared by both nodes
    .venv/bin/python bench/nodes.py --database-url postgresql://postgres@127.0.0.1/empty_db

Each node is what a machine runs in production: gunicorn serving `wsgi:app` and
`flask --app hub search sync --follow` on an index folder of its own. The benchmark publishes
cases one at a time through node A's API (a staff token) and polls both nodes' search APIs for
each new case's word. It prints, per node, the median, p95 and largest time from the API's
answer to the first search that finds the case (the target of issue 11: p95 under 1 s on B).
Timings are wall-clock: on a busy machine they grow with its load, which is printed too.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from hub import create_app  # noqa: E402
from hub.accounts import operations as accounts  # noqa: E402
from hub.content import files as content_files  # noqa: E402
from hub.extensions import db  # noqa: E402

LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")
STARTUP = 300.0  # seconds a node may take to start and build its index
POLL = 0.01  # seconds between two searches for the new case
GIVE_UP = 30.0  # seconds after which a case counts as not found
SECRET = "bench-nodes-not-secret"
# Words no content file has, one per published case, so each search finds only its case.
WORDS = ["quokka", "wombat", "numbat", "bilby", "dugong", "echidna", "potoroo", "bettong"]


class Node:
    """gunicorn and the search follower of one node, in processes of their own."""

    def __init__(self, name: str, directory: Path, database_url: str, port: int) -> None:
        self.name = name
        directory.mkdir(parents=True)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HUB_SECRET_KEY": SECRET,
            "HUB_SQLALCHEMY_DATABASE_URI": database_url,
            "HUB_SEARCH_INDEX_DIR": str(directory / "search"),
            "HUB_SEARCH_SYNC": "external",
        }
        web = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        follow = [sys.executable, "-m", "flask", "--app", "hub", "search", "sync", "--follow"]
        self.logs = [directory / "web.log", directory / "search.log"]
        self.processes = [
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
            )
            for command, log in zip([[*web, "wsgi:app"], follow], self.logs, strict=True)
        ]
        self.base = f"http://127.0.0.1:{port}"

    def finds(self, word: str) -> bool:
        answer = requests.get(f"{self.base}/api/v1/search", params={"q": word}, timeout=GIVE_UP)
        return answer.status_code == 200 and answer.json()["total"] > 0

    def wait_until_searchable(self) -> None:
        deadline = time.monotonic() + STARTUP
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                break
            try:
                if self.finds("Mombasa"):
                    return
            except requests.RequestException:  # not listening yet, or busy loading
                pass
            time.sleep(0.2)
        logs = "\n".join(log.read_text(errors="replace") for log in self.logs)
        raise SystemExit(f"node {self.name} did not start searching:\n{logs}")

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(database_url: str, directory: Path) -> str:
    """Every table, `content/` and a staff member; returns the staff member's API token."""
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEX_DIR": str(directory / "unused-index"),
            "SEARCH_SYNC": "external",
        }
    )
    with app.app_context():
        db.create_all()
        report = content_files.load_directory(ROOT / "content")
        if report.errors:
            raise SystemExit(f"content/ did not load: {report.errors}")
        staff = accounts.create_user("bench@example.org", "staff", password=None)
        token = accounts.issue_token(staff)
        db.session.commit()
        db.engine.dispose()
    return token


def case(number: int) -> dict:
    word = f"{WORDS[number % len(WORDS)]}{number}"
    return {
        "title": f"Listening benches {word}",
        "summary": f"Benches where neighbours listen ({word}).",
        "lead_city": "oslo",
        "themes": ["social-cohesion"],
        "start_year": 2024,
        "status": "ongoing",
        "evidence_level": "none",
        "published": "2026-06-01",
        "state": "published",
        "body": f"A {word} bench in every square.",
    }, word


def measure(node_a: Node, nodes: list[Node], token: str, samples: int) -> dict[str, list[float]]:
    """For each published case, the seconds until each node's search finds it."""
    waits: dict[str, list[float]] = {node.name: [] for node in nodes}
    headers = {"Authorization": f"Bearer {token}"}
    for number in range(samples):
        body, word = case(number)
        answer = requests.post(
            f"{node_a.base}/api/v1/cases", json=body, headers=headers, timeout=GIVE_UP
        )
        answer.raise_for_status()
        published = time.monotonic()
        pending = list(nodes)
        while pending and time.monotonic() - published < GIVE_UP:
            for node in list(pending):
                if node.finds(word):
                    waits[node.name].append(time.monotonic() - published)
                    pending.remove(node)
            time.sleep(POLL)
        for node in pending:
            waits[node.name].append(float("inf"))
    return waits


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file)")
    parser.add_argument("--samples", type=int, default=40, help="cases published (default 40)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-nodes-") as folder:
        directory = Path(folder)
        database_url = args.database_url or f"sqlite:///{directory / 'hub.sqlite'}"
        token = prepare(database_url, directory)
        nodes = [Node(name, directory / f"node-{name}", database_url, free_port()) for name in "AB"]
        try:
            for node in nodes:
                node.wait_until_searchable()
            waits = measure(nodes[0], nodes, token, args.samples)
        finally:
            for node in nodes:
                node.stop()
    backend = database_url.split(":", 1)[0]
    print(f"two nodes on {backend}, {args.samples} cases published through node A")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("node  commit -> searchable: median    p95    max   (seconds)")
    for name, values in waits.items():
        print(
            f"{name:>4}  {statistics.median(values):>29.3f} {percentile(values, 0.95):>6.3f}"
            f" {max(values):>6.3f}"
        )


if __name__ == "__main__":
    main()
