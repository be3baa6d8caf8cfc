"""Prior-residence record requests: create, acknowledge, answer, refuse, withdraw, list, read (audited)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response

from hub.api.auth import HubDep, PrincipalDep
from hub.api.header_text import content_disposition
from hub.api.schemas import RecordRequestDocument, RecordRequestEnvelope, ReleasedRecords
from hub.api.transition_routes import add_transition_routes
from hub.records.domain import RecordRequestDraft
from hub.records.transitions import TRANSITIONS

router = APIRouter(prefix="/v1/record-requests", tags=["record requests"])
PurposeHeader = Annotated[str, Header(alias="X-Purpose", max_length=200)]


@router.post("", status_code=201, response_model=list[RecordRequestDocument], response_model_exclude_unset=True)
def create_requests(draft: RecordRequestDraft, hub: HubDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    """Ask another municipality's social service and bāriņtiesa (or the agencies named) for prior-residence records."""
    return hub.records.create(principal, draft)


@router.get("", response_model=list[RecordRequestEnvelope])
def list_requests(
    hub: HubDep,
    principal: PrincipalDep,
    box: Annotated[Literal["incoming", "outgoing", "escalated"], Query()] = "incoming",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[dict[str, Any]]:
    """The caller's agency's requests (envelopes, no personal data)."""
    return hub.records.listing(principal, box, limit)


@router.get("/{request_id}", response_model=RecordRequestDocument, response_model_exclude_unset=True)
def read_request(
    request_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: PurposeHeader = "prior-residence-records"
) -> dict[str, Any]:
    """A request with its subjects and the state of each category; the read is recorded."""
    return hub.records.read(principal, request_id, purpose)


@router.get("/{request_id}/released", response_model=ReleasedRecords)
def read_released(
    request_id: UUID, hub: HubDep, principal: PrincipalDep, purpose: PurposeHeader = "prior-residence-records"
) -> dict[str, Any]:
    """What was released to the requesting agency, with its onward-sharing restriction; every read is recorded."""
    return hub.records.released(principal, request_id, purpose)


@router.get(
    "/{request_id}/documents/{document_id}",
    response_class=Response,
    responses={
        200: {
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "description": "The document's bytes, in the media type it was released with",
        }
    },
)
def download_document(
    request_id: UUID,
    document_id: UUID,
    hub: HubDep,
    principal: PrincipalDep,
    purpose: PurposeHeader = "prior-residence-records",
) -> Response:
    """A released document (decrypted); the download is recorded."""
    download = hub.records.document(principal, request_id, document_id, purpose)
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"Content-Disposition": content_disposition(download.file_name)},
    )


add_transition_routes(
    router,
    TRANSITIONS.values(),
    "request_id",
    lambda hub, principal, request_id, action, draft: hub.records.act(principal, request_id, action, draft),
    response_model=RecordRequestDocument,
    response_model_exclude_unset=True,
)
