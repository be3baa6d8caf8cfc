"""Fuzzing the API from its own OpenAPI document (schemathesis): no 5xx, responses match their schemas, and a
request that fails appends nothing but the audit record of its denial."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from events.access import AccessRecorded
from hub.api.app import create_app
from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from tests.conftest import child_referral, demo_hub_without_rate_limits

# What every response must satisfy. Accepting all schema-valid input is not required: the domain validates more
# than a schema can say (personal-code checksums, birth dates in the past, known municipalities).
RESPONSE_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
AUDIT_TOPIC = f"{AccessRecorded.__module__}:{AccessRecorded.__qualname__}"
FUZZ_USER = "tukums.cm"
EXAMPLES_PER_OPERATION = 20


@pytest.fixture(scope="module")
def fuzz_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    hub = demo_hub_without_rate_limits(tmp_path_factory.mktemp("fuzz"))
    school = hub.principal_for("tukums.school")
    hub.referrals.submit(school, ReferralDraft.model_validate(child_referral()))
    try:
        yield hub
    finally:
        hub.close()


def domain_notifications(hub: Hub) -> int:
    """Everything in the log except the access records that every read, even a refused one, leaves."""
    notifications = hub.app.recorder.select_notifications(1, 1_000_000)
    return sum(1 for notification in notifications if notification.topic != AUDIT_TOPIC)


def check(hub: Hub, case: Any) -> None:
    before = domain_notifications(hub)
    token = hub.issue_token(FUZZ_USER)
    response = case.call(headers={**(case.headers or {}), "Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    case.validate_response(response, checks=RESPONSE_CHECKS)
    if response.status_code >= 300:
        assert domain_notifications(hub) == before, (case.method, case.path, response.status_code)


def test_fuzzed_requests_never_break_the_hub(fuzz_hub: Hub) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(fuzz_hub, follow_in_background=False))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            check(fuzz_hub, case)

        fuzz()
