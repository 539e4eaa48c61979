"""Schemathesis against the live app: every operation of the OpenAPI document, anonymous and with
a staff token, at most MAX_EXAMPLES generated requests each. Checks: no 5xx, every status is one
the document names, and every answer conforms to its documented schema and content type."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BACKENDS, Database, _dispose
from tests.walk import make_site

MAX_EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, tmp_path_factory, templates):
    database = Database(request.param, tmp_path_factory.mktemp(f"fuzz-{request.param}"))
    made = make_site(database)
    yield made
    _dispose(made.app)
    database.drop()


@pytest.mark.parametrize("who", [None, "staff"], ids=["anonymous", "staff"])
def test_every_operation_conforms_to_the_document(site, who):
    """Schemathesis's pytest loader (`from_fixture`) does not run under pytest 9, so each
    operation's strategy is driven by Hypothesis here; a failure names its operation."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", site.app)
    headers = {"Authorization": f"Bearer {site.tokens[who]}"} if who else {}
    failures, operations, statuses = {}, 0, {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @FUZZ
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            answer = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1

        try:
            fuzz()
        except Exception as error:  # reported together, one line per operation
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:1500]}"
    # The figures docs/api.md quotes (`pytest -s tests/openapi/test_fuzz.py`).
    print(f"\n{who or 'anonymous'}: {operations} operations, {sum(statuses.values())} requests,")
    print("statuses:", dict(sorted(statuses.items())))
    assert operations >= 20
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
