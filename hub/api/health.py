"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hub.api.auth import HubDep
from hub.api.schemas import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
def readyz(hub: HubDep) -> JSONResponse:
    """The store answers; reports how far the projections are behind the log."""
    store = "postgresql" if hub.settings.uses_postgres else "sqlite"
    try:
        lag = hub.follower.lag()
    except Exception:
        return JSONResponse({"status": "unavailable", "store": store, "projection_lag": -1}, status_code=503)
    return JSONResponse({"status": "ready", "store": store, "projection_lag": lag})
