"""The web interface in a real browser (Debian's Chromium driven by Playwright), in Latvian.

Scenarios: a school submits a referral, the social service acknowledges, assigns, accepts and closes it, the
school sees only milestones; the supervisor looks at the dashboard. Daugavpils asks Tukums for prior-residence
records, Tukums answers, Daugavpils reads them. The auditor replays a child's accesses and verifies the log.
Screenshots of the main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.kernel.config import Settings
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.pg import free_port
from tests.web import CHROMIUM, chromium, served

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).parent.parent / "test-artifacts" / "screenshots"

if CHROMIUM is None:
    pytest.skip(
        "Debian's chromium is not installed: `make test` installs it (or run `apt-get install -y chromium`)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hub with demo data, served by uvicorn on a free loopback port in a thread."""
    directory = tmp_path_factory.mktemp("web")
    settings = Settings(  # type: ignore[call-arg]
        store=str(directory / "hub.sqlite"), key_dir=directory / "keys", demo=True, _env_file=None
    )
    hub = Hub(settings)
    seed_demo(hub)
    try:
        with served(hub, free_port()) as url:
            yield url
    finally:
        hub.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


class Session:
    """One person's browser: their own cookies, and every console complaint about the security policy."""

    def __init__(self, browser: Browser, base_url: str, username: str) -> None:
        self.context: BrowserContext = browser.new_context(base_url=base_url, locale="lv-LV")
        self.context.set_default_timeout(15_000)
        self.page: Page = self.context.new_page()
        self.csp_violations: list[str] = []
        self.page.on("console", self._watch)
        self.page.goto("/")
        expect(self.page).to_have_url(f"{base_url}/signin?next=%2Finbox")
        self.page.locator(f'button[data-user="{username}"]').click()
        expect(self.page.locator("header .who")).to_contain_text(username)

    def _watch(self, message: object) -> None:
        text = str(getattr(message, "text", ""))
        if "Content Security Policy" in text:
            self.csp_violations.append(text)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        assert self.csp_violations == []
        self.context.close()


def test_referral_scenario_in_latvian(browser: Browser, base_url: str) -> None:
    school = Session(browser, base_url, "tukums.school")
    page = school.page
    page.get_by_role("link", name="Jauns ziņojums").click()
    page.locator('[name="child.given_name"]').fill("Elza")
    page.locator('[name="child.family_name"]').fill("Kalniņa")
    page.locator('[name="child.birth_date"]').fill("2015-04-12")
    code = page.locator('[name="child.personal_code"]')
    code.fill("120415-20002")
    check = page.locator("#child-personal_code-check")
    expect(check).to_have_text("Nederīgs Latvijas personas kods.")
    code.fill("120415-20001")
    expect(check).to_have_text("")
    page.locator('[name="child.municipality"]').select_option("tukuma-novads")
    page.get_by_label("Nolaidība").check()
    page.get_by_label("Neapmeklē skolu").check()
    page.get_by_label("Steidzams").check()
    page.locator('[name="family.0.given_name"]').fill("Inga")
    page.locator('[name="family.0.family_name"]').fill("Kalniņa")
    page.locator('[name="family.0.relationship"]').select_option("mother")
    page.get_by_label("Ko esat pamanījis?").fill("Bērns nav apmeklējis skolu divas nedēļas.")
    school.screenshot("referral-form")
    page.get_by_role("button", name="Nosūtīt ziņojumu").click()
    expect(page.locator(".notice")).to_have_text("Ziņojums nosūtīts.")
    referral_url = page.url.split("?")[0]

    intake = Session(browser, base_url, "tukums.intake")
    row = intake.page.locator("table.inbox tbody tr", has_text="Elza Kalniņa")
    expect(row).to_contain_text("Apstiprināt saņemšanu līdz")
    intake.screenshot("inbox")
    row.get_by_role("button", name="Apstiprināt saņemšanu").click()
    expect(row).to_contain_text("Saņemšana apstiprināta")
    row.get_by_role("link", name="Elza Kalniņa").click()
    intake.page.get_by_label("Gadījuma vadītājs").select_option("tukums.cm")
    intake.page.get_by_role("button", name="Norīkot").click()
    expect(intake.page.locator("dd.status")).to_have_text("Norīkots")

    manager = Session(browser, base_url, "tukums.cm")
    manager.page.goto(referral_url)
    manager.page.get_by_role("button", name="Pieņemt darbā").click()
    expect(manager.page.locator("dd.status")).to_have_text("Pieņemts darbā")
    manager.page.get_by_label("Iznākums").select_option("services_provided")
    manager.page.get_by_role("button", name="Slēgt").click()
    expect(manager.page.locator("dd.status")).to_have_text("Slēgts")
    manager.page.get_by_role("link", name="Hronoloģija").click()
    expect(manager.page.locator("ol.timeline > li")).to_have_count(5)
    expect(manager.page.locator("ol.timeline")).to_contain_text("tukums.intake")
    manager.screenshot("timeline")

    page.goto("/inbox")
    sent = page.locator("table.inbox tbody tr").first
    expect(sent.locator("td.milestone")).to_have_text("Slēgts")
    expect(sent).to_contain_text("Sniegti pakalpojumi")
    page.goto(referral_url)
    expect(page.locator("dd.milestone")).to_have_text("Slēgts")
    expect(page.locator("main")).not_to_contain_text("divas nedēļas")
    page.get_by_role("link", name="Hronoloģija").click()
    milestones = page.locator("ol.timeline strong.milestone")
    expect(milestones).to_have_text(["Nosūtīts", "Saņemts", "Tiek risināts", "Slēgts"])
    expect(page.locator("main")).not_to_contain_text("tukums.cm")
    school.screenshot("timeline-referrer")

    supervisor = Session(browser, base_url, "ministry.supervisor")
    supervisor.page.get_by_role("link", name="Uzraudzība").click()
    expect(supervisor.page.locator('svg[role="img"]')).to_have_count(4)
    expect(supervisor.page.locator("table")).to_contain_text("Tukuma novads")
    supervisor.screenshot("supervision")

    for session in (school, intake, manager, supervisor):
        session.close()


