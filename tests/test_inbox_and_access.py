"""Agency inboxes and audited access: every read, permitted or denied, is an access event."""

from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from hub.service import Hub
from tests.conftest import child_referral, head, log_of

Auth = Callable[[str], dict[str, str]]


def access_events(hub: Hub) -> list[AccessRecorded]:
    return log_of(hub, AccessRecorded)


def submit(client: TestClient, auth: Auth, user: str = "tukums.school", **overrides: Any) -> str:
    response = client.post("/v1/referrals", json=child_referral(**overrides), headers=auth(user))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_done_when_school_submits_and_tukums_social_service_sees_it(client: TestClient, auth: Auth) -> None:
    referral_id = submit(client, auth)
    inbox = client.get("/v1/inbox", headers=auth("tukums.intake"))
    assert inbox.status_code == 200
    items = inbox.json()["items"]
    assert [item["id"] for item in items] == [referral_id]
    assert items[0]["child"]["given_name"] == "Elza"
    assert items[0]["referrer"]["code"] == "TUK-SKOLA"
    assert "summary" not in items[0]
    school_inbox = client.get("/v1/inbox", headers=auth("tukums.school"))
    assert school_inbox.status_code == 403
    other_inbox = client.get("/v1/inbox", headers=auth("daugavpils.cm"))
    assert other_inbox.json()["items"] == []


def test_inbox_is_newest_first_and_paginated(client: TestClient, auth: Auth) -> None:
    ids = [submit(client, auth) for _ in range(5)]
    headers = auth("tukums.cm")
    first = client.get("/v1/inbox", params={"limit": 2}, headers=headers).json()
    assert [item["id"] for item in first["items"]] == ids[::-1][:2]
    second = client.get("/v1/inbox", params={"limit": 2, "cursor": first["next_cursor"]}, headers=headers).json()
    third = client.get("/v1/inbox", params={"limit": 2, "cursor": second["next_cursor"]}, headers=headers).json()
    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert seen == ids[::-1]
    assert third["next_cursor"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"cursor": -1}])
def test_bad_paging_is_422_and_appends_nothing(
    client: TestClient, hub: Hub, auth: Auth, params: dict[str, Any]
) -> None:
    headers = auth("tukums.cm")
    before = head(hub)
    assert client.get("/v1/inbox", params=params, headers=headers).status_code == 422
    assert head(hub) == before


