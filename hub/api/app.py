"""Builds the FastAPI application around one Hub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub.api.limits import BodySizeLimit
from hub.api.problems import install_problem_handlers
from hub.api.routers import consents, disclosures, health, inbox, referrals, reviews, subjects, supervision
from hub.service import Hub
from hub.web import install_web
from projections.periodic import Periodic


def create_app(hub: Hub, follow_in_background: bool = True) -> FastAPI:
    """The API; with `follow_in_background`, views follow the log and response clocks are checked meanwhile."""
    clock_tick = Periodic("clock-tick", hub.settings.clock_tick_seconds, hub.workflow.tick)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if follow_in_background:
            hub.follower.start(hub.settings.follow_interval_seconds)
            clock_tick.start()
        yield
        clock_tick.stop()
        hub.follower.stop()

    app = FastAPI(
        title="Inter-agency referral hub",
        summary="Referrals, prior-residence records and consent-scoped disclosures, every access audited.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.hub = hub
    install_problem_handlers(app)
    routers = (
        health.router,
        referrals.router,
        inbox.router,
        subjects.router,
        supervision.router,
        consents.router,
        disclosures.router,
        reviews.router,
    )
    for router in routers:
        app.include_router(router)
    install_web(app)
    app.add_middleware(BodySizeLimit, max_bytes=hub.settings.max_body_bytes)
    return app
