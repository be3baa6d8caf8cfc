"""The listing pages capabilities declare (`Capability.listings`): a signed-in user's rows from one audited read,
in the shared `listing.html`, so a capability whose page is a list writes no page router or template."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hub.api.auth import HubDep
from hub.capability import Listing, load
from hub.web.labels import N_
from hub.web.rendering import WebRoute, render
from hub.web.session import WebPrincipal

DEFAULT_EMPTY = N_("Nothing here yet.")  # for the catalogue: the default of `Listing.empty`

Rows = Callable[[Any, Any], Sequence[Mapping[str, str]]]


def _page(listing: Listing) -> Callable[..., HTMLResponse]:
    rows: Rows = load(listing.rows)

    def page(request: Request, hub: HubDep, principal: WebPrincipal) -> HTMLResponse:
        return render(request, "listing.html", listing=listing, rows=rows(hub, principal))

    return page


def listing_router(listings: Iterable[Listing]) -> APIRouter:
    """One GET page per listing."""
    router = APIRouter(route_class=WebRoute, include_in_schema=False)
    for listing in listings:
        router.add_api_route(listing.path, _page(listing), methods=["GET"], response_class=HTMLResponse)
    return router
