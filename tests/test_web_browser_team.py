"""The team journeys in a real browser (Debian's Chromium driven by Playwright), Latvian first, then English: the
police plan a home visit and the social service, warned, joins it; the social service agrees a task with the school,
which accepts it, reports progress and marks it done; the service's reviewer draws a sample of case files and
reviews one, with a remark where a criterion is not met. axe-core and html-validate check every page on the way
(`tests/page_checks.py`, through `Session`). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from uuid import UUID

import pytest

from hub.audit.access_report_service import InvestigationDraft
from hub.service import Hub
from hub.web.i18n import translations
from tests.conftest import known_child

pytestmark = pytest.mark.browser
if shutil.which("chromium") is None:
    pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

from tests import test_web_browser as scenarios  # noqa: E402
from tests import test_web_browser_casework as casework  # noqa: E402
from tests.test_web_browser_casework import open_as  # noqa: E402

browser = scenarios.browser  # the same Chromium, one per module
served = casework.served  # the demo hub served by uvicorn
LANGUAGES = ("lv", "en")


def answer_the_rest(page: Page) -> None:
    """Every criterion the hub did not pre-fill is answered "conforms" (the reviewer's own judgement)."""
    selects = page.locator("form.case-review select")
    for index in range(selects.count()):
        if selects.nth(index).input_value() == "":
            selects.nth(index).select_option("conforms")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visit_is_joined_a_task_done_and_a_case_file_reviewed(
    browser: Browser, served: tuple[str, Hub], language: str
) -> None:
    base_url, hub = served
    _ = translations(language).gettext
    child = known_child(hub)
    subject = UUID(child["subject_id"])
    hub.access_reports.open_investigation(
        hub.principal_for("police.officer"), InvestigationDraft(subjects=[subject], reference="VP-2026-24")
    )
    hub.team.name_worker(hub.principal_for("tukums.cm"), subject, "tukums.cm")
    team = f"/people/{subject}/team"
    day = date.today() + timedelta(days=3)
    sessions = []

    police = open_as(browser, base_url, "police.officer", language)
    sessions.append(police)
    police.page.goto(team)
    expect(police.page.locator(".responsible-worker")).to_have_text("Anna Bērziņa")
    police.page.locator("#window_from").fill(day.isoformat())
    police.page.locator("#window_to").fill(day.isoformat())
    police.page.locator("#purpose").fill("Pārbaude pēc ziņojuma")
    police.page.locator("#visiting_role").select_option("police_officer")
    police.page.get_by_role("button", name=_("Plan the visit")).click()
    expect(police.page.locator("table.visits tbody tr")).to_have_count(1)

    worker = open_as(browser, base_url, "tukums.cm", language)
    sessions.append(worker)
    page = worker.page
    page.get_by_role("link", name=_("Find a child")).click()
    page.locator("#personal_code").fill(child["code"])
    page.get_by_role("button", name=_("Search"), exact=True).click()
    page.locator("ul.results a").click()
    page.get_by_role("link", name=_("Who works with this family")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(_("Who works with this family"))
    page.locator("#window_from").fill((day + timedelta(days=1)).isoformat())
    page.locator("#window_to").fill((day + timedelta(days=1)).isoformat())
    page.locator("#purpose").fill("Apsekošana")
    page.locator("#visiting_role").select_option("case_manager")
    page.get_by_role("button", name=_("Plan the visit")).click()
    expect(page.locator(".nearby-visit")).to_be_visible()  # the police visit the day before
    worker.screenshot(f"team-visit-warning-{language}")
    page.get_by_role("button", name=_("Cancel the visit")).click()
    page.get_by_role("button", name=_("Join this visit")).click()
    expect(page.locator("table.visits")).to_contain_text("Tukuma novada Sociālais dienests")
    page.locator("#agency_code").select_option("TUK-SKOLA")
    page.locator("#title").fill("Apmeklējuma uzskaite")
    page.locator("#working_days").fill("3")
    page.get_by_role("button", name=_("Record the task")).click()
    expect(page.locator("table.tasks tbody tr")).to_have_count(1)

    school = open_as(browser, base_url, "tukums.school", language)
    sessions.append(school)
    school.page.goto(team)
    school.page.get_by_role("button", name=_("Accept the task")).click()
    status = school.page.locator("table.tasks tbody td").nth(3)
    expect(status).to_have_text(_("Accepted"))
    school.page.locator("form.report-task textarea").fill("Apmeklē skolu katru dienu")
    school.page.get_by_role("button", name=_("Report progress")).click()
    expect(school.page.locator("ul.task-notes")).to_contain_text("Apmeklē skolu katru dienu")
    school.page.locator("form.finish-task select").select_option("true")
    school.page.locator("form.finish-task textarea").fill("Uzskaite nodota")
    school.screenshot(f"team-task-{language}")
    school.page.get_by_role("button", name=_("Save")).click()
    expect(status).to_have_text(_("Done"))

    police.page.goto(team)
    own_visit = police.page.locator("table.visits tbody tr", has_text=day.isoformat())
    expect(own_visit).to_contain_text("Tukuma novada Sociālais dienests")  # joined
    own_visit.locator("form.visit-made textarea").fill("Mājās kārtība")
    own_visit.get_by_role("button", name=_("Visit made")).click()
    expect(own_visit.locator("td").nth(3)).to_contain_text(_("Done"))
    expect(own_visit.locator("p.findings")).to_have_text("Mājās kārtība")

    reviewer = open_as(browser, base_url, "tukums.reviewer", language)
    sessions.append(reviewer)
    page = reviewer.page
    page.get_by_role("link", name=_("Case files to review")).click()
    page.locator("#size").fill("50")
    page.get_by_role("button", name=_("Show")).click()
    reviewer.screenshot(f"case-review-sample-{language}")
    page.locator(f'ol.sample a[href="/people/{subject}/case-review"]').click()
    expect(page.locator(".prefill-reason").first).to_be_visible()
    answer_the_rest(page)
    page.locator("#answer-forms-used").select_option("does_not_conform")
    page.get_by_role("button", name=_("Record the review")).click()
    expect(page.locator("#remark-forms-used-error")).to_have_text(_("Say what does not conform."))
    page.locator("#remark-forms-used").fill("Nav lietota vienotā veidlapa")
    answer_the_rest(page)
    page.get_by_role("button", name=_("Record the review")).click()
    expect(page.locator("table.review")).to_contain_text("Nav lietota vienotā veidlapa")
    reviewer.screenshot(f"case-review-recorded-{language}")

    for session in sessions:
        session.close()
