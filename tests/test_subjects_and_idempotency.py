"""One record per person across referrals (blind index, code changes, candidate matches) and idempotent submits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from hub.service import Hub
from tests.conftest import child_referral, head

Auth = Callable[[str], dict[str, str]]
OLD_CODE = "120415-20001"
NEW_CODE = "32000000001"


def child_subject(hub: Hub, referral_id: str) -> str:
    return str(hub.app.referral(UUID(referral_id)).child.subject_id)


def post(client: TestClient, auth: Auth, user: str = "tukums.school", **child: Any) -> dict[str, Any]:
    body = child_referral()
    body["child"] = {**body["child"], **child}
    response = client.post("/v1/referrals", json=body, headers=auth(user))
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_changed_personal_code_still_finds_the_same_person(client: TestClient, hub: Hub, auth: Auth) -> None:
    first = post(client, auth)
    subject = child_subject(hub, first["id"])
    assert first["already_known"] is False
    school = client.post(
        f"/v1/subjects/{subject}/codes", json={"personal_code": NEW_CODE}, headers=auth("tukums.school")
    )
    assert (school.status_code, school.json()["reason"]) == (403, "action_not_permitted")
    outsider = client.post(f"/v1/subjects/{subject}/codes", json={"personal_code": NEW_CODE}, headers=auth("riga.cm"))
    assert outsider.status_code == 403
    bad = client.post(
        f"/v1/subjects/{subject}/codes", json={"personal_code": "310299-12345"}, headers=auth("tukums.cm")
    )
    assert bad.status_code == 422
    added = client.post(f"/v1/subjects/{subject}/codes", json={"personal_code": NEW_CODE}, headers=auth("tukums.cm"))
    assert added.status_code == 200, added.text

    second = post(client, auth, user="doctor", personal_code=NEW_CODE, given_name="Elza Marija")
    assert child_subject(hub, second["id"]) == subject
    assert second["already_known"] is True
    third = post(client, auth, personal_code=OLD_CODE)
    assert child_subject(hub, third["id"]) == subject

    other = post(client, auth, personal_code="010312-20001", given_name="Pēteris", birth_date="2012-03-01")
    taken = client.post(
        f"/v1/subjects/{child_subject(hub, other['id'])}/codes",
        json={"personal_code": NEW_CODE},
        headers=auth("tukums.cm"),
    )
    assert (taken.status_code, taken.json()["reason"]) == (409, "code_belongs_to_another_subject")


def test_no_plaintext_code_in_the_views(hub: Hub, client: TestClient, auth: Auth) -> None:
    post(client, auth)
    hub.follower.catch_up()
    for table in ("view_subjects", "view_subject_codes", "view_referrals", "view_referral_subjects"):
        text = repr(hub.views_db.query(f"SELECT * FROM {table}"))
        assert "12041520001" not in text
        assert "120415" not in text
        assert "Kalni" not in text


def test_name_and_birth_date_make_a_candidate_that_a_case_manager_settles(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    first = post(client, auth, personal_code=None)
    second = post(client, auth, personal_code=None, given_name=" ELZA ", family_name="kalniņa")
    different = post(client, auth, personal_code=None, birth_date="2015-04-13")
    assert second["already_known"] is False
    candidates = client.get("/v1/subjects/candidates", headers=auth("tukums.cm"))
    assert candidates.status_code == 200
    [candidate] = candidates.json()
    assert candidate["subject_id"] == child_subject(hub, second["id"])
    assert candidate["candidate_id"] == child_subject(hub, first["id"])
    assert candidate["referral_id"] == second["id"]
    assert child_subject(hub, different["id"]) not in candidates.text
    assert client.get("/v1/subjects/candidates", headers=auth("tukums.school")).status_code == 403
    assert client.get("/v1/subjects/candidates", headers=auth("riga.cm")).json() == []

    path = f"/v1/subjects/{candidate['subject_id']}/candidates/{candidate['candidate_id']}"
    assert client.post(f"{path}/confirm", headers=auth("riga.cm")).status_code == 403
    confirmed = client.post(f"{path}/confirm", headers=auth("tukums.cm"))
    assert confirmed.json()["state"] == "confirmed"
    assert client.post(f"{path}/reject", headers=auth("tukums.cm")).json()["reason"] == "candidate_already_settled"
    assert client.get("/v1/subjects/candidates", headers=auth("tukums.cm")).json() == []
    unknown = f"/v1/subjects/{candidate['subject_id']}/candidates/{child_subject(hub, different['id'])}/reject"
    assert client.post(unknown, headers=auth("tukums.cm")).status_code == 404

    merged = hub.subjects.same_person([UUID(candidate["subject_id"])])
    assert sorted(map(str, merged)) == sorted([candidate["subject_id"], candidate["candidate_id"]])
    later = post(client, auth, user="doctor", personal_code=None)
    [again] = client.get("/v1/subjects/candidates", headers=auth("tukums.cm")).json()
    assert again["referral_id"] == later["id"]
    assert again["candidate_id"] in (candidate["subject_id"], candidate["candidate_id"])


def test_the_same_idempotency_key_returns_the_original(client: TestClient, hub: Hub, auth: Auth) -> None:
    headers = auth("tukums.school") | {"Idempotency-Key": "skola-2026-0042"}
    first = client.post("/v1/referrals", json=child_referral(), headers=headers)
    assert first.status_code == 201
    before = head(hub)
    again = client.post("/v1/referrals", json=child_referral(), headers=headers)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["replayed"] is True
    assert head(hub) == before

    changed = client.post("/v1/referrals", json=child_referral(urgency="routine"), headers=headers)
    assert (changed.status_code, changed.json()["reason"]) == (409, "idempotency_key_reused")
    assert head(hub) == before

    elsewhere = client.post(
        "/v1/referrals", json=child_referral(), headers=auth("doctor") | {"Idempotency-Key": "skola-2026-0042"}
    )
    assert elsewhere.status_code == 201
    assert elsewhere.json()["id"] != first.json()["id"]
    for bad_key in ("", "with space", "x" * 201):
        response = client.post("/v1/referrals", json=child_referral(), headers=headers | {"Idempotency-Key": bad_key})
        assert response.status_code == 422, bad_key
