"""A child's case page and the search for a child: the related agency sees its own part (referrals, requests,
handovers, consents, who else is involved), every view and search is recorded, and another municipality's agency of
the same kind sees nothing, is told nothing about whether the child exists, and is recorded as refused."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.values import Decision
from hub.service import Hub
from tests.conftest import head, known_child, log_of, moved_child
from tests.web import post_form, sign_in

Auth = Callable[[str], dict[str, str]]
NOT_FOUND_TEXT = "Neviens bērns, ar kuru strādā jūsu iestāde, neatbilst meklētajam."


def accesses(hub: Hub, user: str, action: str, after: int) -> list[AccessRecorded]:
    events = log_of(hub, AccessRecorded, after)
    return [event for event in events if event.actor.user_id == user and event.action == action]


def test_the_related_social_service_finds_the_child_and_sees_its_part_in_the_case(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    child = moved_child(hub)
    body = {
        "municipality": "tukuma-novads",
        "agencies": ["TUK-SD"],
        "subjects": [{"subject_id": child["subject_id"], "given_name": "Elza", "family_name": "Kalniņa"}],
        "basis": "GDPR-6-1-c",
        "categories": ["assessment"],
    }
    assert client.post("/v1/record-requests", json=body, headers=auth("daugavpils.cm")).status_code == 201

    sign_in(client, hub, "tukums.cm")
    before = head(hub)
    found = post_form(client, "/children/search", {"personal_code": child["code"]})
    assert found.status_code == 200
    assert f'href="/children/{child["subject_id"]}"' in found.text
    assert "Elza Kalniņa" in found.text
    assert child["code"] not in found.text  # the code is not echoed back into the page
    [search] = accesses(hub, "tukums.cm", "subjects.search", before)
    assert search.decision is Decision.PERMIT
    by_name = post_form(
        client, "/children/search", {"given_name": "elza", "family_name": "KALNIŅA", "birth_date": "2015-04-12"}
    )
    assert f'href="/children/{child["subject_id"]}"' in by_name.text

    before = head(hub)
    page = client.get(f"/children/{child['subject_id']}")
    assert page.status_code == 200
    assert f'href="/referrals/{child["referral_id"]}"' in page.text
    assert "/records/" in page.text
    assert "Daugavpils pilsētas Sociālais dienests" in page.text  # the requester, in a request Tukums is party to
    assert "Tukuma 2. vidusskola" in page.text  # the school that referred her to Tukums
    assert "Daugavpils Valsts ģimnāzija" not in page.text  # Daugavpils' own referral is not Tukums' part
    [view] = accesses(hub, "tukums.cm", "case.read", before)
    assert view.decision is Decision.PERMIT

    api = client.get(f"/v1/subjects/{child['subject_id']}/case", headers=auth("tukums.cm"))
    assert api.status_code == 200
    assert [item["id"] for item in api.json()["referrals"]] == [child["referral_id"]]
    assert len(api.json()["record_requests"]) == 1


def test_another_municipality_of_the_same_kind_sees_nothing_and_learns_nothing(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    child = known_child(hub)
    sign_in(client, hub, "riga.cm")
    before = head(hub)
    page = client.get(f"/children/{child['subject_id']}")
    assert page.status_code == 404
    assert "Elza" not in page.text
    unknown = client.get("/children/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404
    assert page.text.replace(child["subject_id"], "").count("case_not_found") == unknown.text.count("case_not_found")
    [refused, _] = accesses(hub, "riga.cm", "case.read", before)
    assert refused.decision is Decision.DENY

    before = head(hub)
    search = post_form(client, "/children/search", {"personal_code": child["code"]})
    assert search.status_code == 200
    assert NOT_FOUND_TEXT in search.text
    assert child["subject_id"] not in search.text
    nobody = post_form(client, "/children/search", {"personal_code": "32999999999"})
    assert nobody.text.count("/children/") == search.text.count("/children/")
    [hit, miss] = accesses(hub, "riga.cm", "subjects.search", before)
    assert (hit.decision, miss.decision) == (Decision.DENY, Decision.DENY)
    assert [str(subject) for subject in hit.subjects] == [child["subject_id"]]

    sign_in(client, hub, "tukums.bt")  # the same municipality's bāriņtiesa has no part in this child's case yet
    assert client.get(f"/children/{child['subject_id']}").status_code == 404
    for user in ("tukums.school", "ministry.supervisor"):
        response = client.post("/v1/subjects/search", json={"personal_code": child["code"]}, headers=auth(user))
        assert response.status_code == 403


def test_a_search_without_enough_to_go_on_is_refused_and_records_nothing(client: TestClient, hub: Hub) -> None:
    sign_in(client, hub, "tukums.cm")
    before = head(hub)
    response = post_form(client, "/children/search", {"given_name": "Elza"})
    assert response.status_code == 422
    assert head(hub) == before
