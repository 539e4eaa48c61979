"""Every /api/v1 route, called every wrong way (bad ids, bodies that are not JSON, JSON of the
wrong shape, bodies too large, no token, a bad token, a token without the role), answers with a
status the API documents and the one error envelope, `{"errors": {field_or_"_": message}}`, in the
reader's language; never with a 500."""

from __future__ import annotations

import json

import pytest
from werkzeug.routing import IntegerConverter

from tests.walk import make_site, routes, urls

ERRORS = {400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 428, 429}
BAD_IDS = ["0", "-1", "2147483648", "99999999999999999999", "abc"]
SENTINEL = 7654321  # stands for an id in a built address, then replaced by a bad one
JSON = "application/json"
# A value of the wrong type for every field an API body takes.
WRONG_TYPES = {
    "themes": "local-action-plans",
    "challenge": 5,
    "languages": "en",
    "format": ["mentoring"],
    "timeframe": {"year": 2027},
    "status": 1,
    "title": ["A title"],
    "slug": 12,
    "summary": None,
    "texts": "en",
    "state": True,
    "rating": "five",
    "outcomes": 1,
    "feedback": [],
    "city": 3,
    "mentor": {},
    "dry_run": "no",
}
BODIES = {
    "malformed": ('{"challenge": ', JSON),
    "a list": ("[]", JSON),
    "a string": ('"challenge"', JSON),
    "a number": ("12", JSON),
    "null": ("null", JSON),
    "nested lists": ("[" * 2000 + "]" * 2000, JSON),
    "nested objects": ('{"a": ' * 2000 + "1" + "}" * 2000, JSON),
    "wrong types": (json.dumps(WRONG_TYPES), JSON),
    "not JSON": ("challenge=Our+plan", "application/x-www-form-urlencoded"),
    "plain text": ("Our plan", "text/plain"),
}


@pytest.fixture
def site(database):
    return make_site(database)


def calls(site, methods=None):
    """(method, address, rule) for every /api/v1 route and method (of `methods` only, if given),
    ids filled from records."""
    for rule in routes(site.app, {"GET", "POST", "PATCH", "PUT", "DELETE"}, prefix="/api/"):
        taken = rule.methods - {"HEAD", "OPTIONS"}
        for method in sorted(taken & methods if methods else taken):
            for url in urls(site.app, rule, site.values):
                yield method, url, rule


def problem(answer, expected: set[int] | None = None) -> str | None:
    """What is wrong with an answer to a wrong call, or None."""
    status = answer.status_code
    if expected is not None and status not in expected:
        return f"{status}, not one of {sorted(expected)}"
    if 200 <= status < 300:
        return None
    if status not in ERRORS:
        return f"status {status}"
    body = answer.get_json(silent=True)
    errors = body.get("errors") if isinstance(body, dict) else None
    if (
        list(body or {}) != ["errors"]
        or not isinstance(errors, dict)
        or not errors
        or not all(isinstance(k, str) and isinstance(v, str) and v for k, v in errors.items())
    ):
        return f"{status} with body {answer.get_data(as_text=True)[:200]!r}"
    if status == 401 and "WWW-Authenticate" not in answer.headers:
        return "401 without WWW-Authenticate"
    if status == 405 and "Allow" not in answer.headers:
        return "405 without Allow"
    return None


def walk(site, who, cases, methods=None) -> list[str]:
    found = []
    for method, url, rule in calls(site, methods):
        for name, (address, options, expected) in cases(url, rule, method).items():
            try:
                answer = site.api(who, method, address, **options)
            except Exception as error:  # a 500 outside tests
                found.append(f"{method} {address[:80]} ({name}): raised {error!r}")
                continue
            if (wrong := problem(answer, expected)) is not None:
                found.append(f"{method} {address[:80]} ({name}): {wrong}")
    return found


def id_arguments(rule) -> list[str]:
    return [name for name, kind in rule._converters.items() if isinstance(kind, IntegerConverter)]


def with_id(site, rule, url: str, name: str, value: int) -> str:
    """`url`, an address of `rule`, with `value` for its id argument `name`."""
    addresses = urls(site.app, rule, site.values)
    return urls(site.app, rule, site.values | {name: value})[addresses.index(url)]


def with_bad_ids(site):
    def cases(url, rule, method):
        found = {}
        for name in id_arguments(rule):
            marked = with_id(site, rule, url, name, SENTINEL)
            for bad in BAD_IDS:
                found[f"{name}={bad}"] = (marked.replace(str(SENTINEL), bad), {}, None)
        return found

    return cases


@pytest.mark.parametrize("who", ["staff", "zanzibar"])
def test_bad_ids_are_not_found(site, who):
    found = walk(site, who, with_bad_ids(site))
    assert not found, "\n".join(found)


def bad_bodies(url, rule, method):
    return {
        name: (url, {"data": data, "content_type": kind}, None)
        for name, (data, kind) in BODIES.items()
    }


@pytest.mark.parametrize("who", ["staff", "zanzibar"])
def test_bad_bodies_are_refused_in_the_envelope(site, who):
    found = walk(site, who, bad_bodies)
    assert not found, "\n".join(found)


def test_a_body_over_the_limit_is_413(site):
    limit = site.app.config["MAX_CONTENT_LENGTH"]
    body = json.dumps({"challenge": "x" * limit})

    def cases(url, rule, method):
        return {"oversized": (url, {"data": body, "content_type": JSON}, {413})}

    found = walk(site, "staff", cases, methods={"POST", "PATCH"})
    assert not found, "\n".join(found)


def test_a_method_a_route_does_not_take_is_405_with_allow(site):
    found = []
    for _method, url, _rule in calls(site, {"GET", "POST"}):
        answer = site.api("staff", "PUT", url)
        if (wrong := problem(answer, {405})) is not None:
            found.append(f"PUT {url}: {wrong}")
    assert not found, "\n".join(found)


def plain(url, rule, method):
    return {"no body": (url, {}, None)}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-token", "Bearer", "not-a-token", "Basic c3RhZmY6c3RhZmY="]
)
def test_no_token_or_a_bad_one_is_401(site, authorization):
    found = []
    headers = {"Authorization": authorization} if authorization else {}
    for method, url, _rule in calls(site):
        answer = site.api(None, method, url, headers=headers)
        public = method == "GET" and 200 <= answer.status_code < 300
        if (wrong := problem(answer, None if public else {401})) is not None:
            found.append(f"{method} {url}: {wrong}")
    assert not found, "\n".join(found)


def test_a_token_without_the_role_is_refused(site):
    found = walk(site, "practitioner", plain)
    assert not found, "\n".join(found)


def test_errors_are_in_the_language_asked_for(site):
    found = []
    for method, url, rule in calls(site):
        for name in id_arguments(rule):
            address = with_id(site, rule, url, name, 2147483648)
            english = site.api("staff", method, f"{address}?lang=en")
            arabic = site.api("staff", method, f"{address}?lang=ar")
            for answer in (english, arabic):
                if (wrong := problem(answer, {404})) is not None:
                    found.append(f"{method} {address}: {wrong}")
            if english.status_code == arabic.status_code == 404:
                if english.json["errors"] == arabic.json["errors"]:
                    found.append(f"{method} {address}: ?lang=ar gives {english.json}")
    assert not found, "\n".join(found)
