"""Security headers on every response: a strict content security policy, no framing, no sniffing, no referrer,
and nothing but static files cached (everything else may carry personal data)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
# FastAPI's interactive API docs load their scripts from a CDN and inline; they keep their own policy.
EXEMPT_FROM_CSP = ("/docs", "/redoc")
# Everything else may carry personal data and must not be kept by browsers or proxies.
STATIC_PREFIX = "/static/"


class SecurityHeaders:
    """Adds the security headers to every HTTP response; nothing but static files may be cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        exempt = path.startswith(EXEMPT_FROM_CSP)
        cacheable = path.startswith(STATIC_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if not (exempt and name == "content-security-policy"):
                        headers.setdefault(name, value)
                if not cacheable:
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
