"""Pages in plain Latvian and English: dates and numbers as each language writes them, the school's sent list and
question, finding a person by personal code (recorded, revealing nothing to an unrelated agency), the auditor's
emergency-access rows, the supervisor's start page, the accessibility statement, print views and error pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient

from events.access import AccessRecorded
from hub.service import Hub
from hub.web.formats import day_text, moment_text, number_text
from tests.conftest import log_of
from tests.test_web_emergency_read import JUSTIFICATION, submitted
from tests.web import post_form, sign_in

Auth = Callable[[str], dict[str, str]]
CODE = "120415-20001"  # Elza's, as in conftest's referral


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1]))


def test_dates_have_four_digit_years_in_latvian_and_the_british_order_in_english(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "tukums.intake")
    latvian = visible(client.get(f"/referrals/{referral_id}").text)
    assert "12.04.2015" in latvian
    assert re.search(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", latvian)  # submitted: four-digit year, 24-hour clock
    client.cookies.set("hub_lang", "en")
    english = visible(client.get(f"/referrals/{referral_id}").text)
    assert "12 Apr 2015" in english
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", english)  # no US month/day/year
    assert not re.search(r"\b(AM|PM)\b", english)


def test_the_schools_sent_list_names_the_child_and_the_reference_and_its_page_shows_the_question(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    before = len(log_of(hub, AccessRecorded))
    sign_in(client, hub, "tukums.school")
    sent = client.get("/inbox?direction=outgoing").text
    assert "Elza Kalniņa" in sent
    assert referral_id[:8].upper() in sent
    assert ">Nosūtītie<" in sent
    [read] = [event for event in log_of(hub, AccessRecorded)[before:] if event.action == "inbox.read"]
    assert len(read.subjects) == 1  # the names on the list are a recorded read of the child's identity

    client.post(f"/v1/referrals/{referral_id}/acknowledge", headers=auth("tukums.intake")).raise_for_status()
    client.post(
        f"/v1/referrals/{referral_id}/assign", json={"worker": "tukums.cm"}, headers=auth("tukums.intake")
    ).raise_for_status()
    asked = client.post(
        f"/v1/referrals/{referral_id}/request-information",
        json={"question": "Kopš kura datuma bērns neapmeklē skolu?"},
        headers=auth("tukums.cm"),
    )
    assert asked.status_code == 200, asked.text
    page = client.get(f"/referrals/{referral_id}").text
    question = page.index("Kopš kura datuma bērns neapmeklē skolu?")
    assert "Sociālais dienests jautā" in page
    assert question < page.index("Jūsu atbilde")


def test_a_person_is_found_by_personal_code_only_by_an_agency_related_to_them(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    submitted(client, auth)
    sign_in(client, hub, "tukums.cm")
    found = client.get("/subjects/find", params={"personal_code": CODE, "page": "consents"}, follow_redirects=False)
    assert found.status_code == 303
    assert re.fullmatch(r"/subjects/[0-9a-f-]{36}/consents", found.headers["location"])
    consents = client.get(found.headers["location"]).text
    assert 'action="/subjects/find"' in consents  # the page can look up another person too
    report = client.get("/subjects/find", params={"personal_code": CODE, "page": "access-report"})
    assert report.status_code == 200
    assert "/access-report" in str(report.url)

    # Another municipality's social service: the same answer as for a code nobody has, and the search is recorded.
    sign_in(client, hub, "daugavpils.cm")
    before = len(log_of(hub, AccessRecorded))
    refused = client.get("/subjects/find", params={"personal_code": CODE, "page": "consents"})
    unknown = client.get("/subjects/find", params={"personal_code": "010101-10006", "page": "consents"})
    for page in (refused, unknown):
        assert page.status_code == 404
        assert "Nevienai personai, kuru jūs drīkstat redzēt, nav šī personas koda." in page.text
        assert 'aria-describedby="personal_code-error"' in page.text
        assert 'id="form-errors"' in page.text
    assert f'value="{CODE}"' in refused.text  # what was typed stays in the form
    searches = [event for event in log_of(hub, AccessRecorded)[before:] if event.action == "subject.find"]
    assert [event.decision for event in searches] == ["deny", "deny"]
    bad = client.get("/subjects/find", params={"personal_code": "12", "page": "consents"})
    assert bad.status_code == 422
    assert "Nederīgs Latvijas personas kods." in bad.text


def test_the_auditor_finds_a_person_by_code_and_sees_each_emergency_accesss_justification_and_review(
    client: TestClient, hub: Hub, auth: Auth
) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "daugavpils.cm")
    read = post_form(client, f"/referrals/{referral_id}/emergency-read", {"justification": JUSTIFICATION})
    assert read.status_code == 200
    [review] = client.get("/v1/reviews", headers=auth("daugavpils.head")).json()

    sign_in(client, hub, "auditor")
    page = client.get("/audit", params={"run": "1", "subject": CODE, "break_glass_only": "true"}).text
    assert JUSTIFICATION in page
    assert "Gaida dienesta vadītāja izvērtējumu" in page
    assert "Darbs ar ziņojumu" in page  # the purpose by name, not `referral-handling`
    assert "referral-handling" not in visible(page)
    resolved = client.post(
        f"/v1/reviews/{review['id']}/resolve",
        json={"outcome": "justified", "note": "Policijas lūgums bija pamatots."},
        headers=auth("daugavpils.head"),
    )
    assert resolved.status_code == 200, resolved.text
    page = client.get("/audit", params={"run": "1", "subject": CODE, "break_glass_only": "true"}).text
    assert "Izvērtēts: pamatota" in page
    bad = client.get("/audit", params={"run": "1", "subject": "nav kods"})
    assert bad.status_code == 422
    assert "Ierakstiet personas kodu vai personas ieraksta numuru." in bad.text
    assert 'value="nav kods"' in bad.text


def test_the_supervisor_starts_on_supervision_and_everyone_can_read_the_accessibility_statement(
    client: TestClient, hub: Hub
) -> None:
    sign_in(client, hub, "ministry.supervisor")
    landing = client.get("/inbox", follow_redirects=False)
    assert (landing.status_code, landing.headers["location"]) == (303, "/supervision")
    assert client.get("/inbox").status_code == 200
    sign_in(client, hub, "auditor")
    assert client.get("/inbox", follow_redirects=False).headers["location"] == "/audit"

    client.cookies.clear()
    statement = client.get("/accessibility")
    assert statement.status_code == 200
    assert "Paziņojums par piekļūstamību" in statement.text
    assert "WCAG" in statement.text
    assert "Direktīvu (ES) 2016/2102" in statement.text
    client.cookies.set("hub_lang", "en")
    assert "Accessibility statement" in client.get("/accessibility").text
    assert 'href="/accessibility"' in client.get("/signin").text


def test_unknown_pages_are_html_in_the_readers_language_and_api_paths_stay_problems(client: TestClient) -> None:
    page = client.get("/reviews-that-do-not-exist")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Nav atrasts." in page.text
    assert "<h1>Lapa nav atrasta</h1>" in page.text
    assert 'href="/accessibility"' in page.text
    problem = client.get("/v1/nothing-here")
    assert problem.headers["content-type"].startswith("application/problem+json")


def test_a_referral_has_a_print_view_without_menus_or_forms(client: TestClient, hub: Hub, auth: Auth) -> None:
    referral_id = submitted(client, auth)
    sign_in(client, hub, "tukums.intake")
    page = client.get(f"/referrals/{referral_id}").text
    assert f'href="/referrals/{referral_id}?view=print"' in page
    printed = client.get(f"/referrals/{referral_id}", params={"view": "print"}).text
    assert '<body class="print-view">' in printed
    assert "glabājiet to slēgtā vietā" in printed
    assert "button[data-print]" not in printed
    assert "data-print" in printed


def test_numbers_and_moments_as_each_language_writes_them() -> None:
    moment = datetime(2026, 12, 2, 16, 5, tzinfo=UTC)
    assert moment_text(moment, "lv") == "02.12.2026 18:05"  # Riga time, four-digit year
    assert moment_text(moment, "en") == "2 Dec 2026, 18:05"
    assert day_text("2015-04-12", "lv") == "12.04.2015"
    assert number_text(1234.56, "lv") == "1\xa0234,6"  # decimal comma, a space between thousands
    assert number_text(1234.56, "en") == "1,234.6"
    assert number_text(None, "lv") == "—"
