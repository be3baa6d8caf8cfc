"""The consent capability: consents, disclosures between agencies and the review of emergency accesses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hub.capability import Capability
from hub.consent.disclosure_service import DisclosureService
from hub.consent.review_service import ReviewService
from hub.consent.service import ConsentService
from projections.consents import ConsentView
from projections.reviews import ReviewView

if TYPE_CHECKING:
    from hub.service import Hub


def install(hub: Hub) -> None:
    hub.consents = ConsentService(hub, hub.subjects, hub.relationships)
    hub.disclosures = DisclosureService(hub, hub.consents, hub.subjects, hub.relationships)
    hub.reviews = ReviewService(hub)


def due_work(hub: Hub) -> None:
    hub.consents.expire_due()


CONSENT = Capability(
    "consent",
    after=("people",),
    views=lambda: (ConsentView(), ReviewView()),
    install=install,
    due_work=due_work,
    api=(
        "hub.consent.api:router",
        "hub.consent.api_disclosures:router",
        "hub.consent.api_reviews:router",
        "hub.consent.api_ropa:router",
    ),
    web=("hub.consent.web:router", "hub.consent.web_reviews:router", "hub.consent.web_ropa:router"),
    commands=(("consent", "hub.consent.cli:consent_app"), ("policy", "hub.consent.cli:policy_app")),
)
