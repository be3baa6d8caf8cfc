"""Builds the FastAPI application around one Hub."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hub.api.limits import BodySizeLimit
from hub.api.problems import install_problem_handlers
from hub.api.routers import access_reports, audit, consents, disclosures, health, inbox, referrals, reviews
from hub.service import Hub


def create_app(hub: Hub, follow_in_background: bool = True) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if follow_in_background:
            hub.follower.start(hub.settings.follow_interval_seconds)
            hub.audit.log.start(hub.settings.follow_interval_seconds)
        yield
        hub.audit.log.stop()
        hub.follower.stop()

    app = FastAPI(
        title="Inter-agency referral hub",
        summary="Referrals, prior-residence records and consent-scoped disclosures, every access audited.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.hub = hub
    install_problem_handlers(app)
    routers = (health, referrals, inbox, consents, disclosures, reviews, audit, access_reports)
    for module in routers:
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, max_bytes=hub.settings.max_body_bytes)
    return app