def test_permitted_inbox_read_is_recorded_with_subjects_purpose_and_basis(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    submit(client, auth)
    client.get("/v1/inbox", headers={**auth("tukums.cm"), "X-Purpose": "morning triage"})
    event = access_events(hub)[-1]
    assert event.action == "inbox.read"
    assert event.decision == "permit"
    assert event.actor.user_id == "tukums.cm"
    assert event.actor.role == "case_manager"
    assert event.purpose == "morning triage"
    assert event.basis == "BTAL-73"
    assert len(event.subjects) == 2
    assert "identity" in event.categories


def test_denied_inbox_read_is_recorded(client: TestClient, hub: Hub, auth: Auth) -> None:
    client.get("/v1/inbox", headers=auth("ministry.supervisor"))
    event = access_events(hub)[-1]
    assert event.decision == "deny"
    assert event.actor.user_id == "ministry.supervisor"
    assert event.reasons


def test_recipient_reads_the_whole_referral_and_the_referrer_only_its_status(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submit(client, auth)
    full = client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.cm")).json()
    assert full["summary"].startswith("Bērns")
    assert full["child"]["personal_code"] == "12041520001"
    status_only = client.get(f"/v1/referrals/{referral_id}", headers=auth("tukums.school")).json()
    assert set(status_only) == {"id", "status", "milestone", "submitted_at", "routed_to"}
    assert status_only["milestone"] == status_only["status"] == "sent"
    decisions = [(event.actor.user_id, event.decision) for event in access_events(hub)[-2:]]
    assert decisions == [("tukums.cm", "permit"), ("tukums.school", "permit")]


def test_other_agency_gets_404_and_the_denial_is_recorded(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submit(client, auth)
    response = client.get(f"/v1/referrals/{referral_id}", headers=auth("daugavpils.cm"))
    assert response.status_code == 404
    assert "Elza" not in response.text
    event = access_events(hub)[-1]
    assert (event.actor.user_id, event.decision, event.resource) == (
        "daugavpils.cm",
        "deny",
        f"referral:{referral_id}",
    )
    assert len(event.subjects) == 2


def test_unknown_referral_is_404_and_recorded(client: TestClient, hub: Hub, auth: Auth) -> None:
    response = client.get("/v1/referrals/00000000-0000-0000-0000-000000000000", headers=auth("tukums.cm"))
    assert response.status_code == 404
    assert access_events(hub)[-1].decision == "deny"


def test_no_data_is_returned_when_the_access_event_cannot_be_written(
    client: TestClient, hub: Hub, auth: Auth, monkeypatch: pytest.MonkeyPatch
) -> None:
    referral_id = submit(client, auth)
    headers = auth("tukums.cm")
    original = hub.app.append

    def failing_append(*events: Any) -> int:
        if any(isinstance(event, AccessRecorded) for event in events):
            raise OSError("disk full")
        return original(*events)

    monkeypatch.setattr(hub.app, "append", failing_append)
    for path in ("/v1/inbox", f"/v1/referrals/{referral_id}"):
        response = client.get(path, headers=headers)
        assert response.status_code == 503
        assert response.json()["reason"] == "audit_unavailable"
        assert "Elza" not in response.text


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["projection_lag"] >= 0
    assert client.get("/openapi.json").status_code == 200


def test_a_cursor_beyond_any_notification_is_refused_not_a_server_error(client: TestClient, auth: Auth) -> None:
    response = client.get("/v1/inbox", params={"cursor": 2**63}, headers=auth("tukums.intake"))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def agency_queries_while(hub: Hub, monkeypatch: pytest.MonkeyPatch, read: Callable[[], object]) -> int:
    """How many queries of the agencies table `read` makes (the real view database, counted on the way through)."""
    database = hub.registry_queries.database
    real_query = database.query
    statements: list[str] = []

    def counted(sql: str, *arguments: Any, **keywords: Any) -> Any:
        statements.append(sql)
        return real_query(sql, *arguments, **keywords)

    monkeypatch.setattr(database, "query", counted)
    read()
    monkeypatch.undo()
    return sum("view_agencies" in sql for sql in statements)


@pytest.mark.parametrize(
    ("direction", "reader", "named"), [("incoming", "tukums.cm", "referrer"), ("outgoing", "tukums.school", "with")]
)
def test_an_inbox_page_looks_its_agencies_up_in_one_query_not_one_a_row(
    client: TestClient, hub: Hub, auth: Auth, monkeypatch: pytest.MonkeyPatch, direction: str, reader: str, named: str
) -> None:
    for _ in range(4):
        submit(client, auth)
    headers = auth(reader)
    client.get("/v1/inbox", params={"direction": direction}, headers=headers)  # signs the reader in first

    def read() -> None:
        page = client.get("/v1/inbox", params={"direction": direction}, headers=headers)
        assert page.status_code == 200
        assert len(page.json()["items"]) == 4
        assert {item[named]["code"] for item in page.json()["items"]} == {
            "TUK-SKOLA" if direction == "incoming" else "TUK-SD"
        }

    assert agency_queries_while(hub, monkeypatch, read) <= 2  # the reader's own agency, and the page's agencies


def test_agencies_by_id_answers_the_known_ones_and_nothing_for_none(hub: Hub) -> None:
    known = hub.registry_queries.agency_by_code("TUK-SKOLA")
    assert known is not None
    unknown = uuid4()
    found = hub.registry_queries.agencies_by_id([UUID(known["id"]), unknown, UUID(known["id"])])
    assert found == {UUID(known["id"]): known}
    assert hub.registry_queries.agencies_by_id([]) == {}
