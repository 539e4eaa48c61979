"""Two app nodes on one PostgreSQL and one Redis, each with its own search index and follower:
how long a record published through node A takes to be searchable on node B, and whether a
session and the sign-in limits hold across the two."""

from __future__ import annotations

import json
import secrets
import statistics
import time
import urllib.error
import urllib.request
from urllib.parse import quote

import redis
import sqlalchemy as sa

from bench import load
from bench.site import FOCAL_EMAIL, PASSWORD, Node, Site

SEARCHABLE_TIMEOUT = 15.0  # seconds before a record that never shows up counts as lost
POLL = 0.01  # seconds between searches on node B
TARGET_P95 = 1000  # ms, publish on A → searchable on B
# Failed sign-ins an account may make (hub/accounts/pages.py LOGIN_LIMIT_PER_ACCOUNT).
ACCOUNT_LIMIT = 5


def _call(method: str, url: str, token: str, body: dict | None = None, etag: str = ""):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    if etag:
        headers["If-Match"] = etag
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as answer:
        raw = answer.read()
        return (json.loads(raw) if raw else None), answer.headers.get("ETag", "")


def _found(node: Node, word: str) -> bool | None:
    """Whether `node`'s search finds `word`; None while it answers 503 (its index unavailable
    for a moment, as while the follower swaps it in)."""
    url = f"{node.url}/api/v1/search?q={quote(word)}&lang=en"
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return json.load(answer)["total"] > 0
    except urllib.error.HTTPError as error:
        if error.code == 503:
            return None
        raise


def _until(node: Node, word: str, present: bool, since: float) -> float:
    """ms from `since` until a search on `node` for `word` finds it (or no longer does)."""
    while _found(node, word) != present:
        if time.perf_counter() - since > SEARCHABLE_TIMEOUT:
            return float("inf")
        time.sleep(POLL)
    return (time.perf_counter() - since) * 1000


def _applied_on(site: Site, node: Node, since: float) -> float:
    """ms from `since` until `node`'s index has applied the newest outbox row (as its follower
    records it), read from its folder as the node's workers read it."""
    from hub.search.store import IndexProblem, IndexStore

    with sa.create_engine(site.database_url).connect() as connection:
        newest = connection.scalar(sa.text("SELECT max(id) FROM search_outbox"))
    store = IndexStore(node.index_dir)
    while True:
        try:
            if store.read_state().mark >= newest:
                return (time.perf_counter() - since) * 1000
        except IndexProblem:
            pass  # being swapped in
        if time.perf_counter() - since > SEARCHABLE_TIMEOUT:
            return float("inf")
        time.sleep(POLL)


def propagation(site: Site, a: Node, b: Node, count: int) -> dict[str, list[float]]:
    """Create, edit (If-Match) and delete records through A's API; time each on B's search."""
    token = site.tokens["staff"]
    made = site.made
    samples: dict[str, list[float]] = {
        "publish": [],
        "edit": [],
        "delete": [],
        "answered": [],
        "applied": [],
    }
    for number in range(count):
        marker = f"zqxnode{secrets.token_hex(4)}"
        case = {
            "title": f"Bench node record {marker}",
            "summary": "A record published through node A.",
            "lead_city": made.city_slug,
            "themes": ["youth"],
            "start_year": 2026,
            "status": "ongoing",
            "evidence_level": "none",
            "published": "2026-11-30",
            "body": "Published through one node, searched on the other.",
            "state": "published",
        }
        started = time.perf_counter()
        record, etag = _call("POST", f"{a.url}/api/v1/cases", token, case)
        samples["answered"].append((time.perf_counter() - started) * 1000)
        samples["applied"].append(_applied_on(site, b, started))
        samples["publish"].append(_until(b, marker, True, started))
        edited = f"zqxedit{secrets.token_hex(4)}"
        url = f"{a.url}/api/v1/cases/{record['id']}"
        started = time.perf_counter()
        _, etag = _call("PATCH", url, token, {"title": f"Bench node record {edited}"}, etag)
        samples["edit"].append(_until(b, edited, True, started))
        if number % 2 == 0:  # half are deleted again, half stay
            started = time.perf_counter()
            _call("DELETE", url, token, etag=etag)
            samples["delete"].append(_until(b, edited, False, started))
    return samples


def session_across(a: Node, b: Node) -> bool:
    """A session cookie from signing in on A opens a focal point's page on B."""
    status, cookie = load.sign_in(a.url, FOCAL_EMAIL, PASSWORD)
    if status != 302:
        return False
    request = urllib.request.Request(f"{b.url}/en/exchanges/mine", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status == 200 and answer.url.endswith("/en/exchanges/mine")
    except urllib.error.HTTPError:
        return False


def limit_across(a: Node, b: Node) -> tuple[bool, list[int]]:
    """Failed sign-ins for one account counted across nodes: the attempts past the limit are
    refused with 429 whichever node they reach."""
    email = f"nobody-{secrets.token_hex(4)}@bench.example.org"
    statuses = []
    for attempt in range(ACCOUNT_LIMIT + 1):
        node = a if attempt < ACCOUNT_LIMIT // 2 + 1 else b
        statuses.append(load.sign_in(node.url, email, "not the password at all")[0])
    return statuses == [401] * ACCOUNT_LIMIT + [429], statuses


def _summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    lost = sum(1 for s in samples if s == float("inf"))
    text = f"median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms over {len(samples)}"
    return text + (f" ({lost} never found)" if lost else "")


def run(site: Site, port: int, quick: bool) -> None:
    redis.Redis.from_url(site.redis_url).flushdb()  # this benchmark's own Redis db
    a = site.start_node("a", port, follower=True)
    b = site.start_node("b", port + 1, follower=True)
    try:
        samples = propagation(site, a, b, 10 if quick else 40)
        session_ok = session_across(a, b)
        limit_ok, statuses = limit_across(a, b)
    finally:
        site.stop()
    print("\n== two nodes on one PostgreSQL and Redis, each with its own index and follower ==")
    publish = samples["publish"] + samples["edit"]
    p95 = sorted(publish)[min(len(publish) - 1, int(0.95 * len(publish)))]
    print(f"published on A → searchable on B: {_summary(publish)}")
    print(
        f"  of which new records: {_summary(samples['publish'])};"
        f" edits: {_summary(samples['edit'])}"
    )
    print(
        f"  new records: A answered the POST after {_summary(samples['answered'])};"
        f" B's index had applied it after {_summary(samples['applied'])}"
    )
    print(f"deleted on A → gone from B's search: {_summary(samples['delete'])}")
    print(f"target p95 ≤ {TARGET_P95} ms: {'met' if p95 <= TARGET_P95 else 'NOT MET'}")
    print(f"a session from A works on B: {'yes' if session_ok else 'NO'}")
    print(
        f"failed sign-ins counted across nodes (A, then B): {statuses}"
        f" {'yes' if limit_ok else 'NO'}"
    )
