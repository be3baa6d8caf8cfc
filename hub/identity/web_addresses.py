"""The hub's own address as the caller reached it (or as configured), for redirect URIs and assertion audiences."""

from __future__ import annotations

from fastapi import Request


def public_base(request: Request) -> str:
    configured: str | None = request.app.state.hub.settings.public_url
    return configured or str(request.base_url).rstrip("/")
