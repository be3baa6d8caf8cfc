"""Outside demo mode, a hub whose registry has no administrator yet serves nobody: the API answers 503
`not_bootstrapped` and the pages say plainly that the hub is not set up, until `hub admin bootstrap` names the
first registry administrator. Health checks and static files are always served."""

from __future__ import annotations

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from hub.api.problems import MACHINE_PATHS, problem
from hub.service import Hub
from hub.web.rendering import render

ALWAYS_SERVED = ("/healthz", "/readyz", "/static/", "/lang/")


class BootstrapGate(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, hub: Hub) -> None:
        super().__init__(app)
        self.hub = hub
        self.open = hub.settings.demo  # once set up, a hub stays so (its last administrator cannot be removed)

    def set_up(self) -> bool:
        if not self.open:
            self.open = self.hub.registry_admin.bootstrapped()
        return self.open

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        if path.startswith(ALWAYS_SERVED) or self.set_up():
            return await call_next(request)
        detail = "the hub is not set up yet: `hub admin bootstrap` names its first registry administrator"
        if path.startswith((*MACHINE_PATHS, "/scim/")):
            return problem(503, "not_bootstrapped", detail)
        return render(request, "not_set_up.html", status=503)
