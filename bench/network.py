"""A reproducible network for the page benchmark: cities, case studies, webinars and exchange
requests in mixed states, inserted in bulk through the hub's tables.

    with app.app_context():            # on a database built by the real migrations
        made = network.generate(Sizes(cases=20_000))

The same seed and sizes give the same network on SQLite and PostgreSQL. The theme list comes
from content/themes; everything else is generated, its text drawn from the vocabulary of the
network's own content files (bench/corpus.py). Proposals carry the scores and breakdowns the
hub's matching routine gives for the generated cities, so every page renders them as it would
real ones.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from bench.corpus import LANGS, ROOT, sentence, vocabularies
from hub import matching
from hub.cities.models import City, city_expertise
from hub.content import files as content_files
from hub.exchanges import network as exchange_network
from hub.exchanges.models import (
    ExchangeRequest,
    ExchangeRequestChange,
    MatchProposal,
    exchange_request_themes,
)
from hub.exchanges.states import (
    Decision,
    ExchangeFormat,
    ProposalStatus,
    RequestStatus,
    StaffDecision,
)
from hub.extensions import db
from hub.generation import Change
from hub.publishing.models import (
    CaseStudy,
    CaseText,
    Speaker,
    Webinar,
    WebinarText,
    case_partner_cities,
    case_themes,
    webinar_themes,
)
from hub.vocab import REGIONS, WEBINAR_FORMATS

SEED = 20261130
CHUNK = 2000
# How often a case has each language besides English (the network writes mostly in English,
# Arabic next); a case has 1 to 4 languages.
EXTRA_LANGUAGE_ODDS = {"ar": 0.6, "fr": 0.25, "es": 0.25}
# Share of cities that offer to mentor, and their capacity (exchanges at once).
MENTOR_SHARE = 0.4
MENTOR_CAPACITY = (1, 4)
# The mix of request states, as a network a year into using the hub might show.
REQUEST_STATES = {
    RequestStatus.draft: 0.08,
    RequestStatus.submitted: 0.40,
    RequestStatus.proposed: 0.20,
    RequestStatus.accepted: 0.08,
    RequestStatus.in_progress: 0.06,
    RequestStatus.completed: 0.10,
    RequestStatus.withdrawn: 0.05,
    RequestStatus.declined: 0.03,
}
# The path each state took from draft, for the request's history.
PATHS = {
    RequestStatus.draft: [RequestStatus.draft],
    RequestStatus.submitted: [RequestStatus.draft, RequestStatus.submitted],
    RequestStatus.proposed: [RequestStatus.draft, RequestStatus.submitted, RequestStatus.proposed],
    RequestStatus.accepted: [
        RequestStatus.draft,
        RequestStatus.submitted,
        RequestStatus.proposed,
        RequestStatus.accepted,
    ],
    RequestStatus.in_progress: [
        RequestStatus.draft,
        RequestStatus.submitted,
        RequestStatus.proposed,
        RequestStatus.accepted,
        RequestStatus.in_progress,
    ],
    RequestStatus.completed: [
        RequestStatus.draft,
        RequestStatus.submitted,
        RequestStatus.proposed,
        RequestStatus.accepted,
        RequestStatus.in_progress,
        RequestStatus.completed,
    ],
    RequestStatus.withdrawn: [
        RequestStatus.draft,
        RequestStatus.submitted,
        RequestStatus.withdrawn,
    ],
    RequestStatus.declined: [
        RequestStatus.draft,
        RequestStatus.submitted,
        RequestStatus.proposed,
        RequestStatus.declined,
    ],
}
COUNTRIES = ("KE", "LB", "MW", "NO", "DE", "GB", "US", "TZ", "FR", "ES", "MA", "JO", "CO", "ID")


@dataclass(frozen=True)
class Sizes:
    cases: int = 20_000
    cities: int = 500
    webinars: int = 300
    requests: int = 2_000


@dataclass
class Made:
    """What `generate` inserted: counts the benchmark prints and the test checks."""

    cities: int = 0
    mentors: int = 0
    cases: int = 0
    case_texts: int = 0
    webinars: int = 0
    requests: int = 0
    proposals: int = 0
    languages_per_case: Counter = field(default_factory=Counter)
    requests_by_status: Counter = field(default_factory=Counter)
    # Slugs and ids the benchmark visits: the busiest city, a case, a submitted request.
    city_slug: str = ""
    case_slug: str = ""
    submitted_request: int = 0
    submitted_city_slug: str = ""


def _first_id(model) -> int:
    return (db.session.scalar(sa.select(sa.func.max(model.id))) or 0) + 1


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(table), rows[start : start + CHUNK])


def _languages(rng: random.Random) -> list[str]:
    return ["en"] + [lang for lang, odds in EXTRA_LANGUAGE_ODDS.items() if rng.random() < odds]


def _cities(rng: random.Random, count: int, themes: list[int], vocab, made: Made) -> list[int]:
    first = _first_id(City)
    rows, expertise = [], []
    for offset in range(count):
        city_id = first + offset
        languages = rng.sample(LANGS, rng.randint(1, 3))
        mentor = rng.random() < MENTOR_SHARE
        made.mentors += mentor
        rows.append(
            {
                "id": city_id,
                "slug": f"city-{offset:04d}",
                "name": f"City {offset}",
                "names": {"ar": f"مدينة {offset}", "fr": f"Ville {offset}"},
                "country": rng.choice(COUNTRIES),
                "region": rng.choice(list(REGIONS)),
                "population": int(rng.lognormvariate(12.5, 1.3)) + 5_000,
                "population_source": "generated",
                "latitude": round(rng.uniform(-40, 65), 4),
                "longitude": round(rng.uniform(-120, 150), 4),
                "timezone": "UTC",
                "languages": languages,
                "member_since": rng.randint(2016, 2026),
                "mentor_capacity": rng.randint(*MENTOR_CAPACITY) if mentor else 0,
                "summaries": {lang: sentence(rng, vocab[lang], 20, 40) for lang in languages},
            }
        )
        for theme in rng.sample(themes, rng.randint(1, 4) if mentor else rng.randint(0, 1)):
            expertise.append({"city_id": city_id, "theme_id": theme})
    _insert(City, rows)
    _insert(city_expertise, expertise)
    made.cities = count
    return [row["id"] for row in rows]


def _cases(rng, count: int, cities: list[int], themes: list[int], vocab, made: Made) -> None:
    first = _first_id(CaseStudy)
    cases, texts, links, partners = [], [], [], []
    for offset in range(count):
        case_id = first + offset
        languages = _languages(rng)
        made.languages_per_case[len(languages)] += 1
        original = rng.choice(languages)
        year = rng.randint(2015, 2026)
        cases.append(
            {
                "id": case_id,
                "slug": f"case-{offset:05d}",
                "original_language": original,
                "state": "published",
                "lead_city_id": rng.choice(cities),
                "partner_organizations": [],
                "start_year": year,
                "status": rng.choice(("ongoing", "completed")),
                "evidence_level": rng.choice(("none", "monitored", "independently-evaluated")),
                "cost_band": "unknown",
                "staffing_band": "unknown",
                "contact": "",
                "source": "",
                "published_on": date(year, rng.randint(1, 12), rng.randint(1, 28)),
            }
        )
        for lang in languages:
            words = vocab[lang]
            texts.append(
                {
                    "case_id": case_id,
                    "language": lang,
                    "machine_translated": lang != original,
                    "title": sentence(rng, words, 5, 10).capitalize(),
                    "summary": sentence(rng, words, 30, 60),
                    "body": sentence(rng, words, 120, 280),
                    "target_audience": "",
                    "what_was_done": sentence(rng, words, 20, 40),
                    "results": sentence(rng, words, 10, 30),
                    "what_did_not_work": "",
                    "transferability": "",
                }
            )
        for theme in rng.sample(themes, rng.randint(1, 3)):
            links.append({"case_id": case_id, "theme_id": theme})
        if rng.random() < 0.3:
            partners.append({"case_id": case_id, "city_id": rng.choice(cities)})
    _insert(CaseStudy, cases)
    _insert(CaseText, texts)
    _insert(case_themes, links)
    _insert(case_partner_cities, partners)
    made.cases, made.case_texts = count, len(texts)
    made.case_slug = cases[0]["slug"] if cases else ""


def _webinars(rng, count: int, cities: list[int], themes: list[int], vocab, made: Made) -> None:
    first = _first_id(Webinar)
    webinars, texts, links, speakers = [], [], [], []
    for offset in range(count):
        webinar_id = first + offset
        languages = _languages(rng)[: rng.randint(1, 2)]
        starts = date(2019, 1, 1) + timedelta(days=rng.randint(0, 8 * 365))
        webinars.append(
            {
                "id": webinar_id,
                "slug": f"webinar-{offset:04d}",
                "original_language": languages[0],
                "state": "published",
                "starts_on": starts,
                "start_time": time(rng.choice((9, 13, 15, 17))),
                "timezone": "UTC",
                "date_precision": "minute",
                "format": rng.choice(list(WEBINAR_FORMATS)),
                "organizers": [],
                "source": "",
                "published_on": starts,
            }
        )
        for lang in languages:
            words = vocab[lang]
            texts.append(
                {
                    "webinar_id": webinar_id,
                    "language": lang,
                    "machine_translated": lang != languages[0],
                    "series": "Together for Safety",
                    "title": sentence(rng, words, 4, 9).capitalize(),
                    "summary": sentence(rng, words, 20, 50),
                    "body": sentence(rng, words, 60, 200),
                    "takeaways": [
                        {"title": sentence(rng, words, 2, 5), "text": sentence(rng, words, 10, 25)}
                        for _ in range(rng.randint(2, 5))
                    ],
                }
            )
        for theme in rng.sample(themes, rng.randint(1, 2)):
            links.append({"webinar_id": webinar_id, "theme_id": theme})
        for position in range(rng.randint(1, 3)):
            speakers.append(
                {
                    "webinar_id": webinar_id,
                    "position": position,
                    "city_id": rng.choice(cities),
                    "names": {languages[0]: f"Speaker {offset}-{position}"},
                    "roles": {languages[0]: "Adviser"},
                }
            )
    _insert(Webinar, webinars)
    _insert(WebinarText, texts)
    _insert(webinar_themes, links)
    _insert(Speaker, speakers)
    made.webinars = count


def _requests(rng, count: int, cities: list[int], themes: list[int], vocab, made: Made) -> None:
    first = _first_id(ExchangeRequest)
    started = datetime(2025, 1, 1)
    rows, links, history = [], [], []
    states, weights = zip(*REQUEST_STATES.items(), strict=True)
    for offset in range(count):
        request_id = first + offset
        status = rng.choices(states, weights)[0]
        made.requests_by_status[status] += 1
        created = started + timedelta(minutes=rng.randint(0, 600_000))
        rows.append(
            {
                "id": request_id,
                "city_id": rng.choice(cities),
                "challenge": sentence(rng, vocab["en"], 20, 60),
                "languages": rng.sample(LANGS, rng.randint(1, 2)),
                "format": rng.choice(list(ExchangeFormat)),
                "timeframe": "Next year",
                "status": status,
                "created_at": created,
                "updated_at": created,
            }
        )
        for theme in rng.sample(themes, rng.randint(1, 3)):
            links.append({"request_id": request_id, "theme_id": theme})
        path = PATHS[status]
        for step, (before, after) in enumerate(zip([None, *path], path, strict=False)):
            history.append(
                {
                    "request_id": request_id,
                    "from_status": before,
                    "to_status": after,
                    "note": "",
                    "created_at": created + timedelta(hours=step),
                }
            )
    _insert(ExchangeRequest, rows)
    _insert(exchange_request_themes, links)
    _insert(ExchangeRequestChange, history)
    made.requests = count
    submitted = [row for row in rows if row["status"] == RequestStatus.submitted]
    if submitted:
        newest = max(submitted, key=lambda row: (row["created_at"], row["id"]))
        made.submitted_request = newest["id"]


# What each request state says of its one proposal: status, staff's and both cities' decisions.
PROPOSAL_OF = {
    RequestStatus.proposed: (ProposalStatus.proposed, None, None, None),
    RequestStatus.accepted: (
        ProposalStatus.accepted,
        StaffDecision.approved,
        Decision.accepted,
        Decision.accepted,
    ),
    RequestStatus.declined: (
        ProposalStatus.declined,
        StaffDecision.approved,
        Decision.declined,
        None,
    ),
}
PROPOSAL_OF[RequestStatus.in_progress] = PROPOSAL_OF[RequestStatus.accepted]
PROPOSAL_OF[RequestStatus.completed] = PROPOSAL_OF[RequestStatus.accepted]


def _proposals(rng: random.Random, made: Made) -> None:
    """One proposal per request past submission, as the matching routine scores its best
    mentor: the stored breakdown and facts are the routine's own."""
    waiting = db.session.scalars(
        sa.select(ExchangeRequest)
        .where(ExchangeRequest.status.in_(list(PROPOSAL_OF)))
        .options(selectinload(ExchangeRequest.themes))
    ).all()
    built = exchange_network.build_network()
    first = _first_id(MatchProposal)
    by_id = {r.id: r for r in waiting}
    rows = []
    for plain in exchange_network.plain_requests(waiting):
        found = matching.suggest(plain, built, limit=3)
        if not found:
            continue
        chosen = rng.choice(found)
        status, staff, requester, mentor = PROPOSAL_OF[by_id[plain.id].status]
        if status == ProposalStatus.proposed and rng.random() < 0.5:
            staff = StaffDecision.approved  # half wait for staff, half for the two cities
        rows.append(
            {
                "id": first + len(rows),
                "request_id": plain.id,
                "mentor_city_id": chosen.mentor_id,
                "score": chosen.score,
                "rank": chosen.rank,
                "breakdown": chosen.breakdown,
                "facts": chosen.facts,
                "status": status,
                "staff_decision": staff,
                "requester_decision": requester,
                "mentor_decision": mentor,
                "created_at": by_id[plain.id].created_at + timedelta(days=1),
            }
        )
    _insert(MatchProposal, rows)
    made.proposals = len(rows)


