"""Subject ids are random, never derived from a personal code; two records registered with one code are one person."""

from __future__ import annotations

from uuid import UUID, uuid4

from fastapi.testclient import TestClient

from events.base import SYSTEM
from hub.kernel.personal_code import parse_personal_code
from hub.people import domain as domain
from hub.service import Hub
from tests.conftest import child_referral


def test_a_new_person_gets_a_random_id(client: TestClient, hub: Hub) -> None:
    token = {"Authorization": f"Bearer {hub.issue_token('tukums.school')}"}
    response = client.post("/v1/referrals", json=child_referral(), headers=token)
    assert response.status_code == 201, response.text
    child = hub.app.referral(UUID(response.json()["id"])).child.subject_id
    assert child.version == 4
    hub.follower.catch_up()
    code_index = hub.subjects.index.personal_code(parse_personal_code("120415-20001").value)
    assert hub.subjects.queries.by_code(code_index) == child


def test_two_records_registered_at_once_with_one_code_are_one_person(hub: Hub) -> None:
    code_index = hub.subjects.index.personal_code(parse_personal_code("120415-20001").value)
    first, second = uuid4(), uuid4()
    hub.app.append(
        domain.register_subject(first, code_index, None, SYSTEM, hub.now()),
        domain.register_subject(second, code_index, None, SYSTEM, hub.now()),
    )
    hub.follower.catch_up()
    assert hub.subjects.queries.by_code(code_index) == first
    assert set(hub.subjects.queries.same_person([second])) == {first, second}
