"""The referral transition table: one row per action, from which the workflow, the API routes, the command line
and the web page's actions are all built (path and command name, body, deciding command, description)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from events.base import Actor, DomainEvent
from hub.kernel.transition_rows import TransitionRow
from hub.referrals import domain as domain
from hub.referrals.domain import Referral
from hub.referrals.drafts import (
    AnswerDraft,
    AssignDraft,
    CloseDraft,
    QuestionDraft,
    ReasonDraft,
    RedirectDraft,
)
from policies.referral_actions import ReferralAction


class Lookups(Protocol):
    """What a transition's command may consult beyond the referral (the workflow provides it)."""

    @property
    def monitoring_days(self) -> int: ...

    def check_assignable(self, username: str, agency_id: UUID) -> None: ...

    def open_case_of(self, referral: Referral) -> UUID | None: ...

    def route(self, municipality: str, referral: Referral) -> list[dict[str, Any]]:
        """The new recipients of a redirected referral, lead first, as agency summaries with their ids."""
        ...


@dataclass(frozen=True)
class Decided:
    """The event a command decided, and what the caller learns beyond the referral's new state."""

    event: DomainEvent
    extra: dict[str, object] = field(default_factory=dict)


Command = Callable[[Lookups, Referral, Actor, datetime, Any], Decided]


@dataclass(frozen=True)
class Transition(TransitionRow):
    action: ReferralAction
    command: Command


def _acknowledge(_: Lookups, referral: Referral, actor: Actor, at: datetime, __: None) -> Decided:
    return Decided(domain.acknowledge(referral, actor, at))


def _assign(lookups: Lookups, referral: Referral, actor: Actor, at: datetime, draft: AssignDraft) -> Decided:
    lookups.check_assignable(draft.worker, referral.lead_agency_id)
    return Decided(domain.assign(referral, actor, at, draft.worker))


def _request_information(_: Lookups, referral: Referral, actor: Actor, at: datetime, draft: QuestionDraft) -> Decided:
    return Decided(domain.request_information(referral, actor, at, draft.question))


def _provide_information(_: Lookups, referral: Referral, actor: Actor, at: datetime, draft: AnswerDraft) -> Decided:
    return Decided(domain.provide_information(referral, actor, at, draft.answer))


def _accept(lookups: Lookups, referral: Referral, actor: Actor, at: datetime, _: None) -> Decided:
    existing = lookups.open_case_of(referral)
    return Decided(domain.accept(referral, actor, at, existing or uuid4(), existing is not None))


def _redirect(lookups: Lookups, referral: Referral, actor: Actor, at: datetime, draft: RedirectDraft) -> Decided:
    routed = lookups.route(draft.municipality, referral)
    recipients = tuple(UUID(str(agency["id"])) for agency in routed)
    event = domain.redirect(referral, actor, at, recipients[0], draft.municipality, recipients, draft.reason)
    return Decided(event, {"routed_to": routed})


def _decline(_: Lookups, referral: Referral, actor: Actor, at: datetime, draft: ReasonDraft) -> Decided:
    return Decided(domain.decline(referral, actor, at, draft.reason))


def _close(lookups: Lookups, referral: Referral, actor: Actor, at: datetime, draft: CloseDraft) -> Decided:
    """Close with an outcome and a monitoring period: the draft's, or the configured default."""
    days = lookups.monitoring_days if draft.monitoring_days is None else draft.monitoring_days
    return Decided(domain.close(referral, actor, at, draft.outcome, days))


def _withdraw(_: Lookups, referral: Referral, actor: Actor, at: datetime, draft: ReasonDraft) -> Decided:
    return Decided(domain.withdraw(referral, actor, at, draft.reason))


TRANSITIONS: dict[ReferralAction, Transition] = {
    row.action: row
    for row in (
        Transition(
            ReferralAction.ACKNOWLEDGE,
            None,
            "The lead social service confirms it has received the referral (stops the acknowledgement clock).",
            _acknowledge,
        ),
        Transition(
            ReferralAction.ASSIGN,
            AssignDraft,
            "Name the responsible case manager; reassignment is another assignment.",
            _assign,
        ),
        Transition(
            ReferralAction.REQUEST_INFORMATION, QuestionDraft, "Ask the referrer a question.", _request_information
        ),
        Transition(
            ReferralAction.PROVIDE_INFORMATION,
            AnswerDraft,
            "The referrer answers the question put to it.",
            _provide_information,
        ),
        Transition(
            ReferralAction.ACCEPT, None, "Open a case (or join the family's open case at this social service).", _accept
        ),
        Transition(
            ReferralAction.REDIRECT,
            RedirectDraft,
            "Send the referral on to another municipality's social service; its clocks and history travel with it.",
            _redirect,
        ),
        Transition(
            ReferralAction.DECLINE,
            ReasonDraft,
            "Decide not to act, with a reason (the referrer is told only that it closed).",
            _decline,
        ),
        Transition(
            ReferralAction.CLOSE,
            CloseDraft,
            "Close with an outcome class, the only result the referrer learns.",
            _close,
        ),
        Transition(
            ReferralAction.WITHDRAW,
            ReasonDraft,
            "The referrer withdraws its referral before it is accepted.",
            _withdraw,
        ),
    )
}
