"""The OpenAPI 3.1 document of `/api/v1`, built from the URL map, the `@allow` policies and the
declared pydantic schemas (`hub.openapi.declarations`), so it cannot drift from the code."""

from __future__ import annotations

import re
from itertools import product
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from hub.i18n import LANGUAGES
from hub.openapi.answers import Errors
from hub.openapi.declarations import OPERATIONS, Operation
from hub.security.access import PUBLIC, policy_of
from hub.types import MAX_ID, SLUG_PATTERN

API = "/api/v1"
REF = "#/components/schemas/{model}"
_PART = re.compile(r"<(?:([a-zA-Z_]\w*)(?:\((.*?)\))?:)?(\w+)>")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

DESCRIPTION = """\
The hub's JSON API: case studies and webinar records (publishing), peer exchanges and matching,
and search. Every capability a page offers is here too.

**Authentication.** Send `Authorization: Bearer <token>` (a personal token from
`flask --app hub users token EMAIL`). A token acts with exactly its user's role; session cookies
are ignored here. Public reads need no token. A missing or unknown token on a protected route is
a 401 with `WWW-Authenticate: Bearer`; a role that may not call it, a 403; a record the caller
may not see, a 404 (its existence does not leak).

**Errors.** Every error answers `{"errors": {field: message}}`, the message in the language of
`?lang=` (en, ar, fr, es) or of `Accept-Language`; `_` holds a message about the whole request.
Bad input is a 400 and changes nothing; a step that does not fit the record's state, or a write
that lost a race with another, is a 409.

**Versions (ETag / If-Match).** An answer about one record may carry an `ETag` header naming the
version it shows. Send it back in `If-Match` with a PATCH or DELETE: if the record changed since,
the answer is 412 Precondition Failed and nothing changes; GET the record again and retry.
`If-Match` is required: without it the answer is 428 Precondition Required and nothing changes
(`If-Match: *` replaces whatever the record holds now).

**Pagination.** Lists answer one page at a time: `page` (from 1) and `per_page` choose it; the
answer says `total`, and a `Link` header (RFC 8288) gives the `next`, `prev`, `first` and `last`
pages where they exist.
"""


def build(app: Flask) -> dict[str, Any]:
    """The document for `app`'s /api/v1 routes."""
    models: dict[tuple[type[BaseModel], str], None] = {(Errors, "serialization"): None}
    operations: list[tuple[str, str, Rule, Operation, dict[str, str]]] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        if not rule.rule.startswith(API + "/") or rule.endpoint not in OPERATIONS:
            continue
        declared = OPERATIONS[rule.endpoint]
        for choices in _choices(rule):
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                operations.append((method, _path(rule, choices), rule, declared, choices))
                for model, mode in _models(declared, choices):
                    models[(model, mode)] = None
    keys, definitions = models_json_schema(list(models), ref_template=REF)
    refs = {model_mode: schema for model_mode, schema in keys.items()}
    paths: dict[str, dict] = {}
    for method, path, rule, declared, choices in operations:
        view = app.view_functions[rule.endpoint]
        entry = _operation(method, rule, declared, choices, policy_of(view), refs)
        entry["description"] = (view.__doc__ or "").strip() or entry["summary"]
        paths.setdefault(path, {})[method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cities Knowledge Hub API",
            "version": "1",
            "description": DESCRIPTION,
            "license": {"name": "CC BY 4.0 (open data)", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS.values())],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token: `flask --app hub users token EMAIL`.",
                }
            },
            "headers": {
                "ETag": {
                    "description": "The version of the record this answer shows.",
                    "schema": {"type": "string"},
                },
                "Link": {
                    "description": "The first, last, prev and next pages (RFC 8288), such as "
                    '`</api/v1/search?q=youth&page=2&per_page=20>; rel="next"`.',
                    "schema": {"type": "string"},
                },
                "Location": {
                    "description": "Where the record made or changed lives.",
                    "schema": {"type": "string"},
                },
            },
        },
    }


# --- Paths -----------------------------------------------------------------------------------


def _choices(rule: Rule) -> list[dict[str, str]]:
    """One set of values per combination of the rule's `any(...)` parts."""
    options = {
        name: [choice.strip() for choice in arguments.split(",")]
        for converter, arguments, name in _PART.findall(rule.rule)
        if converter == "any"
    }
    return [dict(zip(options, picked, strict=True)) for picked in product(*options.values())]


def _path(rule: Rule, choices: dict[str, str]) -> str:
    def part(match: re.Match) -> str:
        name = match.group(3)
        return choices.get(name) or "{" + name + "}"

    return _PART.sub(part, rule.rule)


def _path_parameters(rule: Rule) -> list[dict]:
    found = []
    for converter, _arguments, name in _PART.findall(rule.rule):
        if converter == "any":
            continue
        if converter == "id":
            schema: dict = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        elif converter == "slug":
            schema = {"type": "string", "pattern": SLUG_PATTERN.pattern}
        elif converter == "lang":
            schema = {"type": "string", "enum": list(LANGUAGES)}
        else:
            schema = {"type": "string"}
        found.append({"name": name, "in": "path", "required": True, "schema": schema})
    return found


# --- Operations ------------------------------------------------------------------------------


