"""The routes of the app, filled with real records, and the people who use them: shared by the
tests that walk every route (tests/test_query_budget.py, tests/test_api_errors.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path

import sqlalchemy as sa
import yaml
from flask import Flask, url_for
from werkzeug.routing import Rule

from hub.accounts import operations as accounts
from hub.extensions import db
from tests.conftest import CONTENT, PASSWORD, PEOPLE, app_with_people

# The reading pages of every kind, by path after the language prefix, with `content/` loaded:
# the layout checks walk them in every language.
READER_PAGES = [
    "/",
    "/cases",
    "/cases/mombasa-county-action-plan",
    "/webinars",
    "/webinars/together-for-safety-2022-safe-city-governance",
    "/cities",
    "/cities/mombasa",
    "/themes",
    "/themes/local-action-plans",
    "/network",
    "/exchanges",
    "/search?q=action+plan",
    "/about",
    "/join",
    "/login",
]


ADMIN = "admin"
EVERYONE = [*PEOPLE, ADMIN]
EXCHANGE_REQUEST = {
    "themes": ["local-action-plans"],
    "challenge": "Our action plan stalls between the county and the wards.",
    "languages": ["en", "sw"],
    "format": "mentoring",
    "timeframe": "2027",
}
ANY = re.compile(r"<any\(([^)]*)\):(\w+)>")


@dataclass
class Site:
    """An app with `content/`, every one of PEOPLE and an admin, their API tokens, and records
    for every kind of id a route takes."""

    app: Flask
    tokens: dict[str, str] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)

    def api(self, who: str | None, method: str, path: str, **options):
        headers = dict(options.pop("headers", {}))
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.app.test_client().open(path, method=method, headers=headers, **options)

    def signed_in(self, who: str | None):
        """A test client, signed in through the sign-in page as `who` (None: anonymous)."""
        client = self.app.test_client()
        if who is not None:
            answer = client.post(
                "/en/login", data={"email": f"{who}@example.org", "password": PASSWORD}
            )
            assert answer.status_code == 302, (who, answer.status_code)
        return client


def make_site(database) -> Site:
    app = app_with_people(database, WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)
    site = Site(app)
    with app.app_context():
        accounts.create_user(f"{ADMIN}@example.org", "admin", PASSWORD)
        db.session.flush()
        site.tokens = {
            name: accounts.issue_token(accounts.find_user(f"{name}@example.org"))
            for name in EVERYONE
        }
        site.values["token"] = accounts.reset_token(accounts.find_user("practitioner@example.org"))
        site.values["user_id"] = accounts.find_user("practitioner@example.org").id
        db.session.commit()
    draft = site.api("zanzibar", "POST", "/api/v1/exchange-requests", json=EXCHANGE_REQUEST)
    assert draft.status_code == 201, draft.get_data(as_text=True)
    request_id, proposal_id = ask_and_match(site, "zanzibar")
    # One request left open after the round, so the board shows a request to offer on from the
    # start, and what grows with the data is only the number of requests.
    still_open = site.api(
        "saida",
        "POST",
        "/api/v1/exchange-requests",
        json={**EXCHANGE_REQUEST, "status": "submitted"},
    )
    assert still_open.status_code == 201, still_open.get_data(as_text=True)
    site.values |= {
        "draft_request_id": draft.json["id"],
        "request_id": request_id,
        "proposal_id": proposal_id,
    }
    site.values |= first_records(app)
    return site


def ask_and_match(site: Site, who: str) -> tuple[int, int | None]:
    """A submitted request of `who`'s city, and the proposal a matching round made for it."""
    asked = site.api(
        who,
        "POST",
        "/api/v1/exchange-requests",
        json={**EXCHANGE_REQUEST, "status": "submitted"},
    )
    assert asked.status_code == 201, asked.get_data(as_text=True)
    done = site.api("staff", "POST", "/api/v1/matching-rounds", json={})
    assert done.status_code == 201, done.get_data(as_text=True)
    proposals = [p["id"] for p in done.json["proposals"] if p["request"] == asked.json["id"]]
    return asked.json["id"], (proposals[0] if proposals else None)


