"""The case work journeys in a real browser (Debian's Chromium driven by Playwright), in Latvian and in English:
a case manager hands a case over and a released document travels from Tukums to Daugavpils; a bāriņtiesa member
finds a child and opens the case; the head of service reviews an emergency read; the supervisor reads record-request
timeliness for a period and downloads it; the auditor pages through a replay, looks at the log as of a moment and
downloads it. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
import uvicorn

from hub.api.app import create_app
from hub.kernel.config import Settings
from hub.records.domain import RecordRequestDraft
from hub.referrals.domain import ReferralDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from hub.web.i18n import translations
from tests.conftest import child_referral, fresh_code, known_child, moved_child

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium")
if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser, expect  # noqa: E402

from tests import test_web_browser as scenarios  # noqa: E402
from tests.test_web_browser import Session, free_port  # noqa: E402

browser = scenarios.browser  # the same Chromium, one per module

LANGUAGES = ("lv", "en")
DOCUMENT = "Izvērtējums 2024.pdf"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Hub]]:
    """The demo hub served by uvicorn on a free port, and the hub itself (to set up what a journey starts from)."""
    directory = tmp_path_factory.mktemp("casework")
    settings = Settings(  # type: ignore[call-arg]
        store=str(directory / "hub.sqlite"), key_dir=directory / "keys", demo=True, _env_file=None
    )
    hub = Hub(settings)
    seed_demo(hub)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(hub, follow_in_background=False), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="casework-under-test", daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
        assert thread.is_alive(), "the server did not start"
    try:
        yield f"http://127.0.0.1:{port}", hub
    finally:
        server.should_exit = True
        thread.join(10)
        hub.close()


def open_as(browser: Browser, base_url: str, username: str, language: str) -> Session:
    session = Session(browser, base_url, username)
    session.page.goto(f"/lang/{language}?next=%2Finbox")
    expect(session.page.locator("html")).to_have_attribute("lang", language)
    return session


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_case_is_handed_over_and_a_document_travels_between_the_services(
    browser: Browser, served: tuple[str, Hub], language: str
) -> None:
    base_url, hub = served
    _ = translations(language).gettext
    child = moved_child(hub)

    old = open_as(browser, base_url, "tukums.cm", language)
    page = old.page
    page.get_by_role("link", name=_("Find a child")).click()
    page.locator("#personal_code").fill(child["code"])
    page.get_by_role("button", name=_("Search"), exact=True).click()
    page.locator("ul.results a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Elza Kalniņa")
    old.screenshot(f"case-view-{language}")
    page.get_by_role("link", name=_("Hand the case over after a move")).click()
    page.locator("#given_name").fill("Elza")
    page.locator("#family_name").fill("Kalniņa")
    page.locator("#to_municipality").select_option("daugavpils")
    page.locator("#moved_on").fill("2026-01-05")
    page.get_by_role("button", name=_("Offer the case")).click()
    expect(page.locator("dd.handover-status")).to_have_text(_("Offered"))
    handover_url = page.url

    new = open_as(browser, base_url, "daugavpils.cm", language)
    new.page.get_by_role("link", name=_("Case handovers")).click()
    new.page.locator(f'table.handovers a[href="{handover_url.removeprefix(base_url)}"]').click()
    new.page.get_by_role("button", name=_("Accept the case"), exact=True).click()
    expect(new.page.locator("dd.handover-status")).to_have_text(_("Taken over"))
    new.page.get_by_role("button", name=_("Ask for these records")).first.click()
    new.screenshot(f"handover-checklist-{language}")
    new.page.get_by_role("link", name=_("Asked: open the request")).first.click()
    request_url = new.page.url

    page.goto(request_url)
    page.get_by_role("button", name=_("Acknowledge")).click()
    page.locator("#outcome-assessment-released").check()
    page.locator("#documents-assessment").set_input_files(
        {"name": DOCUMENT, "mimeType": "application/pdf", "buffer": b"%PDF-1.4 izvertejums"}
    )
    old.screenshot(f"record-answer-with-document-{language}")
    page.get_by_role("button", name=_("Send the answers")).click()
    expect(page.locator("td.state-released")).to_have_count(1)

    new.page.goto(request_url)
    new.page.get_by_role("link", name=_("Read the released records")).click()
    with new.page.expect_download() as download:
        new.page.get_by_role("link", name=DOCUMENT).click()
    assert download.value.suggested_filename == DOCUMENT
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 izvertejums"
    new.screenshot(f"released-document-{language}")
    for session in (old, new):
        session.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bāriņtiesa_member_finds_a_child_and_opens_the_case(
    browser: Browser, served: tuple[str, Hub], language: str
) -> None:
    base_url, hub = served
    _ = translations(language).gettext
    given = f"Marta{language.upper()}"
    body = child_referral(
        concerns=["violence_physical"],
        child={**child_referral()["child"], "given_name": given, "personal_code": fresh_code()},
    )
    referral_id = hub.referrals.submit(hub.principal_for("tukums.school"), ReferralDraft.model_validate(body))["id"]
    member = open_as(browser, base_url, "tukums.bt", language)
    page = member.page
    expect(page.locator("table.inbox")).to_contain_text(given)
    page.get_by_role("link", name=_("Find a child")).click()
    page.locator("#given_name").fill(given)
    page.locator("#family_name").fill("Kalniņa")
    page.locator("#birth_date").fill("2015-04-12")
    page.get_by_role("button", name=_("Search"), exact=True).click()
    page.locator("ul.results a").click()
    expect(page.locator(f'table.case-referrals a[href="/referrals/{referral_id}"]')).to_have_count(1)
    expect(page.locator("ul.involved")).to_contain_text("Tukuma 2. vidusskola")
    member.screenshot(f"case-view-baritiesa-{language}")
    page.get_by_role("link", name=_("Find a child")).click()
    page.locator("#personal_code").fill(fresh_code())
    page.get_by_role("button", name=_("Search"), exact=True).click()
    expect(page.locator("p.empty")).to_have_text(
        _("No child your agency works with matches. This does not tell whether the hub knows the child.")
    )
    member.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_head_of_service_reviews_an_emergency_read(
    browser: Browser, served: tuple[str, Hub], language: str
) -> None:
    base_url, hub = served
    _ = translations(language).gettext
    child = known_child(hub)
    justification = f"Policija naktī lūdz steidzami pārbaudīt bērna drošību ({language})"
    reader = open_as(browser, base_url, "daugavpils.cm", language)
    reader.page.goto(f"/referrals/{child['referral_id']}")
    reader.page.locator("#justification").fill(justification)
    reader.page.get_by_role("button", name=_("Read in an emergency")).click()
    expect(reader.page.locator("main")).to_contain_text("Elza")

    head = open_as(browser, base_url, "daugavpils.head", language)
    page = head.page
    page.get_by_role("link", name=_("Emergency access reviews")).click()
    review = page.locator("article.review", has_text=justification)
    expect(review.locator("dd.justification")).to_have_text(justification)
    head.screenshot(f"review-queue-{language}")
    review.get_by_label(_("Justified"), exact=True).check()
    review.get_by_label(_("Review note")).fill("Pamatoti: policijas lūgums")
    review.get_by_role("button", name=_("Record the review")).click()
    expect(page.locator("article.review", has_text=justification)).to_have_count(0)
    page.get_by_role("link", name=_("Justified"), exact=True).click()
    expect(page.locator("article.review", has_text=justification)).to_contain_text("Pamatoti: policijas lūgums")
    for session in (reader, head):
        session.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_supervisor_reads_record_request_timeliness_for_a_period(
    browser: Browser, served: tuple[str, Hub], language: str
) -> None:
    base_url, hub = served
    _ = translations(language).gettext
    child = moved_child(hub)
    body = {
        "municipality": "tukuma-novads",
        "agencies": ["TUK-SD"],
        "subjects": [{"subject_id": child["subject_id"], "given_name": "Elza", "family_name": "Kalniņa"}],
        "basis": "GDPR-6-1-c",
        "categories": ["assessment"],
    }
    hub.records.create(hub.principal_for("daugavpils.cm"), RecordRequestDraft.model_validate(body))
    supervisor = open_as(browser, base_url, "ministry.supervisor", language)
    page = supervisor.page
    page.goto("/supervision")
    page.get_by_role("link", name=_("Timeliness of record requests")).click()
    page.locator("#since").fill((hub.now() - timedelta(days=1)).date().isoformat())
    page.get_by_role("button", name=_("Show")).click()
    expect(page.locator("table.records-timeliness")).to_contain_text("Tukuma novads")
    supervisor.screenshot(f"records-timeliness-{language}")
    with page.expect_download() as download:
        page.get_by_role("link", name=_("Download as CSV")).click()
    assert download.value.suggested_filename == "record-request-timeliness.csv"
    assert Path(download.value.path()).read_text().startswith("municipality,requests_sent")
    supervisor.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_auditor_pages_a_replay_looks_as_of_a_moment_and_downloads_it(
    browser: Browser, served: tuple[str, Hub], language: str
) -> None:
    base_url, hub = served
    _ = translations(language).gettext
    child = known_child(hub)
    reader = hub.principal_for("tukums.cm")
    for _look in range(60):
        hub.cases.case(reader, UUID(child["subject_id"]), "test")
    auditor = open_as(browser, base_url, "auditor", language)
    page = auditor.page
    page.get_by_role("link", name=_("Audit")).click()
    page.locator("#subject").fill(child["subject_id"])
    page.get_by_role("button", name=_("Replay")).click()
    rows = page.locator("table.replay tbody tr")
    expect(rows).to_have_count(50)
    page.get_by_role("link", name=_("Next page")).click()
    expect(page.locator("#subject")).to_have_value(child["subject_id"])
    expect(rows.first).to_be_visible()
    auditor.screenshot(f"audit-replay-page-2-{language}")
    with page.expect_download() as download:
        page.get_by_role("link", name=_("Download all as CSV")).click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert len(lines) > 60
    page.locator("#as_of").fill("2020-01-01T00:00")
    page.get_by_role("button", name=_("Replay")).click()
    expect(page.locator("strong.total")).to_have_text("0")
    auditor.close()
