"""The referrals capability: submission and routing, the inbox, every transition, the timeline and the clocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.referrals.service import ReferralService
from hub.referrals.timeline import ReferralTimeline
from hub.referrals.workflow import ReferralWorkflow
from projections.referrals import ReferralView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.referrals = ReferralService(hub, hub.subjects)
    hub.referral_workflow = ReferralWorkflow(hub, hub.referrals)
    hub.referral_timeline = ReferralTimeline(hub, hub.referrals)


def due_work(hub: Hub) -> None:
    hub.referral_workflow.tick()


REFERRALS = Capability(
    "referrals",
    after=("people",),
    views=lambda: (ReferralView(),),
    install=install,
    due_work=due_work,
    api=("hub.referrals.api:router", "hub.referrals.api_inbox:router"),
    web=("hub.referrals.web_inbox:router", "hub.referrals.web:router"),
    commands=(("referrals", "hub.referrals.cli:referrals_app"), ("clocks", "hub.referrals.cli:clocks_app")),
)
