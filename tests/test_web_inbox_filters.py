"""The inbox page filters and orders the whole inbox, not the page: overdue referrals come first, by due time,
"overdue only" finds every overdue referral however many there are, the next page keeps the filters, and the
API's filtered inbox counts the same referrals as the page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient

from hub.referrals.domain import ReferralDraft
from hub.service import Hub
from tests.conftest import distinct_child_referral
from tests.web import sign_in

Auth = Callable[[str], dict[str, str]]
IMMEDIATE = 30
ROUTINE = 40
LINK = re.compile(r'<a href="/referrals/([0-9a-f-]{36})"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def referral_ids(html: str) -> list[str]:
    return LINK.findall(html)


def every_page(client: TestClient, path: str) -> list[str]:
    """The referral ids on the page and on each page its "more" link leads to."""
    found: list[str] = []
    while path:
        page = client.get(path)
        assert page.status_code == 200, page.text
        found.extend(referral_ids(page.text))
        following = NEXT.search(page.text)
        path = unescape(following.group(1)) if following else ""
        if path:
            assert "overdue=true" in path or "overdue" not in path
    return found


def test_the_whole_inbox_is_filtered_and_ordered_overdue_first(client: TestClient, hub: Hub, auth: Auth) -> None:
    school = hub.principal_for("tukums.school")
    immediate = set()
    for number in range(IMMEDIATE + ROUTINE):
        body = distinct_child_referral(number)
        body["urgency"] = "immediate" if number % 7 < 3 else "routine"
        referral_id = hub.referrals.submit(school, ReferralDraft.model_validate(body))["id"]
        if body["urgency"] == "immediate":
            immediate.add(referral_id)
    started = hub.now()
    hub.clock = lambda: started + timedelta(hours=3)  # past the 2 hours an immediate referral has to be acknowledged

    sign_in(client, hub, "tukums.intake")
    first = client.get("/inbox")
    shown = referral_ids(first.text)
    assert len(shown) == 25
    assert set(shown) <= immediate  # overdue ones first

    overdue = every_page(client, "/inbox?overdue=true")
    assert sorted(overdue) == sorted(immediate)
    urgent_only = every_page(client, "/inbox?overdue=true&urgency=routine")
    assert urgent_only == []
    everything = every_page(client, "/inbox")
    assert len(everything) == len(set(everything)) == IMMEDIATE + ROUTINE

    api = client.get(
        "/v1/inbox",
        params={"overdue": "true", "limit": 100, "order": "due"},
        headers=auth("tukums.intake"),
    )
    assert api.status_code == 200
    assert sorted(item["id"] for item in api.json()["items"]) == sorted(overdue)
    newest = client.get("/v1/inbox", params={"overdue": "true", "limit": 100}, headers=auth("tukums.intake"))
    assert len(newest.json()["items"]) == len(immediate)
    assert client.get("/inbox?status=nonsense").status_code == 422
    assert client.get("/v1/inbox?urgency=nonsense", headers=auth("tukums.intake")).status_code == 422


def test_sent_referrals_filter_by_milestone_over_every_page(client: TestClient, hub: Hub) -> None:
    school = hub.principal_for("tukums.school")
    for number in range(30):
        hub.referrals.submit(school, ReferralDraft.model_validate(distinct_child_referral(1000 + number)))
    sign_in(client, hub, "tukums.school")
    assert len(every_page(client, "/inbox?direction=outgoing&status=sent")) == 30
    assert every_page(client, "/inbox?direction=outgoing&status=closed") == []