def refer_elza(session: Session, municipality: str) -> None:
    """The school refers Elza (known by her personal code) to the social service of `municipality`."""
    page = session.page
    page.get_by_role("link", name="Jauns ziņojums").click()
    page.locator('[name="child.given_name"]').fill("Elza")
    page.locator('[name="child.family_name"]').fill("Kalniņa")
    page.locator('[name="child.birth_date"]').fill("2015-04-12")
    page.locator('[name="child.personal_code"]').fill("120415-20001")
    page.locator('[name="child.municipality"]').select_option(municipality)
    page.get_by_label("Nolaidība").check()
    page.get_by_label("Steidzams").check()
    page.get_by_label("Ko esat pamanījis?").fill("Bērns nesen pārcēlies un nav apmeklējis skolu.")
    page.get_by_role("button", name="Nosūtīt ziņojumu").click()
    expect(page.locator(".notice")).to_be_visible()


def test_prior_residence_scenario_in_latvian(browser: Browser, base_url: str) -> None:
    """Elza, known in Tukums, moved to Daugavpils: her new school refers her there, so Daugavpils' social service
    leads her case and may ask Tukums for her records, naming her by her personal code."""
    school = Session(browser, base_url, "daugavpils.school")
    refer_elza(school, "daugavpils")
    school.close()
    requester = Session(browser, base_url, "daugavpils.cm")
    page = requester.page
    page.get_by_role("link", name="Informācijas pieprasījumi").click()
    page.get_by_role("link", name="Pieprasīt informāciju no iepriekšējās dzīvesvietas").click()
    page.get_by_label("Iepriekšējā pašvaldība").select_option("tukuma-novads")
    page.locator("#agency-TUK-SD").check()
    page.get_by_label("Vārds", exact=True).fill("Elza")
    page.get_by_label("Uzvārds", exact=True).fill("Kalniņa")
    page.get_by_label("Personas kods", exact=True).fill("120415-20001")
    page.locator("#category-assessment").check()
    page.locator("#category-services").check()
    page.get_by_role("button", name="Nosūtīt pieprasījumu").click()
    page.locator("table.records tbody tr").first.get_by_role("link").click()
    request_url = page.url

    responder = Session(browser, base_url, "tukums.cm")
    responder.page.get_by_role("link", name="Informācijas pieprasījumi").click()
    responder.page.locator("table.records tbody tr").first.get_by_role("link").click()
    expect(responder.page.locator("main")).to_contain_text("Elza Kalniņa")
    responder.page.get_by_role("button", name="Apstiprināt saņemšanu").click()
    responder.page.locator("#outcome-assessment-released").check()
    responder.page.locator("#title-assessment").fill("Izvērtēšana")
    responder.page.locator("#text-assessment").fill("Ģimenei vajadzīgs atbalsts.")
    responder.page.locator("#outcome-services-withheld").check()
    responder.page.locator("#reason-services").select_option("ongoing_investigation")
    responder.page.get_by_role("button", name="Nosūtīt atbildes").click()
    expect(responder.page.locator("dd.record-status")).to_have_text("Atbildēts")

    page.goto(request_url)
    page.get_by_role("link", name="Lasīt izsniegto informāciju").click()
    expect(page.locator("main")).to_contain_text("Ģimenei vajadzīgs atbalsts.")
    expect(page.locator(".restriction")).to_contain_text("tālāk izpaust drīkst tikai")
    requester.screenshot("released-records")
    for session in (requester, responder):
        session.close()


def test_auditor_scenario_in_latvian(browser: Browser, base_url: str) -> None:
    """After the scenarios above: the auditor finds the child's accesses, replays them, and verifies the log."""
    auditor = Session(browser, base_url, "auditor")
    page = auditor.page
    page.get_by_role("link", name="Audits").click()
    page.get_by_label("Lietotājs").fill("tukums.cm")
    page.get_by_role("button", name="Atskaņot").click()
    page.locator("table.replay a.subject").first.click()
    rows = page.locator("table.replay tbody tr")
    expect(rows.first).to_be_visible()
    expect(page.locator("#subject")).not_to_have_value("")
    page.get_by_role("button", name="Pārbaudīt žurnālu").click()
    expect(page.locator(".verification")).to_contain_text("Žurnāls ir neskarts.")
    page.get_by_label("Lietotājs").fill("tukums.cm")
    page.get_by_role("button", name="Atskaņot").click()
    expect(page.locator("table.replay")).to_contain_text("tukums.cm")
    auditor.screenshot("auditor")
    auditor.close()


def test_switching_to_english_keeps_the_page(browser: Browser, base_url: str) -> None:
    visitor = Session(browser, base_url, "tukums.head")
    visitor.page.get_by_role("link", name="EN", exact=True).click()
    expect(visitor.page.locator("html")).to_have_attribute("lang", "en")
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Inbox")
    visitor.close()
