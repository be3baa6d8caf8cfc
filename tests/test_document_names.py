"""Document file names and media types end up in download headers: Latvian names download (RFC 6266 `filename*`
with an ASCII fallback), control characters are refused at upload (422 on the file name), on both stores."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from hub.api.header_text import content_disposition
from hub.records.domain import DocumentDraft
from hub.service import Hub
from tests.conftest import domain_events, moved_child

Auth = Callable[[str], dict[str, str]]
LATVIAN_NAME = "Lēmums-ģimene.txt"
CONTENT = "Bāriņtiesas lēmums".encode()


def document(file_name: str, media_type: str = "text/plain") -> dict[str, str]:
    return {"file_name": file_name, "media_type": media_type, "content_base64": base64.b64encode(CONTENT).decode()}


def test_a_download_names_the_file_exactly_and_gives_old_clients_an_ascii_name() -> None:
    header = content_disposition(LATVIAN_NAME)
    assert header == "attachment; filename=\"Lemums-gimene.txt\"; filename*=UTF-8''L%C4%93mums-%C4%A3imene.txt"
    assert header.isascii()
    assert unquote(header.split("UTF-8''")[1]) == LATVIAN_NAME
    assert content_disposition('a"b\\c\r\n.txt').startswith('attachment; filename="a_b_c__.txt"; filename*=UTF-8')
    assert content_disposition("Лист.txt").startswith('attachment; filename=".txt"')
    assert content_disposition("Лист").startswith('attachment; filename="document"')


@pytest.mark.parametrize("name", ["a\r\nSet-Cookie: x=1.txt", "a\nb.txt", "a\tb.txt", "a\x00b.txt", "gpj\u202e.exe"])
def test_a_file_name_with_control_characters_is_refused(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        DocumentDraft.model_validate(document(name))
    assert [(error["loc"], error["type"]) for error in refused.value.errors()] == [
        (("file_name",), "control_character")
    ]


@pytest.mark.parametrize("media_type", ["text/plāin", "text/plain\r\nX: y", "text/plain; charset=utf-8"])
def test_a_media_type_is_ascii_without_parameters(media_type: str) -> None:
    with pytest.raises(ValidationError):
        DocumentDraft.model_validate(document("a.txt", media_type))


def test_latvian_names_and_common_media_types_are_accepted() -> None:
    draft = DocumentDraft.model_validate(document(LATVIAN_NAME, "application/vnd.oasis.opendocument.text"))
    assert draft.file_name == LATVIAN_NAME


def record_request(client: TestClient, auth: Auth, hub: Hub) -> str:
    """Daugavpils asks Tukums' bāriņtiesa about a child who moved from Tukums."""
    child = moved_child(hub)
    body = {
        "municipality": "tukuma-novads",
        "agencies": ["TUK-BT"],
        "subjects": [{"given_name": "Elza", "family_name": "Kalniņa", "personal_code": child["code"]}],
        "basis": "GDPR-6-1-c",
        "categories": ["court_decisions"],
    }
    created = client.post("/v1/record-requests", json=body, headers=auth("daugavpils.cm"))
    assert created.status_code == 201, created.text
    request_id = str(created.json()[0]["id"])
    assert client.post(f"/v1/record-requests/{request_id}/acknowledge", headers=auth("tukums.bt")).status_code == 200
    return request_id


def release(client: TestClient, auth: Auth, request_id: str, documents: list[dict[str, str]]) -> Any:
    answer = {"answers": [{"category": "court_decisions", "outcome": "released", "documents": documents}]}
    return client.post(f"/v1/record-requests/{request_id}/answers", json=answer, headers=auth("tukums.bt"))


def test_a_document_with_a_latvian_name_downloads(client: TestClient, auth: Auth, hub: Hub) -> None:
    request_id = record_request(client, auth, hub)
    answered = release(client, auth, request_id, [document(LATVIAN_NAME)])
    assert answered.status_code == 200, answered.text
    released = client.get(f"/v1/record-requests/{request_id}/released", headers=auth("daugavpils.cm")).json()
    [reference] = released["released"][0]["documents"]
    download = client.get(
        f"/v1/record-requests/{request_id}/documents/{reference['document_id']}", headers=auth("daugavpils.cm")
    )
    assert download.status_code == 200, download.text
    assert download.content == CONTENT
    assert download.headers["content-disposition"] == content_disposition(LATVIAN_NAME)


def test_an_upload_whose_file_name_has_a_line_break_is_422_and_changes_nothing(
    client: TestClient, hub: Hub, auth: Auth, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = record_request(client, auth, hub)
    before = domain_events(hub)
    answered = release(client, auth, request_id, [document("lēmums\r\nX-Injected: 1.txt")])
    assert answered.status_code == 422
    problem = answered.json()
    assert problem["reason"] == "invalid_input"
    assert [(error["field"], error["reason"]) for error in problem["errors"]] == [
        ("answers.0.released.documents.0.file_name", "control_character")
    ]
    assert "X-Injected" not in answered.text
    assert "X-Injected" not in caplog.text
    assert domain_events(hub) == before
