"""Adds the web pages and their static files to the FastAPI application."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from hub import capabilities
from hub.capability import load
from hub.web.listing import listing_router
from hub.web.signin import router as signin_router
from hub.web.statement import router as statement_router

STATIC_DIR = Path(__file__).parent / "static"


def web_routers() -> list[APIRouter]:
    """The sign-in pages and the accessibility statement, then every capability's pages (`hub/capabilities.py`),
    its listing pages last."""
    pages = (load(router) for capability in capabilities.CAPABILITIES for router in capability.web)
    listings = listing_router(listing for capability in capabilities.CAPABILITIES for listing in capability.listings)
    return [signin_router, statement_router, *pages, listings]


def install_web(app: FastAPI) -> None:
    for router in web_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
