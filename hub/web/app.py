"""Adds the web pages and their static files to the FastAPI application."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hub.web.routes import auditor, consents, inbox, records, referrals, signin, subjects, supervision

STATIC_DIR = Path(__file__).parent / "static"
WEB_ROUTERS = tuple(
    module.router for module in (signin, inbox, referrals, records, consents, subjects, supervision, auditor)
)


def install_web(app: FastAPI) -> None:
    for router in WEB_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
