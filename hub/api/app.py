"""Builds the FastAPI application around one Hub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from hub import capabilities
from hub.api.auth import track_accesses
from hub.api.header_text import AsciiTextHeaders
from hub.api.headers import SecurityHeaders
from hub.api.health import router as health_router
from hub.api.limits import BodySizeLimit
from hub.api.problems import PROBLEM_RESPONSES, install_problem_handlers
from hub.api.ratelimit import RateLimits
from hub.capability import load
from hub.registry.bootstrap_gate import BootstrapGate
from hub.roles import BackgroundRoles
from hub.service import Hub
from hub.web.app import install_web


def create_app(hub: Hub, follow_in_background: bool = True, extra_routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The API; with `follow_in_background`, the process also runs the background roles of `HUB_ROLES` (by
    default all: the views' follower, the audit tree's signer, the due work; see `hub.roles`).

    `extra_routers` are added by the composition root (the adapters' FHIR endpoints).
    """
    background = BackgroundRoles(hub, hub.settings.background_roles if follow_in_background else frozenset())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        background.start()
        yield
        background.stop()

    app = FastAPI(
        title="Inter-agency referral hub",
        summary="Referrals, prior-residence records and consent-scoped disclosures, every access audited.",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(track_accesses)],
    )
    app.state.hub = hub
    app.state.rate_limits = RateLimits(
        hub.settings.rate_limit_user_per_minute, hub.settings.rate_limit_agency_per_minute
    )
    install_problem_handlers(app)
    routers = [health_router, *(load(router) for capability in capabilities.CAPABILITIES for router in capability.api)]
    for router in (*routers, *extra_routers):
        app.include_router(router, responses=PROBLEM_RESPONSES)
    install_web(app)
    app.add_middleware(BodySizeLimit, max_bytes=hub.settings.max_body_bytes)
    app.add_middleware(AsciiTextHeaders)
    app.add_middleware(BootstrapGate, hub=hub)
    app.add_middleware(SecurityHeaders)
    return app
