"""The handover transition table: the social service a case is offered to accepts or declines it; the service's
`act`, the API routes and the command line are built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from events.base import Actor, DomainEvent
from events.handover import ChecklistItem
from hub.kernel.transition_rows import TransitionRow
from hub.records import handover as handovers
from hub.records.domain import ReasonDraft
from hub.records.handover import Handover


class HandoverAction(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"


class Checklists(Protocol):
    """What accepting asks of the service: the requests to make of the old municipality's agencies."""

    def checklist_for(self, handover: Handover) -> tuple[ChecklistItem, ...]: ...


Command = Callable[[Checklists, Handover, Actor, datetime, Any], DomainEvent]


@dataclass(frozen=True)
class HandoverTransition(TransitionRow):
    action: HandoverAction
    command: Command


def _accept(service: Checklists, handover: Handover, actor: Actor, now: datetime, _: None) -> DomainEvent:
    return handovers.accept_handover(handover, actor, service.checklist_for(handover), now)


def _decline(_: Checklists, handover: Handover, actor: Actor, now: datetime, draft: ReasonDraft) -> DomainEvent:
    return handovers.decline_handover(handover, actor, draft.reason, now)


TRANSITIONS: dict[HandoverAction, HandoverTransition] = {
    row.action: row
    for row in (
        HandoverTransition(
            HandoverAction.ACCEPT,
            None,
            "Take over the case (ownership changes now) and get the checklist of requests to make.",
            _accept,
        ),
        HandoverTransition(
            HandoverAction.DECLINE, ReasonDraft, "Decline the offer; the old service stays responsible.", _decline
        ),
    )
}
