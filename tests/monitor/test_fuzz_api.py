"""The API fuzzed with schemathesis against its own OpenAPI document: no 500s, signed in
(Bearer) and not, on a private Redis with a live node's heartbeat."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from benchcrawl.resources.board import BoardKeys, NodeBoard
from benchcrawl.resources.ranking import NodeStatus
from tests.monitor.conftest import TOKEN

pytestmark = pytest.mark.slow  # a few hundred generated requests


@pytest.fixture
def api(make_client, redis_server):
    status = NodeStatus("n1", "h", 1, "running", "", 1, 1, 1, 1, 1, 1, 0, 5.0, 4, time.time())
    NodeBoard(redis_server.client(), BoardKeys("broad")).heartbeat(status, 600)
    return make_client().app


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def api_schema(api):
    return schemathesis.openapi.from_asgi("/openapi.json", api)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail(case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
    case.call_and_validate(checks=[not_a_server_error])
