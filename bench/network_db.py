"""A generated exchange network in a real database, for `bench/matching.py --from-database`.

The same seeded cities, evidence and requests as the pure benchmark, written through the hub's
models into a fresh SQLite file and a fresh PostgreSQL database (`exchangespeed_bench_...`,
dropped after): the content files, then the generated cities with their declared expertise and
mentor places, published cases led by them, completed exchanges with a rating, and submitted
requests. Then the staff round is timed end to end (load, score, assign, explain, the JSON the
API answers) against the pure routine on the same plain data, and the exchange pages are timed
in process with their SQL statement counts.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from hub import create_app, matching
from hub.accounts import operations as accounts
from hub.cities.models import City, Theme, city_expertise
from hub.content import files as content_files
from hub.exchanges import answers, lifecycle, network
from hub.exchanges.models import (
    Exchange,
    ExchangeParticipant,
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
    exchange_request_themes,
    exchange_themes,
)
from hub.exchanges.states import (
    ExchangeFormat,
    ParticipantSide,
    ProposalStatus,
    RequestStatus,
    StaffDecision,
)
from hub.extensions import db
from hub.publishing.models import CaseStudy, CaseText, case_partner_cities, case_themes
from hub.publishing.states import PublicationState

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("HUB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-1234"
REQUESTER, MENTOR, STAFF = "requester@bench.example", "mentor@bench.example", "staff@bench.example"
PARTNER_SHARE = 0.3  # cases with a partner city besides the lead
RUNNING_SHARE = 0.1  # requests already matched and under way, holding a mentor's place


@dataclass
class Generated:
    cities: int
    cases: int
    exchanges: int
    requests: int
    request_id: int  # a submitted request
    requester: str  # e-mail of a focal point of the city that asked for it
    mentor: str  # e-mail of a focal point of the city with the most mentor places


@contextmanager
def fresh_database(backend: str) -> Iterator[str]:
    """A new empty database's URL; dropped (or deleted) afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="exchangespeed_") as folder:
            yield f"sqlite:///{folder}/hub.sqlite"
        return
    name = f"exchangespeed_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(url: str, folder: str):
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "SEARCH_INDEX_DIR": f"{folder}/search",
            "SEARCH_SYNC": "external",
            "PASSWORD_HASHING": "fast",
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def _insert(model, rows: list[dict]) -> list[int]:
    """Rows inserted through the model in one statement batch; their new ids in order."""
    if not rows:
        return []
    stmt = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.session.scalars(stmt, rows))


