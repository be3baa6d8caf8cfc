"""The referral transition table drives every layer: one row per action, the same paths, commands and bodies."""

from __future__ import annotations

from fastapi.routing import APIRoute
from typer.core import TyperGroup
from typer.main import get_command

from hub.api.routers.referrals import router
from hub.domain.referral import ALLOWED_FROM
from hub.domain.transition_drafts import ReasonDraft
from hub.referral_cli import referrals_app
from hub.referral_transitions import TRANSITIONS
from policies.referral_actions import ReferralAction


def test_every_action_has_one_row_and_one_guard() -> None:
    assert list(TRANSITIONS) == list(ReferralAction)
    assert set(ALLOWED_FROM) == {action.value for action in ReferralAction}


def test_the_api_has_one_post_route_per_row_with_its_body() -> None:
    routes = {route.path: route for route in router.routes if isinstance(route, APIRoute)}
    for row in TRANSITIONS.values():
        route = routes[f"/v1/referrals/{{referral_id}}/{row.segment}"]
        assert route.methods == {"POST"}
        assert (route.name, route.description) == (row.action.value, row.description)
        assert (route.body_field.field_info.annotation if route.body_field else None) is row.draft


def test_the_command_line_has_one_command_per_row_with_an_option_per_field() -> None:
    group = get_command(referrals_app)
    for row in TRANSITIONS.values():
        assert isinstance(group, TyperGroup)
        command = group.commands[row.segment]
        options = {param.name for param in command.params} - {"referral", "user", "help"}
        assert options == set(row.draft.model_fields if row.draft else ())


def test_a_row_takes_only_its_own_body() -> None:
    assert TRANSITIONS[ReferralAction.ACKNOWLEDGE].takes(None)
    assert not TRANSITIONS[ReferralAction.ACKNOWLEDGE].takes(ReasonDraft(reason="x"))
    assert TRANSITIONS[ReferralAction.DECLINE].takes(ReasonDraft(reason="x"))
    assert not TRANSITIONS[ReferralAction.DECLINE].takes(None)
    assert TRANSITIONS[ReferralAction.REQUEST_INFORMATION].segment == "request-information"
