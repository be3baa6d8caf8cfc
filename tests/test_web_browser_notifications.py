"""The header's notification counters in a real browser (Debian's Chromium with Playwright), against the items on
the notifications page, as the intake officer marks them read (a new urgent referral, a routine one, and the urgent
one's acknowledgement clock due soon); the agency administrator sets what the service requires. Every page loaded
is checked (axe-core, html-validate) like the other browser scenarios."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from hub.kernel.config import Settings
from hub.referrals.domain import ReferralDraft
from hub.registry.demo import seed_demo
from hub.service import Hub
from tests.conftest import child_referral
from tests.pg import free_port
from tests.web import CHROMIUM, chromium, served

pytestmark = pytest.mark.browser

if CHROMIUM is None:
    pytest.skip("Debian's chromium is not installed: `make test` installs it", allow_module_level=True)

from playwright.sync_api import Browser, expect  # noqa: E402

from tests.page_checks import node_tools_missing  # noqa: E402
from tests.test_web_browser import Session  # noqa: E402

if node_tools_missing():
    pytest.skip(str(node_tools_missing()), allow_module_level=True)


@pytest.fixture
def hub_with_items(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hub, str]]:
    directory = tmp_path_factory.mktemp("web-notifications")
    settings = Settings(  # type: ignore[call-arg]
        store=str(directory / "hub.sqlite"), key_dir=directory / "keys", demo=True, _env_file=None
    )
    hub = Hub(settings)
    seed_demo(hub)
    school = hub.principal_for("tukums.school")
    for urgency in ("immediate", "routine"):
        hub.referrals.submit(school, ReferralDraft.model_validate(child_referral(urgency=urgency)))
    hub.notifications.work_round()
    started = hub.now()
    hub.clock = lambda: started + timedelta(minutes=90)  # the immediate referral's two-hour acknowledgement clock
    hub.notifications.work_round()
    try:
        with served(hub, free_port()) as url:
            yield hub, url
    finally:
        hub.close()


def test_the_header_counters_match_the_items_as_they_are_read(hub_with_items: tuple[Hub, str]) -> None:
    _, base_url = hub_with_items
    with chromium() as browser_instance:
        browser: Browser = browser_instance
        intake = Session(browser, base_url, "tukums.intake")
        page = intake.page
        header = page.locator("header .notice-counts")
        expect(header.locator(".unread-count")).to_have_text("3")
        expect(header.locator(".urgent-count")).to_have_text("2")
        expect(header.locator(".new-count")).to_have_text("2")
        expect(header.locator(".due-soon-count")).to_have_text("1")
        header.get_by_role("link").click()
        expect(page.locator("li.notification.unread")).to_have_count(3)
        page.locator("li.notification.unread").first.get_by_role("button", name="Atzīmēt kā izlasītu").click()
        expect(page.locator("li.notification.unread")).to_have_count(2)
        expect(header.locator(".unread-count")).to_have_text("2")
        expect(header.locator(".due-soon-count")).to_have_count(0)
        page.get_by_role("button", name="Atzīmēt visus kā izlasītus").click()
        expect(page.locator("li.notification.unread")).to_have_count(0)
        expect(header.locator(".unread-count")).to_have_text("0")
        expect(header.locator(".urgent-count")).to_have_count(0)
        intake.close()
        other = Session(browser, base_url, "daugavpils.cm")
        expect(other.page.locator("header .notice-counts .unread-count")).to_have_text("0")
        other.close()
        admin = Session(browser, base_url, "tukums.admin")
        admin.page.goto("/notifications")
        admin.page.get_by_label("Pārējiem paziņojumiem vismaz").select_option("digest")
        admin.page.get_by_role("button", name="Saglabāt prasību").click()
        expect(admin.page.locator("p.requirement")).to_contain_text("pārējiem — Reizi dienā")
        admin.close()