def first_records(app: Flask) -> dict[str, object]:
    """The first case, webinar, theme and translation report, for the routes that name one."""
    from hub.cities.models import Theme
    from hub.publishing.models import CaseStudy, TranslationReport, Webinar

    with app.app_context():
        case = db.session.scalar(sa.select(CaseStudy).order_by(CaseStudy.id))
        webinar = db.session.scalar(sa.select(Webinar).order_by(Webinar.id))
        theme = db.session.scalar(sa.select(Theme).order_by(Theme.id))
        report = db.session.scalar(sa.select(TranslationReport.id).order_by(TranslationReport.id))
        return {
            "case": (case.id, case.slug),
            "webinar": (webinar.id, webinar.slug),
            "theme_slug": theme.slug,
            "report_id": report or 1,
        }


# The slug a route takes, by the blueprint it belongs to.
SLUGS = {"cases": "case", "webinars": "webinar", "cities": "city", "home": "theme"}


def _slug_kind(rule: Rule) -> str:
    """The slug's kind for a route outside those blueprints (feeds, calendars): by its path."""
    for part, kind in (("/cases/", "case"), ("/webinars/", "webinar"), ("/cities/", "city")):
        if part in rule.rule:
            return kind
    return "theme"


def urls(app: Flask, rule: Rule, values: dict[str, object]) -> list[str]:
    """Every address of `rule`: one per choice of its `any(...)` parts, the other parts filled
    from `values`. A KeyError names a part no test knows how to fill yet."""
    choices = {
        name: options.replace(" ", "").split(",") for options, name in ANY.findall(rule.rule)
    }
    found = []
    for picked in product(*choices.values()):
        chosen = dict(zip(choices, picked, strict=True))
        arguments = {name: fill(rule, name, chosen, values) for name in rule.arguments}
        with app.test_request_context():
            found.append(url_for(rule.endpoint, **arguments))
    return found


def fill(rule: Rule, name: str, chosen: dict[str, str], values: dict[str, object]) -> object:
    if name in chosen:
        return chosen[name]
    if name == "request_id" and rule.endpoint == "exchanges.edit":
        return values["draft_request_id"]
    if name in values:
        return values[name]
    kind = chosen.get("kind") or chosen.get("collection", "").removesuffix("s")
    kind = kind or ("case" if "/cases/" in rule.rule else "webinar")
    blueprint = rule.endpoint.partition(".")[0]
    if name == "lang":
        return "en"
    if name == "code":  # a translation's language
        return "ar"
    if name == "slug":
        kind = SLUGS.get(blueprint) or _slug_kind(rule)
        if kind == "city":
            return "zanzibar"
        if kind == "theme":
            return values["theme_slug"]
        return values[kind][1]
    if name == "record_id":
        return values[kind][0]
    return values[name]


def routes(app: Flask, methods: set[str], prefix: str = "/") -> list[Rule]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and rule.methods & methods and rule.rule.startswith(prefix)
        ),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


# --- More data: 500 cases with texts, themes and partner cities, and 50 cities ---------------


def split(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def write(path: Path, front: dict, body: str) -> None:
    text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"---\n{text}---\n{body}", encoding="utf-8")


def more_content(directory: Path, cases: int = 500, cities: int = 50) -> Path:
    """Content files for `cities` more cities and `cases` more cases, each case in English and
    Arabic, led by one of the new cities with two others as partners."""
    (directory / "cities").mkdir(parents=True)
    (directory / "cases").mkdir()
    city, city_body = split(CONTENT / "cities" / "berlin.md")
    slugs = [f"extra-city-{n}" for n in range(cities)]
    for n, slug in enumerate(slugs):
        names = {language: f"{name} {n}" for language, name in city["names"].items()}
        front = {**city, "slug": slug, "name": f"Extra City {n}", "names": names}
        write(directory / "cities" / f"{slug}.md", front, city_body)
    original = "saida-local-prevention-network"
    case, case_body = split(CONTENT / "cases" / f"{original}.en.md")
    arabic, arabic_body = split(CONTENT / "cases" / f"{original}.ar.md")
    for n in range(cases):
        slug = f"extra-case-{n}"
        front = {
            **case,
            "slug": slug,
            "title": f"{case['title']} {n}",
            "lead_city": slugs[n % cities],
            "partner_cities": [slugs[(n + 1) % cities], slugs[(n + 2) % cities]],
        }
        write(directory / "cases" / f"{slug}.en.md", front, case_body)
        translation = {**arabic, "translation_of": slug, "title": f"{arabic['title']} {n}"}
        write(directory / "cases" / f"{slug}.ar.md", translation, arabic_body)
    return directory
