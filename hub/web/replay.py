"""A refused form comes back on its own page: the page's GET route renders again, inside the same request, with
what was typed and why it was refused (`request.state.form_failure`), so no input is lost on a dead-end page.

The form's page is the form's hidden `form_page` field (a local path), else the path the form posted to, else
that path without its last segments (`/referrals/{id}/actions/assign` → `/referrals/{id}`).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request, Response
from starlette.types import Message

FORM_PAGE_FIELD = "form_page"


def _candidates(path: str, named: str | None) -> Iterator[str]:
    if named and named.startswith("/") and not named.startswith("//") and "\\" not in named:
        yield named.split("?")[0]
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        yield "/".join(parts)
        parts.pop()


async def _get(request: Request, path: str, failure: object) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """GET `path` through the whole application, inside this request, with the failure in the request state."""
    scope = {
        **request.scope,
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "state": {**request.scope.get("state", {}), "form_failure": failure},
    }
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    await request.app(scope, receive, send)
    start = next(message for message in messages if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in messages if message["type"] == "http.response.body")
    return int(start["status"]), list(start.get("headers", [])), body


async def form_page(request: Request, failure: object, status: int) -> Response | None:
    """The form's page rendered again with the failure, answered with the refusal's status; None when the form
    has no page the reader may open (the caller then shows an error page)."""
    named = (await request.form()).get(FORM_PAGE_FIELD)
    for path in _candidates(request.url.path, named if isinstance(named, str) else None):
        page_status, headers, body = await _get(request, path, failure)
        if page_status in (404, 405):
            continue
        if page_status != 200:
            return None
        response = Response(body, status_code=status)
        response.raw_headers = [
            *(header for header in headers if header[0].lower() != b"content-length"),
            (b"content-length", str(len(body)).encode()),
        ]
        return response
    return None
