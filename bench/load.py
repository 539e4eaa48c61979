"""An asyncio HTTP load driver: a fixed number of clients request one URL (or each of a list
in turn) back to back for a fixed time, and the run is summed up as requests per second and
latency percentiles."""

from __future__ import annotations

import asyncio
import itertools
import re
import statistics
import time
from dataclasses import dataclass

import aiohttp

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TIMEOUT = aiohttp.ClientTimeout(total=30)


@dataclass(frozen=True)
class Result:
    requests: int
    errors: int  # answers other than the expected status, and failed connections
    seconds: float
    latencies: tuple[float, ...]  # ms, of the answered requests

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(0.99)


async def _drive(
    urls: list[str], headers: dict[str, str], concurrency: int, seconds: float, limit: int
) -> Result:
    latencies: list[float] = []
    errors = 0
    turn = itertools.cycle(urls)
    connector = aiohttp.TCPConnector(limit=concurrency)
    jar = aiohttp.DummyCookieJar()  # send the cookie given, never one a response sets
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=jar, headers=headers, timeout=TIMEOUT
    ) as session:
        started = time.perf_counter()
        deadline = started + seconds

        async def client() -> None:
            nonlocal errors
            while time.perf_counter() < deadline and len(latencies) + errors < limit:
                sent = time.perf_counter()
                try:
                    async with session.get(next(turn), allow_redirects=False) as response:
                        await response.read()
                        ok = response.status == 200
                except (TimeoutError, aiohttp.ClientError):
                    ok = False  # refused, cut, or no answer within TIMEOUT
                if ok:
                    latencies.append((time.perf_counter() - sent) * 1000)
                else:
                    errors += 1

        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result(len(latencies), errors, elapsed, tuple(latencies))


def drive(
    url: str | list[str],
    headers: dict[str, str] | None = None,
    concurrency: int = 8,
    seconds: float = 5.0,
    limit: int = 1_000_000,
) -> Result:
    """`concurrency` clients GET `url` (or the URLs of a list in turn) until `seconds` pass or
    `limit` requests are made."""
    urls = [url] if isinstance(url, str) else url
    return asyncio.run(_drive(urls, headers or {}, concurrency, seconds, limit))


async def _sign_in(base: str, email: str, password: str) -> tuple[int, str]:
    jar = aiohttp.CookieJar(unsafe=True)  # keeps cookies of 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=TIMEOUT) as session:
        async with session.get(f"{base}/en/login") as page:
            found = CSRF.search(await page.text())
        form = {"email": email, "password": password, "csrf_token": found[1] if found else ""}
        async with session.post(f"{base}/en/login", data=form, allow_redirects=False) as answer:
            status = answer.status
        cookie = "; ".join(f"{c.key}={c.value}" for c in jar)
    return status, cookie


def sign_in(base: str, email: str, password: str) -> tuple[int, str]:
    """Sign in through the form as a browser does: the answer's status and the Cookie header
    that carries the session afterwards (302 means signed in, 401 refused, 429 limited)."""
    return asyncio.run(_sign_in(base, email, password))