def _link(table: sa.Table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def generate(
    cities: list[matching.City],
    evidence: list[matching.Evidence],
    requests: list[matching.Request],
    cases: int,
    seed: int,
) -> Generated:
    """Write the network into the app's empty database (call inside an app context)."""
    rng = random.Random(seed)
    db.create_all()
    report = content_files.load_directory(ROOT / "content")
    assert not report.errors, report.errors
    db.session.flush()
    themes = {t.slug: t.id for t in db.session.scalars(sa.select(Theme))}
    slugs = sorted(themes)

    def theme_id(slug: str) -> int:  # the pure bench's theme names are the content's themes
        return themes.get(slug) or themes[slugs[hash(slug) % len(slugs)]]

    ids = _insert(
        City,
        [
            {
                "slug": c.slug,
                "name": c.slug.replace("-", " ").title(),
                "names": {},
                "country": c.country,
                "region": c.region,
                "population": max(c.population, 1),
                "latitude": c.lat,
                "longitude": c.lon,
                "languages": list(c.languages),
                "mentor_capacity": c.capacity_total,
            }
            for c in cities
        ],
    )
    city_id = {c.id: new for c, new in zip(cities, ids, strict=True)}
    _link(
        city_expertise,
        [
            {"city_id": city_id[e.city_id], "theme_id": theme_id(e.theme)}
            for e in {(e.city_id, e.theme): e for e in evidence if e.kind == "expertise"}.values()
        ],
    )

    # Cases: the evidence's cases first, then more led by the same cities in proportion.
    shown = [e for e in evidence if e.kind == "case"]
    pieces = shown + [rng.choice(shown) for _ in range(max(cases - len(shown), 0))]
    pieces = pieces[:cases]
    case_rows, case_themes_rows, partners = [], [], []
    for n, e in enumerate(pieces):
        case_rows.append(
            {
                "slug": f"bench-case-{n}",
                "lead_city_id": city_id[e.city_id],
                "status": "completed",
                "evidence_level": e.level,
                "state": PublicationState.published,
                "original_language": "en",
                "published_on": date(2020 + n % 6, 1 + n % 12, 1 + n % 28),
            }
        )
    case_ids = _insert(CaseStudy, case_rows)
    texts = []
    for n, (case, e) in enumerate(zip(case_ids, pieces, strict=True)):
        case_themes_rows.append({"case_id": case, "theme_id": theme_id(e.theme)})
        if rng.random() < PARTNER_SHARE:
            partner = city_id[rng.choice(cities).id]
            if partner != city_id[e.city_id]:
                partners.append({"case_id": case, "city_id": partner})
        texts.append(
            {"case_id": case, "language": "en", "title": f"Case {n}", "summary": "A case."}
        )
    _link(case_themes, case_themes_rows)
    _link(case_partner_cities, partners)
    db.session.execute(sa.insert(CaseText), texts)

    # Completed exchanges: the mentor city, a learner, the themes, the learner's rating.
    done = [e for e in evidence if e.kind == "exchange"]
    exchange_ids = _insert(
        Exchange,
        [
            {"slug": f"bench-exchange-{n}", "format": ExchangeFormat.virtual, "started": 2020,
             "ended": 2021, "titles": {"en": f"Exchange {n}"}}
            for n in range(len(done))
        ],
    )  # fmt: skip
    participants, exchange_theme_rows = [], []
    for exchange, e in zip(exchange_ids, done, strict=True):
        learner = city_id[rng.choice(cities).id]
        participants += [
            {"exchange_id": exchange, "position": 0, "side": ParticipantSide.mentor,
             "city_id": city_id[e.city_id]},
            {"exchange_id": exchange, "position": 1, "side": ParticipantSide.learner,
             "city_id": learner},
        ]  # fmt: skip
        exchange_theme_rows.append({"exchange_id": exchange, "theme_id": theme_id(e.theme)})
    db.session.execute(sa.insert(ExchangeParticipant), participants)
    _link(exchange_themes, exchange_theme_rows)

    # Requests: most submitted; some already under way with an accepted mentor.
    mentors = [c for c in cities if c.capacity_total > 0]
    statuses = [
        RequestStatus.in_progress if rng.random() < RUNNING_SHARE else RequestStatus.submitted
        for _ in requests
    ]
    request_ids = _insert(
        ExchangeRequest,
        [
            {
                "city_id": city_id[r.city_id],
                "challenge": f"Challenge {r.id}: what the city wants to learn.",
                "languages": list(r.languages),
                "format": ExchangeFormat.virtual,
                "status": status,
            }
            for r, status in zip(requests, statuses, strict=True)
        ],
    )
    request_themes, history, proposals = [], [], []
    for new, r, status in zip(request_ids, requests, statuses, strict=True):
        request_themes += [
            {"request_id": new, "theme_id": t}
            for t in dict.fromkeys(theme_id(slug) for slug in r.themes)
        ]
        history.append({"request_id": new, "from_status": None, "to_status": status})
        if status == RequestStatus.in_progress:
            mentor = rng.choice(mentors)
            proposals.append(
                {
                    "request_id": new,
                    "mentor_city_id": city_id[mentor.id],
                    "score": 5.0,
                    "rank": 1,
                    "breakdown": {},
                    "facts": {},
                    "status": ProposalStatus.accepted,
                    "staff_decision": StaffDecision.approved,
                }
            )
    _link(exchange_request_themes, request_themes)
    db.session.execute(sa.insert(ExchangeRequestChange), history)
    db.session.execute(sa.insert(MatchProposal), proposals)
    submitted_ids = (n for n, s in zip(request_ids, statuses, strict=True) if s == "submitted")
    first = next(submitted_ids)
    submitted = db.session.get(ExchangeRequest, first)
    biggest = max(mentors, key=lambda c: (c.capacity_total, -c.id))
    accounts.create_user(REQUESTER, "focal_point", PASSWORD, submitted.city.slug)
    accounts.create_user(MENTOR, "focal_point", PASSWORD, biggest.slug)
    accounts.create_user(STAFF, "staff", PASSWORD)
    db.session.commit()
    return Generated(
        len(cities), len(case_ids), len(exchange_ids), len(request_ids), first, REQUESTER, MENTOR
    )


def median_ms(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and p95 wall time of `run` in milliseconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def round_end_to_end(app) -> dict:
    """The staff round from the database, as the dry-run API answers it."""
    with app.test_request_context("/api/v1/matching-rounds"):
        network.forget()
        done = lifecycle.run_round(None, dry_run=True)
        answer = answers.dump(answers.round_out(done, dry_run=True))
        db.session.rollback()
        return answer


def pure_round(app) -> Callable[[], matching.RoundResult]:
    """The pure routine on the same plain data the round reads (network built from it too)."""
    with app.app_context():
        cities, evidence = network.network_data()
        waiting = db.session.scalars(
            sa.select(ExchangeRequest)
            .where(ExchangeRequest.status == RequestStatus.submitted)
            .options(sa.orm.selectinload(ExchangeRequest.themes))
        ).all()
        plain = network.plain_requests(waiting)
        db.session.rollback()

    def run() -> matching.RoundResult:
        return matching.run_round(plain, matching.Network(cities, evidence))

    return run


def signed_in(app, email: str):
    client = app.test_client()
    answer = client.post("/en/login", data={"email": email, "password": PASSWORD})
    assert answer.status_code in (302, 303), answer.status_code
    return client


def pages(app, generated: Generated) -> dict[str, tuple[Callable[[], object], str]]:
    """The exchange reads to time: a signed-in view each, as its reader sees it."""
    with app.app_context():
        token = accounts.issue_token(accounts.find_user(generated.requester))
        db.session.commit()
    mentor = signed_in(app, generated.mentor)
    requester = signed_in(app, generated.requester)
    api = app.test_client()
    detail = f"/en/exchanges/{generated.request_id}"
    suggestions = f"/api/v1/exchange-requests/{generated.request_id}/suggestions"
    headers = {"Authorization": f"Bearer {token}"}
    return {
        "board (mentor city)": (lambda: mentor.get("/en/exchanges"), "/en/exchanges"),
        "request page": (lambda: requester.get(detail), detail),
        "suggestions API": (lambda: api.get(suggestions, headers=headers), suggestions),
    }


def time_pages(app, generated: Generated, repeat: int) -> dict[str, tuple[float, float, int]]:
    """Per page: median and p95 in ms after the first view, and the statements of one view."""
    found = {}
    with app.app_context():
        engine = db.engine
    for name, (view, url) in pages(app, generated).items():
        answer = view()  # the first view may fill the generation's caches
        assert answer.status_code == 200, (url, answer.status_code)
        with counting(engine) as statements:
            view()
        median, p95 = median_ms(view, repeat)
        found[name] = (median, p95, len(statements))
    return found
