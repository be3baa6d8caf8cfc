"""Registry administration through the API, and SCIM provisioning through a real HTTP client against the app:
agency administrators act on their own agency only, the edge cases refuse with a reason and append nothing, and a
deactivated or removed user's next request is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.registry import UserMoved, UserRenamed, UserRolesChanged, user_id_for
from events.values import Role
from hub.kernel.errors import Conflict
from hub.service import Hub
from tests.conftest import child_referral, domain_events, log_of, moved_child

Auth = Callable[[str], dict[str, str]]
NEW_USER = {"username": "tukums.new", "display_name": "Ilona Jaunā", "agency": "TUK-SD", "roles": ["case_manager"]}
SCIM = "application/scim+json"


def test_an_agency_admin_manages_its_own_agency_only(client: TestClient, hub: Hub, auth: Auth) -> None:
    admin = auth("tukums.admin")
    assert client.post("/v1/admin/users", json=NEW_USER, headers=admin).status_code == 201
    listed = client.get("/v1/admin/users", headers=admin).json()
    assert {user["agency"] for user in listed} == {"TUK-SD"}
    # Another municipality's agency of the same kind, and another kind in the same municipality: both refused.
    for agency in ("DAU-SD", "TUK-BT"):
        before = domain_events(hub)
        body = {**NEW_USER, "username": f"x.{agency.lower()}", "agency": agency}
        refused = client.post("/v1/admin/users", json=body, headers=admin)
        assert (refused.status_code, refused.json()["reason"]) == (403, "access_denied")
        assert domain_events(hub) == before
    for path in ("/v1/admin/users/daugavpils.cm/suspend", "/v1/admin/users/tukums.bt/remove"):
        assert client.post(path, json={"reason": "x"}, headers=admin).status_code == 403
    assert client.get("/v1/admin/users?agency=DAU-SD", headers=admin).status_code == 403
    grant = client.post("/v1/admin/users/tukums.new/roles", json={"roles": ["registry_admin"]}, headers=admin)
    assert grant.status_code == 403
    denials = [event for event in log_of(hub, AccessRecorded) if event.actor.user_id == "tukums.admin"]
    assert len(denials) >= 6
    assert all(event.decision == "deny" for event in denials)


def test_edge_cases_refuse_with_a_reason(client: TestClient, hub: Hub, auth: Auth) -> None:
    admin = auth("registry.admin")
    agency = {"code": "TUK-SD", "name": "x", "kind": "social_service", "municipality": "tukuma-novads"}
    assert client.post("/v1/admin/agencies", json=agency, headers=admin).json()["reason"] == "agency_code_taken"
    assert client.post("/v1/admin/users", json={**NEW_USER, "username": "tukums.cm"}, headers=admin).status_code == 409
    police_role = client.post("/v1/admin/users", json={**NEW_USER, "roles": ["police_officer"]}, headers=admin)
    assert (police_role.status_code, police_role.json()["reason"]) == (422, "role_not_allowed_for_kind")
    last = client.post("/v1/admin/users/registry.admin/remove", json={"reason": "x"}, headers=admin)
    assert (last.status_code, last.json()["reason"]) == (409, "last_registry_admin")
    school = {"Authorization": f"Bearer {hub.issue_token('tukums.school')}"}
    assert client.post("/v1/referrals", json=child_referral(), headers=school).status_code == 201
    busy = client.post("/v1/admin/agencies/TUK-SD/close", json={"reason": "x"}, headers=admin)
    assert (busy.status_code, busy.json()["reason"]) == (409, "agency_has_open_work")


def test_two_administrators_changing_one_user_at_once_gives_a_409_not_a_500(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    stale = hub.registry_admin.user("tukums.cm")  # what the slower administrator read
    change = {"roles": ["case_manager", "intake_officer"]}
    roles = client.post("/v1/admin/users/tukums.cm/roles", json=change, headers=auth("tukums.admin"))
    assert roles.status_code == 200
    before = domain_events(hub)
    late = UserRolesChanged(originator_id=stale.id, originator_version=stale.version + 1, roles=(Role.INTAKE_OFFICER,))
    with pytest.raises(Conflict) as refused:
        hub.registry_admin._commit(late)
    assert refused.value.reason == "concurrent_change"
    assert domain_events(hub) == before


def test_a_closed_agency_receives_nothing(client: TestClient, hub: Hub, auth: Auth) -> None:
    admin = auth("registry.admin")
    agency = {
        "code": "TAL-BT",
        "name": "Talsu novada bāriņtiesa",
        "kind": "orphans_court",
        "municipality": "talsu-novads",
    }
    assert client.post("/v1/admin/agencies", json=agency, headers=admin).status_code == 201
    assert client.post("/v1/admin/agencies/TAL-BT/close", json={"reason": "merged"}, headers=admin).status_code == 200
    request = {
        "municipality": "talsu-novads",
        "agencies": ["TAL-BT"],
        "subjects": [{"subject_id": moved_child(hub)["subject_id"], "given_name": "Elza", "family_name": "Kalniņa"}],
        "basis": "GDPR-6-1-c",
        "categories": ["assessment"],
    }
    before = domain_events(hub)
    refused = client.post("/v1/record-requests", json=request, headers=auth("daugavpils.cm"))
    assert (refused.status_code, refused.json()["reason"]) == (422, "agency_closed")
    assert domain_events(hub) == before


def test_a_moved_user_keeps_history_and_old_tokens_stop(client: TestClient, hub: Hub, auth: Auth) -> None:
    old = auth("tukums.cm")
    moved = client.post("/v1/admin/users/tukums.cm/move", json={"agency": "DAU-SD"}, headers=auth("registry.admin"))
    assert (moved.status_code, moved.json()["agency"]) == (200, "DAU-SD")
    assert client.get("/v1/inbox", headers=old).status_code == 401
    assert client.get("/v1/inbox", headers=auth("tukums.cm")).status_code == 200
    [event] = log_of(hub, UserMoved)
    assert [type(e).__name__ for e in hub.app.stream(user_id_for("tukums.cm"))] == ["UserRegistered", "UserMoved"]
    assert event.actor.user_id == "registry.admin"


def test_a_suspended_or_removed_user_is_refused_at_once(client: TestClient, auth: Auth) -> None:
    admin = auth("tukums.admin")
    intake = auth("tukums.intake")
    assert client.post("/v1/admin/users/tukums.intake/suspend", json={"reason": "x"}, headers=admin).status_code == 200
    assert client.get("/v1/inbox", headers=intake).status_code == 403
    assert client.post("/v1/admin/users/tukums.intake/reinstate", headers=admin).status_code == 200
    assert client.get("/v1/inbox", headers=intake).status_code == 200
    assert client.post("/v1/admin/users/tukums.intake/remove", json={"reason": "x"}, headers=admin).status_code == 200
    assert client.get("/v1/inbox", headers=intake).status_code == 403
    assert client.post("/v1/admin/users/tukums.intake/reinstate", headers=admin).json()["reason"] == "user_removed"


def test_a_user_is_renamed_and_keeps_username_roles_and_tokens(client: TestClient, hub: Hub, auth: Auth) -> None:
    admin = auth("tukums.admin")
    before = domain_events(hub)
    for bad in ({"display_name": "   "}, {"display_name": "x" * 101}, {}):
        refused = client.post("/v1/admin/users/tukums.cm/rename", json=bad, headers=admin)
        assert refused.status_code == 422, refused.text
    assert domain_events(hub) == before
    token = auth("tukums.cm")
    renamed = client.post("/v1/admin/users/tukums.cm/rename", json={"display_name": " Ilze Ozola "}, headers=admin)
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["display_name"], renamed.json()["username"]) == ("Ilze Ozola", "tukums.cm")
    [event] = log_of(hub, UserRenamed)
    assert (event.display_name, event.actor.user_id) == ("Ilze Ozola", "tukums.admin")
    again = client.post("/v1/admin/users/tukums.cm/rename", json={"display_name": "Ilze Ozola"}, headers=admin)
    assert again.status_code == 200
    assert len(log_of(hub, UserRenamed)) == 1  # the same name again changes nothing
    assert client.get("/v1/inbox", headers=token).status_code == 200  # tokens held stay valid
    listed = client.get("/v1/admin/users?agency=TUK-SD", headers=admin).json()
    assert {user["username"]: user["display_name"] for user in listed}["tukums.cm"] == "Ilze Ozola"
    # Another municipality's administration of the same kind may not rename Tukums' staff.
    other = client.post(
        "/v1/admin/users/tukums.cm/rename", json={"display_name": "X"}, headers=auth("daugavpils.admin")
    )
    assert (other.status_code, other.json()["reason"]) == (403, "access_denied")
    assert len(log_of(hub, UserRenamed)) == 1


def test_the_csv_import_over_the_api_reports_rows_and_is_idempotent(client: TestClient, hub: Hub, auth: Auth) -> None:
    admin = {**auth("registry.admin"), "Content-Type": "text/csv"}
    good = (
        "record,code,name,kind,municipality\n"
        "agency,TAL-SD,Talsu novada sociālais dienests,social_service,talsu-novads\n"
    )
    first = client.post("/v1/admin/import", content=good.encode(), headers=admin)
    assert first.json() == {"agencies_added": 1, "users_added": 0, "unchanged": 0, "problems": []}
    assert client.post("/v1/admin/import", content=good.encode(), headers=admin).json()["unchanged"] == 1
    bad = good + "agency,TAL-BT,Talsu novada bāriņtiesa,orphans_court,atlantis\n"
    before = domain_events(hub)
    refused = client.post("/v1/admin/import", content=bad.encode(), headers=admin)
    assert refused.status_code == 422
    assert refused.json()["errors"] == [
        {"row": 3, "field": "municipality", "reason": "value_error", "message": refused.json()["errors"][0]["message"]}
    ]
    assert domain_events(hub) == before


def scim_user(username: str) -> dict[str, Any]:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": username,
        "displayName": "Kārlis Jaunais",
        "active": True,
    }


def test_scim_provisions_gives_roles_and_deprovisions(client: TestClient, hub: Hub) -> None:
    token = hub.issue_token(hub.registry.provisioning_client("TUK-SD"))
    idp = {"Authorization": f"Bearer {token}", "Content-Type": SCIM}
    config = client.get("/scim/v2/ServiceProviderConfig", headers=idp)
    assert (config.status_code, config.json()["patch"]["supported"]) == (200, True)
    created = client.post("/scim/v2/Users", json=scim_user("tukums.karlis"), headers=idp)
    assert created.status_code == 201, created.text
    user_id = created.json()["id"]
    found = client.get('/scim/v2/Users?filter=userName eq "tukums.karlis"', headers=idp).json()
    assert (found["totalResults"], found["Resources"][0]["id"]) == (1, user_id)

    add = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": user_id}]}],
    }
    group = client.patch("/scim/v2/Groups/case_manager", json=add, headers=idp)
    assert group.status_code == 200, group.text
    assert user_id in {member["value"] for member in group.json()["members"]}
    karlis = {"Authorization": f"Bearer {hub.issue_token('tukums.karlis')}"}
    assert client.get("/v1/inbox", headers=karlis).status_code == 200

    # Another agency's user is out of reach, even of the same kind in another municipality.
    other = user_id_for("daugavpils.cm")
    assert client.get(f"/scim/v2/Users/{other}", headers=idp).status_code == 404
    police = client.patch("/scim/v2/Groups/police_officer", json=add, headers=idp)
    assert police.status_code == 404

    deactivate = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    rename = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Kārlis Vecais"}],
    }
    renamed = client.patch(f"/scim/v2/Users/{user_id}", json=rename, headers=idp)
    assert (renamed.status_code, renamed.json()["displayName"]) == (200, "Kārlis Vecais")
    replaced = client.put(
        f"/scim/v2/Users/{user_id}", json={**scim_user("tukums.karlis"), "displayName": "K. J."}, headers=idp
    )
    assert (replaced.status_code, replaced.json()["displayName"]) == (200, "K. J.")
    assert [event.display_name for event in log_of(hub, UserRenamed)] == ["Kārlis Vecais", "K. J."]
    patched = client.patch(f"/scim/v2/Users/{user_id}", json=deactivate, headers=idp)
    assert (patched.status_code, patched.json()["active"]) == (200, False)
    assert client.get("/v1/inbox", headers=karlis).status_code == 403
    assert client.delete(f"/scim/v2/Users/{user_id}", headers=idp).status_code == 204
    assert client.get("/v1/inbox", headers=karlis).status_code == 403
    assert client.get("/scim/v2/Users", headers=auth_header(hub, "tukums.cm")).status_code == 403


def auth_header(hub: Hub, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {hub.issue_token(username)}"}


def test_the_administration_pages_serve_both_administrators_in_latvian(client: TestClient, hub: Hub) -> None:
    from tests.web import post_form, sign_in

    sign_in(client, hub, "tukums.admin")
    users = client.get("/admin/users")
    assert users.status_code == 200
    assert "Lietotāji" in users.text
    assert "daugavpils.cm" not in users.text
    form = {"username": "tukums.web", "display_name": "Web Lietotāja", "agency": "TUK-SD", "roles": ["case_manager"]}
    assert post_form(client, "/admin/users", form).status_code == 303
    assert "tukums.web" in client.get("/admin/users").text
    assert post_form(client, "/admin/users/tukums.web/rename", {"display_name": "Vēl Cita"}).status_code == 303
    assert "Vēl Cita" in client.get("/admin/users").text
    refused = post_form(client, "/admin/users/daugavpils.cm/suspend", {"reason": "x"})
    assert refused.status_code == 403
    sign_in(client, hub, "registry.admin")
    assert "TUK-BT" in client.get("/admin/agencies").text
    bad = "record,code,name,kind,municipality\nagency,TAL-SD,Talsu,social_service,atlantis\n"
    report = post_form(client, "/admin/import", {"content": bad, "mode": "import"})
    assert report.status_code == 422
    assert "Pašvaldība" in report.text
