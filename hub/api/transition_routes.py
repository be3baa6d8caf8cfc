"""The API routes of an aggregate's transition table: one POST per row, at `/{id}/{segment}`, with the row's body."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from inspect import Parameter, Signature
from typing import Any
from uuid import UUID

from fastapi import APIRouter

from hub.api.auth import HubDep, PrincipalDep
from hub.kernel.drafts import DraftModel
from hub.kernel.transition_rows import TransitionRow
from hub.service import Hub
from policies.decision import Principal

# Calls the service: (hub, caller, aggregate id, the row's action, its body or None) -> the response.
Act = Callable[[Hub, Principal, UUID, Any, DraftModel | None], Any]


def _endpoint(row: TransitionRow, id_name: str, act: Act) -> Callable[..., Any]:
    """The route function of one row: the aggregate's id from the path, the row's body if any, the caller."""

    def endpoint(*, hub: Hub, principal: Principal, draft: DraftModel | None = None, **path: UUID) -> Any:
        return act(hub, principal, path[id_name], row.action, draft)

    body = {"draft": row.draft} if row.draft else {}
    annotations = {id_name: UUID, **body, "hub": HubDep, "principal": PrincipalDep}
    parameters = [Parameter(name, Parameter.KEYWORD_ONLY, annotation=kind) for name, kind in annotations.items()]
    endpoint.__signature__ = Signature(parameters)  # type: ignore[attr-defined]
    return endpoint


def add_transition_routes(
    router: APIRouter, rows: Iterable[TransitionRow], id_name: str, act: Act, **route_options: Any
) -> None:
    """Register a route per row; `route_options` (response model and the like) are the same for every row."""
    for row in rows:
        router.add_api_route(
            f"/{{{id_name}}}/{row.segment}",
            _endpoint(row, id_name, act),
            methods=["POST"],
            name=row.name,
            description=row.description,
            **route_options,
        )
