"""Liveness and readiness probes. Readiness answers within a second whatever the store does: the check runs on a
thread of its own and is given up (503) when it takes longer."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from hub.api.auth import HubDep
from hub.api.problems import RETRY_LATER
from hub.api.schemas import Health, Readiness

router = APIRouter(tags=["health"])
READINESS_SECONDS = 1.0
# Its own threads: a check stuck on an unreachable store holds none of the requests' threads.
_checks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="readiness")


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}})
async def readyz(hub: HubDep) -> JSONResponse:
    """The store answers; reports how far the projections are behind the log."""
    store = "postgresql" if hub.settings.uses_postgres else "sqlite"
    try:
        lag = await asyncio.wait_for(
            asyncio.get_running_loop().run_in_executor(_checks, hub.follower.lag), READINESS_SECONDS
        )
    except Exception:
        body = {"status": "unavailable", "store": store, "projection_lag": -1}
        return JSONResponse(body, status_code=503, headers=RETRY_LATER)
    return JSONResponse({"status": "ready", "store": store, "projection_lag": lag})
