"""A capability is one folder and one registration: listed in `hub.capabilities.CAPABILITIES`, its manifest alone
makes the hub follow its view, install its service, serve its API route and page and offer its commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hub import capabilities
from hub.api.app import create_app
from hub.cli import capability_commands
from tests.capability_example import EXAMPLE, commands
from tests.conftest import demo_hub_without_rate_limits


def test_a_capability_registered_through_its_manifest_alone_is_followed_installed_served_and_offered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capabilities, "CAPABILITIES", (*capabilities.CAPABILITIES, EXAMPLE))
    hub = demo_hub_without_rate_limits(tmp_path)
    try:
        hub.follower.catch_up()
        registered = len(hub.registry_queries.agencies())
        assert hub.example.count() == registered > 0  # type: ignore[attr-defined]
        with TestClient(create_app(hub, follow_in_background=False)) as client:
            assert client.get("/v1/example/agencies").json() == {"agencies": registered}
            assert client.get("/example").text == f"<p>{registered}</p>"
            assert "/v1/example/agencies" in client.get("/openapi.json").json()["paths"]
    finally:
        hub.close()
    assert ("example", commands) in capability_commands()


def test_every_capability_declares_what_it_serves_by_references_that_resolve() -> None:
    for capability in capabilities.CAPABILITIES:
        assert capability.name
        for reference in (*capability.api, *capability.web, *(group for _, group in capability.commands)):
            module, _, attribute = reference.partition(":")
            assert module.startswith(f"hub.{capability.name}.") or module == "hub.referrals.cli", reference
            assert attribute, reference