def _models(declared: Operation, choices: dict[str, str]):
    roles = {"answer": declared.answer, "body": declared.body, "query": None}
    for choice in choices.values():
        roles.update(declared.by_choice.get(choice, {}))
    answer = roles["answer"]
    for model in answer if isinstance(answer, tuple) else (answer,):
        if model is not None:
            yield model, "serialization"
    if roles["body"] is not None:
        yield roles["body"], "validation"


def _schema_of(models, refs, mode: str) -> dict:
    if isinstance(models, tuple):
        return {"anyOf": [refs[(model, mode)] for model in models]}
    return refs[(models, mode)]


def _operation(method, rule, declared: Operation, choices, policy, refs) -> dict:
    roles = {"answer": declared.answer, "body": declared.body}
    for choice in choices.values():
        roles.update(declared.by_choice.get(choice, {}))
    answer, body = roles["answer"], roles["body"] if method in WRITES else None
    name = rule.endpoint.replace(".", "_") + "".join(f"_{value}" for value in choices.values())
    entry: dict[str, Any] = {
        "operationId": name,
        "tags": [declared.tag],
        "summary": declared.summary,
        "parameters": _path_parameters(rule) + _query_parameters(declared.query),
    }
    if not any(parameter["name"] == "lang" for parameter in entry["parameters"]):
        entry["parameters"].append(
            {
                "name": "lang",
                "in": "query",
                "required": False,
                "description": "The language of error messages.",
                "schema": {"type": "string", "enum": list(LANGUAGES)},
            }
        )
    if method in ("PATCH", "DELETE"):
        entry["parameters"].append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": "The ETag of the version the change is based on (or `*`); 412 "
                "if it is no longer current, 428 without it.",
                "schema": {"type": "string"},
            }
        )
    if body is not None:
        entry["requestBody"] = {
            "required": declared.body_required,
            "content": {"application/json": {"schema": _schema_of(body, refs, "validation")}},
        }
    if policy == PUBLIC:
        entry["security"] = [{}, {"bearer": []}]
    else:
        entry["security"] = [{"bearer": []}]
    entry["responses"] = _responses(method, declared, answer, body is not None, policy, refs, rule)
    return entry


def _query_parameters(model) -> list[dict]:
    if model is None:
        return []
    if isinstance(model, tuple):
        return [found for each in model for found in _query_parameters(each)]
    schema = model.model_json_schema(mode="validation", ref_template=REF)
    required = set(schema.get("required", []))
    found = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        prop = dict(schema["properties"][key])
        description = prop.pop("description", None) or field.description
        prop.pop("title", None)
        parameter = {"name": key, "in": "query", "required": key in required, "schema": prop}
        if description:
            parameter["description"] = str(description)
        found.append(parameter)
    return found


def error_statuses(
    method: str, declared: Operation, has_body: bool, policy: str, rule
) -> list[int]:
    """The errors a route's shape implies, with those its declaration adds."""
    statuses = {400}  # bad query, bad body, bad header
    if policy != PUBLIC:
        statuses |= {401, 403}
    if rule.arguments - {"collection"} or policy != PUBLIC:
        statuses.add(404)  # an unknown record, or one the caller may not see
    if has_body or method in WRITES:
        statuses |= {413, 415}
    if method in ("PATCH", "DELETE"):
        statuses |= {412, 428}
    statuses |= set(declared.errors)
    statuses.add(503)  # the database is away for a moment (with Retry-After)
    return sorted(statuses)


ERROR_TEXT = {
    400: "Bad input: the envelope names each field at fault. Nothing changed.",
    401: "No valid token: send `Authorization: Bearer <token>`.",
    403: "The token's role may not do this.",
    404: "No such record, or one the caller may not see.",
    409: "The step does not fit the record's state now, or lost a race. Nothing changed.",
    412: "The record changed since the ETag sent in If-Match. Nothing changed.",
    428: "No If-Match: send the ETag a GET answered (or `*`). Nothing changed.",
    413: "The body is larger than the hub accepts.",
    415: "The body is not JSON (application/json).",
    503: "The database is away for a moment; try again after Retry-After seconds.",
}


def _responses(method, declared: Operation, answer, has_body, policy, refs, rule) -> dict:
    success: dict[str, Any] = {"description": "Done." if method in WRITES else "Found."}
    if answer is not None:
        success["content"] = {
            "application/json": {"schema": _schema_of(answer, refs, "serialization")}
        }
    headers = {}
    if declared.status == 201:
        headers["Location"] = {"$ref": "#/components/headers/Location"}
    if rule.arguments - {"collection"} or declared.status == 201:
        headers["ETag"] = {"$ref": "#/components/headers/ETag"}
    if declared.paged:
        headers["Link"] = {"$ref": "#/components/headers/Link"}
    if headers:
        success["headers"] = headers
    if declared.status == 204:
        success = {"description": "Done; nothing to answer."}
    responses = {str(status): success for status in (declared.status, *declared.also)}
    envelope = {"application/json": {"schema": refs[(Errors, "serialization")]}}
    for status in error_statuses(method, declared, has_body, policy, rule):
        responses[str(status)] = {"description": ERROR_TEXT[status], "content": envelope}
    return responses
