"""The HTML of pages a browser journey rarely reaches (forms refused with errors, print views, error pages) is
valid under html-validate's `recommended` preset, in Latvian and English (`tests/page_checks.py`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from hub.service import Hub
from tests.page_checks import PageChecks, node_tools_missing
from tests.test_web_emergency_read import submitted
from tests.test_web_records_and_audit import REQUEST_FORM, ask_for_records
from tests.web import post_form, referral_form, sign_in

pytestmark = pytest.mark.skipif(node_tools_missing() is not None, reason=str(node_tools_missing()))
Auth = Callable[[str], dict[str, str]]


@pytest.mark.parametrize("language", ["lv", "en"])
def test_refused_forms_print_views_and_error_pages_are_valid_html(
    client: TestClient, hub: Hub, auth: Auth, language: str
) -> None:
    checks = PageChecks()
    client.cookies.set("hub_lang", language)

    def keep(response: object) -> None:
        url, text = str(getattr(response, "url", "")), str(getattr(response, "text", ""))
        checks.documents[f"{len(checks.documents)}"] = (url, text)

    referral_id = submitted(client, auth)
    sign_in(client, hub, "tukums.school")
    keep(post_form(client, "/referrals/new", referral_form(**{"child.personal_code": "1", "concerns": []})))
    sign_in(client, hub, "tukums.intake")
    keep(post_form(client, f"/referrals/{referral_id}/actions/redirect", {"form_id": "redirect"}))
    keep(client.get(f"/referrals/{referral_id}", params={"view": "print"}))
    request_id = ask_for_records(client, hub)
    keep(post_form(client, "/records/new", {**REQUEST_FORM, "categories": []}))
    sign_in(client, hub, "tukums.cm")
    post_form(client, f"/records/{request_id}/acknowledge")
    keep(post_form(client, f"/records/{request_id}/answers", {"outcome.assessment": "released"}))
    subject = client.get("/subjects/find", params={"personal_code": "120415-20001"}).url.path.split("/")[2]
    keep(post_form(client, f"/subjects/{subject}/consents", {"grantor": "Inga"}))
    keep(client.get(f"/subjects/{subject}/access-report"))
    sign_in(client, hub, "daugavpils.cm")
    keep(post_form(client, f"/referrals/{referral_id}/emergency-read", {"justification": " "}))
    keep(client.get("/subjects/find", params={"personal_code": "120415-20001"}))
    sign_in(client, hub, "auditor")
    keep(client.get("/audit", params={"run": "1", "subject": "nav kods"}))
    keep(client.get("/accessibility"))
    keep(client.get("/nowhere"))
    assert all("<html" in text for _, text in checks.documents.values())
    checks.validate_documents()
    assert checks.findings == [], "\n".join(checks.findings)
