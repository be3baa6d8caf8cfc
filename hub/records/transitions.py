"""The record request transition table: acknowledge, answer, refuse (the responder) and withdraw (the requester);
the service's `act`, the API routes and the web pages are built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from events.base import Actor, DomainEvent
from hub.kernel.transition_rows import TransitionRow
from hub.records import domain as records
from hub.records.domain import AnswersDraft, ReasonDraft, RecordRequest
from policies.decision import Principal


class RecordRequestAction(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ANSWER = "answers"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


class Settling(Protocol):
    """What a command may ask of the service beyond the request (answering discloses and stores documents)."""

    def settle(
        self, principal: Principal, request: RecordRequest, actor: Actor, now: datetime, draft: AnswersDraft
    ) -> list[DomainEvent]: ...


Command = Callable[[Settling, Principal, RecordRequest, Actor, datetime, Any], list[DomainEvent]]


@dataclass(frozen=True)
class RecordRequestTransition(TransitionRow):
    action: RecordRequestAction
    by_requester: bool  # taken by the requesting agency; otherwise by the agency the request was sent to
    command: Command


def _acknowledge(
    _: Settling, __: Principal, request: RecordRequest, actor: Actor, now: datetime, ___: None
) -> list[DomainEvent]:
    return [records.acknowledge(request, actor, now)]


def _answer(
    service: Settling, principal: Principal, request: RecordRequest, actor: Actor, now: datetime, draft: AnswersDraft
) -> list[DomainEvent]:
    return service.settle(principal, request, actor, now, draft)


def _refuse(
    _: Settling, __: Principal, request: RecordRequest, actor: Actor, now: datetime, draft: ReasonDraft
) -> list[DomainEvent]:
    return [records.refuse(request, actor, draft.reason, now)]


def _withdraw(
    _: Settling, __: Principal, request: RecordRequest, actor: Actor, now: datetime, draft: ReasonDraft
) -> list[DomainEvent]:
    return [records.withdraw(request, actor, draft.reason, now)]


TRANSITIONS: dict[RecordRequestAction, RecordRequestTransition] = {
    row.action: row
    for row in (
        RecordRequestTransition(
            RecordRequestAction.ACKNOWLEDGE,
            None,
            "The agency asked confirms it has received the request.",
            False,
            _acknowledge,
        ),
        RecordRequestTransition(
            RecordRequestAction.ANSWER,
            AnswersDraft,
            "Answer some or all categories: released (a disclosure), withheld with a reason, or not held (forwarded).",
            False,
            _answer,
        ),
        RecordRequestTransition(
            RecordRequestAction.REFUSE,
            ReasonDraft,
            "The agency asked refuses the whole request, with a reason.",
            False,
            _refuse,
        ),
        RecordRequestTransition(
            RecordRequestAction.WITHDRAW,
            ReasonDraft,
            "The requesting agency withdraws its request, with a reason.",
            True,
            _withdraw,
        ),
    )
}
