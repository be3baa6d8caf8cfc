"""A capability is one folder with a manifest: found in `hub/<name>/manifest.py` (or, for the example here, added
to the discovered ones), its manifest alone makes the hub follow its view, install its service (reached by its
type), declare its actions about a person in the policy schema, serve its API route, its page and its listing page
and offer its commands."""

from __future__ import annotations

import re
from pathlib import Path
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient

import hub as hub_package
from events.values import AgencyKind, Role
from hub import capabilities
from hub.api.app import create_app
from hub.capability import Capability
from hub.cli import capability_commands
from hub.kernel.errors import Conflict
from hub.registry.domain import ReasonDraft
from policies.decision import Principal
from policies.engine import PersonRequest
from tests.capability_example import EXAMPLE, AgencyCountService, commands
from tests.conftest import demo_hub_without_rate_limits
from tests.web import sign_in


def test_a_capability_registered_through_its_manifest_alone_is_followed_installed_served_and_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capabilities, "CAPABILITIES", capabilities.ordered((*capabilities.CAPABILITIES, EXAMPLE)))
    hub = demo_hub_without_rate_limits(tmp_path)
    try:
        hub.follower.catch_up()
        registered = len(hub.registry_queries.agencies())
        assert hub.service(AgencyCountService).count() == registered > 0
        principal = Principal(uuid4(), "x", uuid4(), AgencyKind.SCHOOL, frozenset({Role.SOCIAL_PEDAGOGUE}))
        decision = hub.policy_engine.decide_person(PersonRequest(principal, "count-example", uuid4(), frozenset()))
        assert decision.reasons == ("count-example: no policy permits it",)  # declared: no evaluation error
        with TestClient(create_app(hub, follow_in_background=False)) as client:
            assert client.get("/v1/example/agencies").json() == {"agencies": registered}
            assert client.get("/example").text == f"<p>{registered}</p>"
            assert "/v1/example/agencies" in client.get("/openapi.json").json()["paths"]
            assert client.get("/example/list", follow_redirects=False).status_code == 303  # signed in only
            sign_in(client, hub, "tukums.cm")
            listing = client.get("/example/list")
            assert listing.status_code == 200, listing.text
            assert "<h1>Agencies counted</h1>" in listing.text
            assert f"<td>{registered}</td><td>tukums.cm</td>" in listing.text
        with pytest.raises(Conflict) as busy:  # its view's open work keeps an agency from being closed
            hub.registry_admin.close_agency(None, "TUK-BT", ReasonDraft(reason="merged"))
        assert (busy.value.reason, "1 example agency count" in busy.value.detail) == ("agency_has_open_work", True)
    finally:
        hub.close()
    assert ("example", commands) in capability_commands()


def test_every_folder_of_hub_with_a_manifest_is_a_capability_installed_after_those_it_uses() -> None:
    folders = {path.parent.name for path in Path(hub_package.__file__).parent.glob("*/manifest.py")}
    assert {capability.name for capability in capabilities.CAPABILITIES} == folders
    position = {capability.name: index for index, capability in enumerate(capabilities.CAPABILITIES)}
    for capability in capabilities.CAPABILITIES:
        assert all(position[used] < position[capability.name] for used in capability.after), capability.name
    assert capabilities.ordered(reversed(capabilities.CAPABILITIES)) == capabilities.CAPABILITIES


@pytest.mark.parametrize(
    ("declared", "complaint"),
    [
        ((Capability("a", after=("b",)),), "after unknown b"),
        ((Capability("a", after=("b",)), Capability("b", after=("a",))), "wait on each other: a, b"),
        ((Capability("a"), Capability("a")), "two capabilities are named 'a'"),
    ],
)
def test_an_unknown_name_a_cycle_or_a_name_twice_fails_loudly(declared: tuple[Capability, ...], complaint: str) -> None:
    with pytest.raises(RuntimeError, match=re.escape(complaint)):
        capabilities.ordered(declared)


def test_a_service_no_capability_provides_is_a_lookup_error(tmp_path: Path) -> None:
    hub = demo_hub_without_rate_limits(tmp_path)
    try:
        with pytest.raises(LookupError, match="AgencyCountService"):
            hub.service(AgencyCountService)
    finally:
        hub.close()


def test_every_capability_declares_what_it_serves_by_references_that_resolve() -> None:
    for capability in capabilities.CAPABILITIES:
        assert capability.name
        for reference in (*capability.api, *capability.web, *(group for _, group in capability.commands)):
            module, _, attribute = reference.partition(":")
            assert module.startswith(f"hub.{capability.name}.") or module == "hub.referrals.cli", reference
            assert attribute, reference
