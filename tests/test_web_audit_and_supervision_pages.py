"""The auditor's replay in pages of 50 with the filters kept, as the log stood at a moment, and as CSV; the
supervisor's record-request timeliness for a period, on the page and as CSV. Each read is recorded; other users are
refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient

from events.access import AccessRecorded
from hub.service import Hub
from hub.web.formats import RIGA
from tests.conftest import head, known_child, log_of, moved_child
from tests.test_web_case_view import accesses
from tests.test_web_records_and_audit import REQUEST_FORM
from tests.web import post_form, sign_in

PAGE = 50
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def looked_at(hub: Hub, client: TestClient, times: int) -> str:
    """Tukums' case manager opens one child's case `times` times: that many recorded reads about her."""
    child = known_child(hub)
    sign_in(client, hub, "tukums.cm")
    for _ in range(times):
        assert client.get(f"/children/{child['subject_id']}").status_code == 200
    return child["subject_id"]


def test_the_replay_pages_keeps_the_filters_and_downloads_as_csv(client: TestClient, hub: Hub) -> None:
    subject = looked_at(hub, client, PAGE + 10)
    sign_in(client, hub, "auditor")
    first = client.get("/audit", params={"run": "1", "subject": subject, "user": "tukums.cm"})
    assert first.status_code == 200
    assert re.search(r'class="total">(\d+)<', first.text).group(1) == str(PAGE + 10)  # type: ignore[union-attr]
    assert first.text.count('<tr class="decision-') == PAGE
    following = NEXT.search(first.text)
    assert following is not None
    second = client.get(unescape(following.group(1)))
    assert f"subject={subject}" in unescape(following.group(1))
    assert second.text.count('<tr class="decision-') == 10
    assert NEXT.search(second.text) is None

    before = head(hub)
    download = client.get("/audit/replay.csv", params={"subject": subject, "user": "tukums.cm"})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == PAGE + 10
    assert {row["action"] for row in rows} == {"case.read"}
    assert accesses(hub, "auditor", "audit.replay", before)

    sign_in(client, hub, "tukums.cm")
    assert client.get("/audit/replay.csv", params={"subject": subject}).status_code == 403


def test_the_replay_as_of_a_moment_leaves_out_what_came_later(client: TestClient, hub: Hub) -> None:
    subject = looked_at(hub, client, 3)
    [last] = [event for event in log_of(hub, AccessRecorded) if event.action == "case.read"][-1:]
    moment = (last.timestamp - timedelta(days=1)).astimezone().strftime("%Y-%m-%dT%H:%M")
    sign_in(client, hub, "auditor")
    earlier = client.get("/audit", params={"run": "1", "subject": subject, "as_of": moment})
    assert earlier.status_code == 200
    assert 'class="total">0<' in earlier.text
    assert "case.read" not in earlier.text
    bad = client.get("/audit", params={"run": "1", "as_of": "yesterday-ish"})
    assert bad.status_code == 422


def test_record_request_timeliness_for_a_period_on_the_page_and_as_csv(client: TestClient, hub: Hub) -> None:
    child = moved_child(hub)
    sign_in(client, hub, "daugavpils.cm")
    assert post_form(client, "/records/new", {**REQUEST_FORM, "personal_code": child["code"]}).status_code == 303
    today = hub.now().astimezone(RIGA).date()  # the page's days are days in Riga
    sign_in(client, hub, "ministry.supervisor")
    page = client.get("/supervision/records", params={"since": today.isoformat(), "until": today.isoformat()})
    assert page.status_code == 200
    assert "Tukuma novads" in page.text
    past = client.get("/supervision/records", params={"until": (today - timedelta(days=30)).isoformat()})
    assert "Tukuma novads" not in past.text
    download = client.get("/supervision/records.csv", params={"since": today.isoformat()})
    rows = {row["municipality"]: row for row in csv.DictReader(io.StringIO(download.text))}
    assert rows["tukuma-novads"]["requests_received"] == "1"
    assert rows["daugavpils"]["requests_sent"] == "1"
    assert client.get("/supervision/records", params={"since": "2026-13-01"}).status_code == 422
    sign_in(client, hub, "tukums.head")
    assert client.get("/supervision/records.csv").status_code == 403
