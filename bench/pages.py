"""Page benchmark: the hub's pages at network scale, against a static file in the same run.

    make bench-pages                                   # 20,000 cases, SQLite and PostgreSQL
    make bench-pages BENCH_ARGS="--quick"              # a small network, short runs
    .venv/bin/python bench/pages.py --backend postgresql --cases 20000 --check-growth --nodes 2

For each backend it generates a reproducible network (bench/network.py: cases in 1 to 4
languages, 500 cities, webinars, exchange requests in mixed states), builds the schema with the
real migrations and the index with `search reindex`, and prints for each route:
- in process (Flask's test client, warm): median and p95 ms and SQL statements per request;
- through gunicorn with 2 workers (as in the Procfile), driven by an asyncio client at
  concurrency 8 and 32: req/s, p50 and p99, and the ratio of req/s to a static file served
  by Flask in the same run;
then the targets of the page-speed issue, met or not. `--check-growth` also counts statements on a
network a tenth the size; `--nodes 2` runs two gunicorn nodes with their own search followers
on one PostgreSQL and Redis (bench/two_nodes.py). The machine is shared: compare ratios within one
run, not figures across runs.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench import load, network  # noqa: E402
from bench.corpus import vocabularies  # noqa: E402
from bench.site import FOCAL_EMAIL, PASSWORD, Site  # noqa: E402
from hub.extensions import db  # noqa: E402

PORT = 5600
REDIS = "redis://127.0.0.1:6379/5"
CONCURRENCIES = (8, 32)
WARM_UP = 5  # requests per route before anything is timed


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    group: str  # page | search | exchange | static: which target applies
    who: str = "anonymous"  # anonymous | signed-in (session cookie) | token (focal's API token)
    # Other paths asked in turn with `path` (distinct searches, none of them kept yet).
    more: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return [self.path, *self.more]


@dataclass(frozen=True)
class Target:
    label: str
    rate: float | None  # req/s at concurrency 8
    p99: float | None  # ms at concurrency 8
    median: float | None  # ms in process


TARGETS = {
    "page": Target("list, case, home, city", 400, 50, 5),
    "search": Target("search", 150, None, None),
    "exchange": Target("exchanges", None, None, 15),
}


def routes(made: network.Made) -> list[Route]:
    request = made.submitted_request
    searches = _new_searches()
    return [
        Route("static file", "/static/hub.css", "static"),
        Route("home", "/en/", "page"),
        Route("cases", "/en/cases", "page"),
        Route("cases page 3", "/en/cases?page=3", "page"),
        Route("case", f"/en/cases/{made.case_slug}", "page"),
        Route("webinars", "/en/webinars", "page"),
        Route("cities", "/en/cities", "page"),
        Route("city", f"/en/cities/{made.city_slug}", "page"),
        Route("search page", "/en/search?q=youth", "search"),
        Route("new searches", searches[0], "search", more=searches[1:]),
        Route("search api", "/api/v1/search?q=city&lang=ar", "search"),
        Route("exchange board", "/en/exchanges", "exchange", "signed-in"),
        Route("request page", f"/en/exchanges/{request}", "exchange", "signed-in"),
        Route(
            "suggestions api",
            f"/api/v1/exchange-requests/{request}/suggestions",
            "exchange",
            "token",
        ),  # fmt: skip
    ]


def _new_searches() -> tuple[str, ...]:
    """Two-word searches, each asked once in a run: more than the pages a process keeps, so
    each answer is a search run and rendered afresh, as for a reader who asks something new."""
    words = vocabularies()["en"][20:120]
    pairs = [f"/en/search?q={first}+{second}" for first in words for second in words[::7]]
    random.Random(network.SEED).shuffle(pairs)
    return tuple(pairs)


# --- In process ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InProcess:
    median: float
    p95: float
    statements: int  # per request, the most any repetition took


def in_process(site: Site, paths: list[Route], repetitions: int) -> dict[str, InProcess]:
    """Each route through Flask's test client, warm, with the SQL statements it sends.

    No app context is held around the requests: each request pushes its own, as under a
    server, so nothing memoized on `g` outlives a request."""
    app = site.app()
    with app.app_context():
        engine = db.engine
    counted = [0]

    def count(*_) -> None:
        counted[0] += 1

    sa.event.listen(engine, "before_cursor_execute", count)
    anonymous, signed_in = app.test_client(), app.test_client()
    page = signed_in.get("/en/login").get_data(as_text=True)
    token = load.CSRF.search(page)[1]
    answer = signed_in.post(
        "/en/login", data={"email": FOCAL_EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    if answer.status_code != 302:
        raise RuntimeError(f"in-process sign-in answered {answer.status_code}")
    bearer = {"Authorization": f"Bearer {site.tokens['focal']}"}
    figures = {}
    for route in paths:
        client = signed_in if route.who == "signed-in" else anonymous
        headers = bearer if route.who == "token" else {}
        turn = itertools.cycle(route.paths)
        for _ in range(WARM_UP):
            _checked(client.get(next(turn), headers=headers), route)
        samples, statements = [], 0
        for _ in range(repetitions):
            counted[0] = 0
            started = time.perf_counter()
            _checked(client.get(next(turn), headers=headers), route)
            samples.append((time.perf_counter() - started) * 1000)
            statements = max(statements, counted[0])
        ordered = sorted(samples)
        figures[route.name] = InProcess(
            statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))], statements
        )
    sa.event.remove(engine, "before_cursor_execute", count)
    engine.dispose()
    return figures


def _checked(response, route: Route):
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        raise RuntimeError(f"{route.path} answered {response.status_code} {where} in process")
    return response


# --- Through gunicorn ----------------------------------------------------------------------------


def under_load(
    site: Site, paths: list[Route], seconds: float, port: int
) -> dict[tuple[str, int], load.Result]:
    node = site.start_node("a", port, follower=False)
    try:
        status, cookie = load.sign_in(node.url, FOCAL_EMAIL, PASSWORD)
        if status != 302:
            raise RuntimeError(f"sign-in on gunicorn answered {status}")
        headers = {
            "anonymous": {},
            "signed-in": {"Cookie": cookie},
            "token": {"Authorization": f"Bearer {site.tokens['focal']}"},
        }
        figures = {}
        for route in paths:
            url = [node.url + path for path in route.paths]
            load.drive(url, headers[route.who], 2, 5, limit=WARM_UP)
            for concurrency in CONCURRENCIES:
                figures[route.name, concurrency] = load.drive(
                    url, headers[route.who], concurrency, seconds
                )
        return figures
    finally:
        site.stop()


# --- Report --------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(
    backend: str,
    made: network.Made,
    paths: list[Route],
    local: dict[str, InProcess],
    loaded: dict[tuple[str, int], load.Result],
    small: dict[str, InProcess] | None,
) -> None:
    print(
        f"\n== {backend}: {made.cases:,} cases ({made.case_texts:,} texts), {made.cities} cities,"
        f" {made.webinars} webinars, {made.requests:,} requests, {made.proposals:,} proposals =="
    )
    static = {c: loaded[("static file", c)] for c in CONCURRENCIES if ("static file", c) in loaded}
    header = f"{'route':<17}{'in-proc med':>12}{'p95':>8}{'SQL':>5}"
    if small is not None:
        header += f"{'SQL small':>10}"
    for concurrency in CONCURRENCIES:
        header += f" | c={concurrency:<3}{'req/s':>7}{'p50':>8}{'p99':>8}{'÷static':>8}"
    print(header)
    for route in paths:
        figures = local[route.name]
        line = (
            f"{route.name:<17}{figures.median:>10.1f}ms{figures.p95:>6.1f}ms{figures.statements:>5}"
        )
        if small is not None:
            line += f"{small[route.name].statements:>10}"
        for concurrency in CONCURRENCIES:
            result = loaded.get((route.name, concurrency))
            if result is None:
                line += " |" + " " * 38
                continue
            ratio = result.rate / static[concurrency].rate if concurrency in static else 0
            failed = f" ({result.errors} failed)" if result.errors else ""
            line += (
                f" | {'':<6}{result.rate:>7.0f}{result.p50:>6.0f}ms{result.p99:>6.0f}ms"
                f"{ratio:>7.2f}x{failed}"
            )
        print(line)
    print("targets (concurrency 8; in-process median):")
    for route in paths:
        target = TARGETS.get(route.group)
        if target is None:
            continue
        checks = []
        result = loaded.get((route.name, 8))
        if target.rate is not None and result is not None:
            checks.append(
                f"{result.rate:.0f} req/s ≥ {target.rate:.0f} {verdict(result.rate >= target.rate)}"
            )
        if target.p99 is not None and result is not None:
            checks.append(
                f"p99 {result.p99:.0f} ms ≤ {target.p99:.0f} {verdict(result.p99 <= target.p99)}"
            )
        if target.median is not None:
            median = local[route.name].median
            checks.append(
                f"median {median:.1f} ms ≤ {target.median:.0f} {verdict(median <= target.median)}"
            )
        if small is not None:  # every page has a query budget that does not grow
            grows = local[route.name].statements > small[route.name].statements
            checks.append(
                f"statements {small[route.name].statements}→{local[route.name].statements}"
                f" {verdict(not grows)}"
            )
        print(f"  {route.name:<17}" + "; ".join(checks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--cases", type=int, help="cases to generate (default 20,000; 2,000 with --quick)"
    )
    parser.add_argument("--quick", action="store_true", help="a small network and short runs")
    parser.add_argument(
        "--seconds", type=float, help="per route and concurrency (default 5; 2 quick)"
    )
    parser.add_argument(
        "--repetitions", type=int, help="in-process requests per route (default 100; 30 quick)"
    )
    parser.add_argument(
        "--check-growth", action="store_true", help="also count statements at a tenth of the size"
    )
    parser.add_argument(
        "--nodes", type=int, choices=(1, 2), default=1, help="2: two nodes on PostgreSQL"
    )
    parser.add_argument("--port", type=int, default=PORT, help="first port of the range to use")
    parser.add_argument(
        "--redis", default=REDIS, help="Redis for the sign-in limits (a db of its own)"
    )
    args = parser.parse_args()
    sizes = network.Sizes(cases=args.cases or (2_000 if args.quick else 20_000))
    if args.quick:
        sizes = replace(sizes, webinars=100)
    seconds = args.seconds or (2.0 if args.quick else 5.0)
    repetitions = args.repetitions or (30 if args.quick else 100)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    print(f"page benchmark: seed {network.SEED}, {seconds:g} s a route and concurrency, "
          f"{repetitions} in-process repetitions")  # fmt: skip
    for backend in backends:
        small = None
        if args.check_growth:
            small = growth_baseline(backend, sizes, repetitions, args.redis)
        site = Site(backend, sizes, args.redis)
        try:
            started = time.perf_counter()
            made = site.build(index_dirs=2 if args.nodes == 2 and backend == "postgresql" else 1)
            print(f"\n{backend}: network generated, migrated and indexed in "
                  f"{time.perf_counter() - started:.0f} s")  # fmt: skip
            paths = routes(made)
            local = in_process(site, paths, repetitions)
            loaded = under_load(site, paths, seconds, args.port)
            report(backend, made, paths, local, loaded, small)
            if args.nodes == 2 and backend == "postgresql":
                from bench import two_nodes

                two_nodes.run(site, args.port + 10, quick=args.quick)
        finally:
            site.close()


def growth_baseline(backend: str, sizes: network.Sizes, repetitions: int, redis: str) -> dict:
    """Statement counts on a network a tenth the size (at least 50 cities)."""
    smaller = network.Sizes(
        cases=max(1, sizes.cases // 10),
        cities=max(50, sizes.cities // 10),
        webinars=max(1, sizes.webinars // 10),
        requests=max(20, sizes.requests // 10),
    )
    site = Site(backend, smaller, redis)
    try:
        made = site.build()
        print(f"\n{backend}: the smaller network for --check-growth has {made.cases:,} cases, "
              f"{made.cities} cities, {made.requests} requests")  # fmt: skip
        return in_process(site, routes(made), max(5, repetitions // 5))
    finally:
        site.close()


if __name__ == "__main__":
    main()
