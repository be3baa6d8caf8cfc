"""Each aggregate's transition table drives every layer: one row per action, with the same paths, commands and
bodies in the API and on the command line, and a row refuses a body that is not its own."""

from __future__ import annotations

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from typer import Typer
from typer.core import TyperGroup
from typer.main import get_command

from hub.kernel.transition_rows import TransitionRow
from hub.records import api as record_requests
from hub.records import api_handovers as handovers
from hub.records import handover_transitions
from hub.records import transitions as record_request_transitions
from hub.records.cli import handover_app
from hub.referrals import api as referrals
from hub.referrals import transitions as referral_transitions
from hub.referrals.cli import referrals_app
from hub.referrals.domain import ALLOWED_FROM
from hub.referrals.drafts import ReasonDraft
from policies.referral_actions import ReferralAction

TABLES = [
    (referral_transitions.TRANSITIONS.values(), referrals.router, "/v1/referrals/{referral_id}"),
    (record_request_transitions.TRANSITIONS.values(), record_requests.router, "/v1/record-requests/{request_id}"),
    (handover_transitions.TRANSITIONS.values(), handovers.router, "/v1/handovers/{handover_id}"),
]


def test_every_referral_action_has_one_row_and_one_guard() -> None:
    assert list(referral_transitions.TRANSITIONS) == list(ReferralAction)
    assert set(ALLOWED_FROM) == {action.value for action in ReferralAction}


@pytest.mark.parametrize(("rows", "router", "prefix"), TABLES)
def test_the_api_has_one_post_route_per_row_with_its_body_and_a_response_model(
    rows: list[TransitionRow], router: APIRouter, prefix: str
) -> None:
    routes = {route.path: route for route in router.routes if isinstance(route, APIRoute)}
    for row in rows:
        route = routes[f"{prefix}/{row.segment}"]
        assert route.methods == {"POST"}
        assert (route.name, route.description) == (row.name, row.description)
        assert (route.body_field.field_info.annotation if route.body_field else None) is row.draft
        assert route.response_model is not None


@pytest.mark.parametrize(
    ("rows", "app"),
    [
        (referral_transitions.TRANSITIONS.values(), referrals_app),
        (handover_transitions.TRANSITIONS.values(), handover_app),
    ],
)
def test_the_command_line_has_one_command_per_row_with_an_option_per_field(
    rows: list[TransitionRow], app: Typer
) -> None:
    group = get_command(app)
    assert isinstance(group, TyperGroup)
    for row in rows:
        command = group.commands[row.segment]
        options = {param.name for param in command.params} - {"referral", "handover_id", "user", "help"}
        assert options == set(row.draft.model_fields if row.draft else ())
        assert command.help == row.description


def test_a_row_takes_only_its_own_body() -> None:
    acknowledge = referral_transitions.TRANSITIONS[ReferralAction.ACKNOWLEDGE]
    decline = referral_transitions.TRANSITIONS[ReferralAction.DECLINE]
    acknowledge.check(None)
    decline.check(ReasonDraft(reason="x"))
    with pytest.raises(TypeError):
        acknowledge.check(ReasonDraft(reason="x"))
    with pytest.raises(TypeError):
        decline.check(None)
    assert referral_transitions.TRANSITIONS[ReferralAction.REQUEST_INFORMATION].segment == "request-information"
    answer = record_request_transitions.TRANSITIONS[record_request_transitions.RecordRequestAction.ANSWER]
    assert (answer.segment, answer.name) == ("answers", "answer")
