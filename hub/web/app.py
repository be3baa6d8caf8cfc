"""Adds the web pages and their static files to the FastAPI application."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from hub import capabilities
from hub.capability import load
from hub.web.signin import router as signin_router

STATIC_DIR = Path(__file__).parent / "static"


def web_routers() -> list[APIRouter]:
    """The sign-in pages, then every capability's pages, in `hub/capabilities.py` order."""
    return [signin_router, *(load(router) for capability in capabilities.CAPABILITIES for router in capability.web)]


def install_web(app: FastAPI) -> None:
    for router in web_routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
