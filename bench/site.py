"""A generated hub to benchmark: its database (a SQLite file, or a fresh PostgreSQL database
dropped after), the schema from the real migrations, the generated network, accounts made with
the hub's own operations, search indexes built by `search reindex`, and the production
processes (gunicorn, the search follower) started on it and stopped after."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from flask import Flask
from flask_migrate import upgrade

from bench import network
from bench.corpus import ROOT
from hub import create_app
from hub.accounts import operations as accounts
from hub.extensions import db

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
PASSWORD = "a long bench passphrase 2026"
STAFF_EMAIL = "staff@bench.example.org"
FOCAL_EMAIL = "focal@bench.example.org"
STARTUP_TIMEOUT = 180  # seconds for gunicorn to answer its first request (slow on a busy machine)


@dataclass
class Node:
    """One app node: its index folder and the processes serving it."""

    name: str
    port: int
    index_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Site:
    """A generated hub on one backend, in its own work folder."""

    def __init__(self, backend: str, sizes: network.Sizes, redis_url: str) -> None:
        self.backend = backend
        self.sizes = sizes
        self.redis_url = redis_url
        self.work = Path(tempfile.mkdtemp(prefix=f"benchpages-{backend}-"))
        self.secret = secrets.token_urlsafe(48)
        self.database_name = ""
        if backend == "postgresql":
            self.database_name = f"benchpages_{secrets.token_hex(4)}"
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {self.database_name}")
            self.database_url = f"{POSTGRES}/{self.database_name}"
        else:
            self.database_url = f"sqlite:///{self.work / 'hub.sqlite'}"
        self.nodes: list[Node] = []
        self.made: network.Made | None = None
        self.tokens: dict[str, str] = {}

    # --- Settings ------------------------------------------------------------------------------

    def env(self, index_dir: Path | None = None) -> dict[str, str]:
        """The HUB_* settings every process of a node reads (deploy/hub.env.example)."""
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HUB_SECRET_KEY": self.secret,
            "HUB_SQLALCHEMY_DATABASE_URI": self.database_url,
            "HUB_SEARCH_INDEX_DIR": str(index_dir or self.work / "search-a"),
            "HUB_SEARCH_SYNC": "external",
            "HUB_RATELIMIT_STORAGE_URI": self.redis_url,
        }

    def app(self) -> Flask:
        """The hub in this process, configured as the nodes are."""
        return create_app(
            {
                "SECRET_KEY": self.secret,
                "SQLALCHEMY_DATABASE_URI": self.database_url,
                "SEARCH_INDEX_DIR": str(self.work / "search-a"),
                "SEARCH_SYNC": "external",
                "RATELIMIT_STORAGE_URI": self.redis_url,
            }
        )

    def flask(self, *args: str, index_dir: Path | None = None) -> None:
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "hub", *args],
            cwd=ROOT,
            env=self.env(index_dir),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    # --- Building ------------------------------------------------------------------------------

    def build(self, index_dirs: int = 1) -> network.Made:
        """Migrate, generate, make the accounts, and build `index_dirs` search indexes."""
        app = self.app()
        with app.app_context():
            upgrade()  # `flask db upgrade`: the real migrations
            self.made = network.generate(self.sizes)
            staff = accounts.create_user(STAFF_EMAIL, "staff", PASSWORD, name="Bench staff")
            focal = accounts.create_user(
                FOCAL_EMAIL, "focal_point", PASSWORD, self.made.submitted_city_slug, "Bench focal"
            )
            self.tokens = {
                "staff": accounts.issue_token(staff),
                "focal": accounts.issue_token(focal),
            }
            db.session.commit()
            db.session.remove()  # no transaction left open while the index is built
            db.engine.dispose()
        for letter in "ab"[:index_dirs]:  # each node builds its own index, as a new node does
            self.flask("search", "reindex", index_dir=self.work / f"search-{letter}")
        return self.made

    # --- Processes -----------------------------------------------------------------------------

    def start_node(self, name: str, port: int, follower: bool) -> Node:
        """gunicorn with 2 workers, as in the Procfile, and the node's search follower."""
        node = Node(name, port, self.work / f"search-{name}")
        env = self.env(node.index_dir)
        log = open(self.work / f"node-{name}.log", "ab")  # noqa: SIM115 - closed with the process
        node.processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2"]
                + ["--bind", f"127.0.0.1:{port}", "wsgi:app"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
        )
        if follower:
            node.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "hub", "search", "sync", "--follow"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=log,
                )
            )
        self.nodes.append(node)
        _wait_until_up(node)
        return node

    def stop(self) -> None:
        for node in self.nodes:
            for process in node.processes:
                process.terminate()
            for process in node.processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.nodes = []

    def close(self) -> None:
        """Stop every process, drop the PostgreSQL database, remove the work folder."""
        self.stop()
        if self.database_name:
            with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
                connection.execute(f"DROP DATABASE IF EXISTS {self.database_name} WITH (FORCE)")
        shutil.rmtree(self.work, ignore_errors=True)


def _wait_until_up(node: Node) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in node.processes):
            raise RuntimeError(f"node {node.name} exited; see its log")
        try:
            with urllib.request.urlopen(f"{node.url}/static/hub.css", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"node {node.name} did not answer within {STARTUP_TIMEOUT} s")
