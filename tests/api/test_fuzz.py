"""Schema fuzzing (schemathesis, from the app's own OpenAPI document) of every operation with
each role's key, on the cross-store brand: valid and invalid parameters and bodies, half of
the path ids pinned to people and stores that exist so the deep code runs too. No answer may be
a 5xx; every 4xx must be in the documented error shape and say what was wrong; 2xx answers
must match their documented schema.

The default suite tries a bounded number of examples per operation and key; the `slow` run
tries ten times as many."""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api import routers
from api.app import create_app
from fission.settings import Settings
from graph.gateway import Gateway
from tests.api.conftest import api_settings, key

WHO = ["hq", "s1", "ingest"]
EXAMPLES = 10
SLOW_EXAMPLES = 25
KNOWN = {
    "store_id": ["S1", "S2"],
    "person_id": ["A1", "T1", "Q1", "X2", "W2"],
    "staff_id": ["C1", "M1", "M2"],
}
TRIED: Counter[str] = Counter()


# The schema is the app's own OpenAPI document (building it needs no database).
schema = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None)).openapi())  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def app(
    neo4j_settings: Settings, cross_brand: Gateway, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    """The app on the test database, with the test keys."""
    yield create_app(api_settings(neo4j_settings, tmp_path_factory.mktemp("fuzz")), cross_brand)
    print(f"\nfuzzed: {sum(TRIED.values())} requests over {len(TRIED)} operation x key pairs")


def check(case: schemathesis.Case, app: FastAPI) -> None:
    """One generated request, sent with each role's key."""
    choose = random.Random(repr(case.path_parameters))
    for name, values in KNOWN.items():
        if case.path_parameters and name in case.path_parameters and choose.random() < 0.5:
            case.path_parameters[name] = choose.choice(values)
    for who in WHO:
        response = case.call(headers=key(who), app=app)
        TRIED[f"{case.operation.method.upper()} {case.operation.path} {who}"] += 1
        assert response.status_code < 500, (who, case.as_curl_command(), response.text)
        if 400 <= response.status_code < 500:
            body = response.json()
            assert set(body) == {"error"}, body
            assert body["error"]["code"] and body["error"]["message"], body
        case.validate_response(
            response, checks=[response_schema_conformance, content_type_conformance]
        )


COMMON = {"deadline": None, "database": None, "suppress_health_check": list(HealthCheck)}


@schema.parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, **COMMON)  # type: ignore[arg-type]
def test_every_operation_with_every_key(case: schemathesis.Case, app: FastAPI) -> None:
    check(case, app)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=SLOW_EXAMPLES, **COMMON)  # type: ignore[arg-type]
def test_every_operation_with_every_key_at_length(case: schemathesis.Case, app: FastAPI) -> None:
    check(case, app)


def test_the_fuzzed_operations_are_every_route() -> None:
    operations = {f"{r.ok().method.upper()} {r.ok().path}" for r in schema.get_all_operations()}
    assert {"POST /events", "DELETE /people/{person_id}", "GET /stores/{store_id}/map.png"} < (
        operations
    )
    served = {
        f"{method} {route.path}"
        for module in pkgutil.iter_modules(routers.__path__)
        for route in importlib.import_module(f"api.routers.{module.name}").router.routes
        if isinstance(route, APIRoute)
        for method in route.methods - {"HEAD"}
    }
    assert operations == served  # no route is left out of the document, so none of the fuzzing