def _advance_sequences() -> None:
    """PostgreSQL: ids were given explicitly, so move each sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (
        City,
        CaseStudy,
        CaseText,
        Webinar,
        WebinarText,
        Speaker,
        ExchangeRequest,
        ExchangeRequestChange,
        MatchProposal,
    ):
        table = model.__tablename__
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        )


def generate(sizes: Sizes = Sizes(), seed: int = SEED) -> Made:
    """Insert the network into the current app's database (schema already built) and commit."""
    rng = random.Random(seed)
    vocab = vocabularies()
    report = content_files.load_directory(ROOT / "content" / "themes")
    if report.errors:
        raise RuntimeError(f"content/themes did not load: {report.errors}")
    db.session.commit()
    themes = list(db.session.scalars(sa.text("SELECT id FROM themes ORDER BY id")))
    made = Made()
    cities = _cities(rng, sizes.cities, themes, vocab, made)
    _cases(rng, sizes.cases, cities, themes, vocab, made)
    _webinars(rng, sizes.webinars, cities, themes, vocab, made)
    _requests(rng, sizes.requests, cities, themes, vocab, made)
    db.session.flush()
    _proposals(rng, made)
    _advance_sequences()
    db.session.add(Change())  # a new generation: caches built before the load are stale
    db.session.commit()
    made.city_slug = db.session.scalar(
        sa.select(City.slug)
        .join(CaseStudy, CaseStudy.lead_city_id == City.id)
        .group_by(City.slug)
        .order_by(sa.func.count().desc(), City.slug)
        .limit(1)
    )
    if made.submitted_request:
        made.submitted_city_slug = db.session.scalar(
            sa.select(City.slug)
            .join(ExchangeRequest, ExchangeRequest.city_id == City.id)
            .where(ExchangeRequest.id == made.submitted_request)
        )
    return made
