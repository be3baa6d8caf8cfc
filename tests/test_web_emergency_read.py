"""Emergency (break-glass) reads from the web pages: offered only to roles the policy lets break the glass, the
justification posted in the body arrives byte for byte in the review queue and the log, on both stores."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from events.access import AccessRecorded
from events.review import BreakGlassReviewOpened
from hub.service import Hub
from tests.conftest import child_referral, log_of
from tests.test_break_glass_text import assert_reviewed_intact
from tests.web import post_form, sign_in

Auth = Callable[[str], dict[str, str]]
JUSTIFICATION = "Policija naktī lūdz steidzami pārbaudīt bērna drošību"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def submitted(client: TestClient, auth: Auth) -> str:
    response = client.post("/v1/referrals", json=child_referral(), headers=auth("tukums.school"))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_refused_reader_whose_role_allows_it_is_offered_an_emergency_read(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "daugavpils.cm")
    refused = client.get(f"/referrals/{referral_id}")
    assert refused.status_code == 404
    assert "Nav ziņojuma ar šādu numuru" in refused.text
    assert f'action="/referrals/{referral_id}/emergency-read"' in refused.text
    assert "Kāpēc jums tas jāizlasa tagad?" in refused.text
    assert "to pārbaudīs jūsu dienesta vadītājs" in refused.text
    assert 'minlength="20"' in refused.text
    # The same page for a referral that does not exist: the form reveals nothing.
    assert 'name="justification"' in client.get(f"/referrals/{UNKNOWN}").text
    client.cookies.set("hub_lang", "en")
    english = client.get(f"/referrals/{referral_id}").text
    assert "Why must you read it now?" in english
    assert "the head of your service will review it" in english


def test_the_emergency_read_form_shows_the_referral_and_the_review_has_the_exact_text(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "daugavpils.cm")
    page = post_form(client, f"/referrals/{referral_id}/emergency-read", {"justification": JUSTIFICATION})
    assert page.status_code == 200, page.text
    assert "Elza Kalniņa" in page.text
    assert "Jūs lasāt šo ziņojumu ārkārtas gadījumā" in page.text
    assert_reviewed_intact(client, hub, auth)
    # Reading again without a justification is refused, as before: the emergency read was for this one view.
    assert client.get(f"/referrals/{referral_id}").status_code == 404


def test_a_short_justification_is_refused_recorded_and_the_form_keeps_the_text(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "daugavpils.cm")
    page = post_form(client, f"/referrals/{referral_id}/emergency-read", {"justification": "Steidzami"})
    assert page.status_code == 403
    assert "break_glass_denied" in page.text
    assert ">Steidzami</textarea>" in page.text
    assert log_of(hub, AccessRecorded)[-1].decision == "deny"
    assert log_of(hub, BreakGlassReviewOpened) == []
    empty = post_form(client, f"/referrals/{referral_id}/emergency-read", {"justification": "  "})
    assert empty.status_code == 422
    assert "justification" in empty.text


def test_roles_that_may_not_break_the_glass_get_no_form_and_are_refused(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "daugavpils.school")
    refused = client.get(f"/referrals/{referral_id}")
    assert refused.status_code == 404
    assert "justification" not in refused.text
    posted = post_form(client, f"/referrals/{referral_id}/emergency-read", {"justification": JUSTIFICATION})
    assert posted.status_code == 403
    assert "justification" not in posted.text
    assert "Elza" not in posted.text
    assert log_of(hub, BreakGlassReviewOpened) == []


def test_the_emergency_read_form_needs_its_csrf_token(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "daugavpils.cm")
    forged = client.post(
        f"/referrals/{referral_id}/emergency-read", data={"justification": JUSTIFICATION}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert "csrf_rejected" in forged.text
    assert log_of(hub, BreakGlassReviewOpened) == []
