"""Signing in through a real OpenID provider in a real browser (Chromium via Playwright, oidc-provider on Node.js).

A school's social pedagogue signs in at the provider, starts a referral, is warned before the session ends and
stays signed in (the provider's refresh token renews it), then lets it end: the as-you-type check pastes nothing
into the form, the form sent too late is kept and, after signing in again, sent. She signs out at the provider too.
A suspended user and an identity the hub does not know are refused with a plain page, and the auditor, signed in
through the provider, sees both refusals in the replay.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from hub.kernel.config import Settings
from hub.kernel.identity import issue_token
from hub.registry.demo import seed_demo
from hub.service import Hub
from hub.web.session import SESSION_COOKIE
from tests.oidc import openid_provider, provider_settings
from tests.pg import free_port
from tests.web import CHROMIUM, chromium, served

pytestmark = pytest.mark.browser

if CHROMIUM is None:
    pytest.skip(
        "Debian's chromium is not installed: `make test` installs it (or run `apt-get install -y chromium`)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect  # noqa: E402


@dataclass
class Served:
    url: str
    hub: Hub


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The hub (demo data, no demo sign-in) and the provider, each on a free loopback port."""
    directory = tmp_path_factory.mktemp("oidc-web")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with openid_provider([f"{base}/oidc/callback"], [f"{base}/signin"]) as issuer:
        settings = Settings(  # type: ignore[call-arg]
            store=str(directory / "hub.sqlite"),
            key_dir=directory / "keys",
            oidc_providers=provider_settings(issuer, directory / "client-secret", title="Latvija.lv (test)"),
            _env_file=None,
        )
        hub = Hub(settings)
        seed_demo(hub)
        try:
            with served(hub, port) as url:
                yield Served(url, hub)
        finally:
            hub.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as instance:
        yield instance


def sign_in_at_provider(page: Page, login: str) -> None:
    """From the hub's sign-in page through the provider's own sign-in and consent pages."""
    page.get_by_role("link", name="Latvija.lv (test)").click()
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def watch_csp(page: Page, base: str) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text and page.url.startswith(base)
            else None
        ),
    )
    return violations


def session_cookie(page: Page) -> str:
    return next(cookie["value"] for cookie in page.context.cookies() if cookie["name"] == SESSION_COOKIE)


def test_a_person_signs_in_works_stays_signed_in_keeps_a_late_form_and_signs_out(
    browser: Browser, site: Served
) -> None:
    context = browser.new_context(base_url=site.url, locale="lv-LV")
    context.set_default_timeout(15_000)
    context.clock.install()
    page = context.new_page()
    violations = watch_csp(page, site.url)
    page.goto("/")
    sign_in_at_provider(page, "tukums.school")
    expect(page).to_have_url(f"{site.url}/inbox")
    expect(page.locator("header .who")).to_contain_text("tukums.school")

    page.get_by_role("link", name="Jauns ziņojums").click()
    page.locator('[name="child.given_name"]').fill("Elza")
    page.locator('[name="child.family_name"]').fill("Kalniņa")
    page.locator('[name="child.birth_date"]').fill("2015-04-12")
    code = page.locator('[name="child.personal_code"]')
    check = page.locator("#child-personal_code-check")
    code.fill("120415-20002")
    expect(check).to_have_text("Nederīgs Latvijas personas kods.")

    notice = page.locator("#session-notice")
    expect(notice).to_be_hidden()
    left = site.hub.settings.token_ttl_minutes * 60 - site.hub.settings.session_warning_seconds
    page.clock.fast_forward(f"{left // 60:02d}:{left % 60 + 5:02d}")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Jūsu sesija drīz beigsies.")
    before = session_cookie(page)
    notice.get_by_role("button", name="Palikt pieteiktam").click()
    expect(notice).to_be_hidden()
    assert session_cookie(page) != before

    expired = issue_token(site.hub.signing_key, "tukums.school", "TUK-SKOLA", timedelta(minutes=-5))
    context.add_cookies(
        [
            {
                "name": SESSION_COOKIE,
                "value": expired,
                "url": site.url,
                "httpOnly": True,
                "sameSite": "Strict",
            }
        ]
    )
    code.fill("120415-20001")
    expect(notice).to_contain_text("Jūsu sesija ir beigusies.")
    expect(check).to_have_text("")
    expect(page.locator("form.referral")).not_to_contain_text("Pieteikties ar savas organizācijas kontu")

    page.locator('[name="child.municipality"]').select_option("tukuma-novads")
    page.get_by_label("Nolaidība").check()
    page.get_by_label("Steidzams").check()
    page.get_by_label("Ko esat pamanījis?").fill("Bērns nav apmeklējis skolu divas nedēļas.")
    page.get_by_role("button", name="Nosūtīt ziņojumu").click()
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fforms%2Fkept%2F"))
    page.get_by_role("link", name="Latvija.lv (test)").click()  # the provider's session lives: straight back
    expect(page.get_by_role("heading", name="Jūsu veidlapa ir saglabāta")).to_be_visible()
    page.get_by_role("button", name="Nosūtīt veidlapu tagad").click()
    expect(page.locator(".notice")).to_have_text("Ziņojums nosūtīts.")

    page.get_by_role("button", name="Iziet").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{site.url}/signin")
    page.goto("/inbox")
    expect(page).to_have_url(f"{site.url}/signin?next=%2Finbox")
    page.get_by_role("link", name="Latvija.lv (test)").click()
    expect(page.locator('input[name="login"]')).to_be_visible()  # signed out at the provider too
    assert violations == []
    context.close()


def test_refused_sign_ins_are_plain_pages_and_the_auditor_replays_them(browser: Browser, site: Served) -> None:
    site.hub.registry.set_user_suspended("riga.cm", True, "on leave")
    for login, message in (
        ("riga.cm", "Jūsu konts centrā ir apturēts"),
        ("nobody.here", "Jūsu konts nav reģistrēts centrā"),
    ):
        context = browser.new_context(base_url=site.url, locale="lv-LV")
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/signin")
        sign_in_at_provider(page, login)
        expect(page.locator(".error .message")).to_contain_text(message)
        expect(page.locator("header .who")).to_have_count(0)
        context.close()

    context = browser.new_context(base_url=site.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/lang/en?next=/signin")
    sign_in_at_provider(page, "auditor")
    expect(page.locator("header .who")).to_contain_text("auditor")
    page.goto("/audit?run=1&decision=deny")
    rows = page.locator("table tbody tr", has_text="openid_connect:test-idp")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("riga.cm")
    expect(rows.nth(0)).to_contain_text("user_suspended")
    expect(rows.nth(1)).to_contain_text("not_registered")
    Path(__file__).parent.parent.joinpath("test-artifacts", "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(__file__).parent.parent / "test-artifacts" / "screenshots" / "sign-in-refusals.png"))
    context.close()
