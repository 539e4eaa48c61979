"""The OpenAPI document: every /api/v1 route in it, read back as its page shows it."""

from __future__ import annotations

import lxml.html
import pytest
from openapi_spec_validator import validate

from hub.i18n import LANGUAGES
from hub.openapi.declarations import OPERATIONS
from tests.walk import routes


def test_every_api_route_is_declared_and_described(client, content_app):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    document = answer.json
    assert document["openapi"] == "3.1.0"
    validate(document)  # the OpenAPI 3.1 meta-schema, and every $ref resolves
    described = {
        (method.upper(), operation["operationId"])
        for methods in document["paths"].values()
        for method, operation in methods.items()
    }
    for rule in routes(content_app, {"GET", "POST", "PATCH", "DELETE"}, "/api/v1/"):
        if rule.endpoint == "openapi.openapi_json":
            continue
        assert rule.endpoint in OPERATIONS, (
            f"declare {rule.endpoint} in hub/openapi/declarations.py"
        )
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            name = rule.endpoint.replace(".", "_")
            assert any(m == method and op.startswith(name) for m, op in described), (method, name)
    schemes = document["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    patch = document["paths"]["/api/v1/cases/{record_id}"]["patch"]
    assert {"name": "If-Match", "in": "header"}.items() <= patch["parameters"][-1].items()
    assert "412" in patch["responses"] and "ETag" in patch["responses"]["200"]["headers"]
    assert patch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CasePatch"
    }
    search = document["paths"]["/api/v1/search"]["get"]
    assert {"q", "page", "per_page", "lang"} <= {p["name"] for p in search["parameters"]}
    assert {"total", "page", "per_page"} <= set(
        document["components"]["schemas"]["SearchAnswer"]["properties"]
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_api_page_renders_the_document_without_script(client, lang):
    document = client.get("/api/v1/openapi.json").json
    answer = client.get(f"/{lang}/api")
    assert answer.status_code == 200
    tree = lxml.html.fromstring(answer.get_data(as_text=True))
    assert not tree.xpath("//script[not(@type='application/ld+json')]")
    shown = {section.get("id") for section in tree.xpath('//section[@class="operation"]')}
    expected = {
        op["operationId"] for methods in document["paths"].values() for op in methods.values()
    }
    assert shown == expected
    schemas = {section.get("id") for section in tree.xpath('//section[@class="schema"]')}
    assert schemas == {f"schema-{name}" for name in document["components"]["schemas"]}
    assert tree.xpath('//a[@href="/api/v1/openapi.json"]')
