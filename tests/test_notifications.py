"""Notifications against a real SMTP server (aiosmtpd on a loopback port, STARTTLS required, with its own
certificate): who is e-mailed for what, the digest, no personal data in any message, retries while the server is
down, bounces shown to the agency administrator, and the header's counters against the items."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from events.notifications import (
    DeliveryMode,
    NotificationMailFailed,
    NotificationMailSent,
    NotificationRaised,
    NotificationRequirementSet,
)
from hub.api.app import create_app
from hub.cli import app
from hub.kernel.config import Settings
from hub.kernel.errors import Forbidden, InvalidInput
from hub.notifications.domain import PreferenceDraft, RequirementDraft
from hub.referrals.domain import ReferralDraft
from hub.referrals.drafts import QuestionDraft
from hub.registry.demo import DEMO_USERS, seed_demo
from hub.service import Hub
from policies.clocks import RIGA, is_working_day
from policies.referral_actions import ReferralAction
from tests.conftest import child_referral, cli_store_with_a_referral, domain_events, log_of, moved_child
from tests.smtp import BOUNCING, SmtpServer
from tests.test_consent_and_disclosure import consent_body
from tests.test_record_requests import RELEASE, answer, ask
from tests.web import post_form, sign_in


@pytest.fixture
def mail_hub(settings: Settings, smtp: SmtpServer) -> Iterator[Hub]:
    configured = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp.port,
            "smtp_ca_file": smtp.cert,
            "smtp_sender": "hub@example.lv",
            "notification_retry_seconds": 1.0,
            "public_url": "https://hub.example.lv",
        }
    )
    hub = Hub(configured)
    seed_demo(hub)
    try:
        yield hub
    finally:
        hub.close()


def everyone_wants(hub: Hub, mode: DeliveryMode) -> None:
    for username, *_ in DEMO_USERS:
        draft = PreferenceDraft(address=f"{username}@example.lv", mode=mode, language="lv")
        hub.notifications.set_preference(hub.principal_for(username), draft)


def submit(hub: Hub, urgency: str = "immediate", **overrides: Any) -> str:
    draft = ReferralDraft.model_validate(child_referral(urgency=urgency, **overrides))
    return str(hub.referrals.submit(hub.principal_for("tukums.school"), draft)["id"])


def messages_without(smtp: SmtpServer, forbidden: set[str]) -> list[EmailMessage]:
    """The messages received, each checked to hold none of `forbidden` (raw, decoded body or any header)."""
    messages = []
    for _, raw in smtp.mailbox.messages:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        text = raw.decode("utf-8", "replace") + message.get_content() + " ".join(str(v) for v in message.values())
        leaked = sorted(word for word in forbidden if word.lower() in text.lower())
        assert not leaked, leaked
        messages.append(message)
    return messages


def working_day_at(hour: int, after: dt.date) -> dt.datetime:
    day = after + dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(hour), RIGA)


def test_an_immediate_referral_mails_the_lead_intake_officers_in_one_round_and_no_one_else(
    mail_hub: Hub, smtp: SmtpServer
) -> None:
    everyone_wants(mail_hub, DeliveryMode.IMMEDIATE)
    referral = submit(mail_hub)
    counts = mail_hub.notifications.work_round()
    assert counts["sent"] == 1
    assert smtp.mailbox.recipients() == ["tukums.intake@example.lv"]
    raised = log_of(mail_hub, NotificationRaised)
    assert [(item.role.value, item.urgent, str(item.reference)) for item in raised] == [
        ("intake_officer", True, referral)
    ]
    [sent] = log_of(mail_hub, NotificationMailSent)
    assert sent.item_ids == (raised[0].originator_id,)
    assert not sent.digest
    message = message_from_bytes(smtp.mailbox.messages[0][1], policy=policy.default)
    assert "Jauns ziņojums" in str(message["Subject"])
    assert referral[:8].upper() in message.get_content()
    assert "https://hub.example.lv/notifications" in message.get_content()
    mail_hub.notifications.work_round()
    assert len(smtp.mailbox.messages) == 1, "a message sent is not sent again"


def test_the_worker_signs_in_with_the_password_file_after_starttls(
    mail_hub: Hub, smtp: SmtpServer, tmp_path: Path
) -> None:
    smtp.stop()
    smtp.password = "slepena parole"
    smtp.start()
    secret = tmp_path / "smtp_password"
    secret.write_text("slepena parole\n")
    mail_hub.settings = mail_hub.settings.model_copy(update={"smtp_user": "hub", "smtp_password_file": secret})
    everyone_wants(mail_hub, DeliveryMode.IMMEDIATE)
    submit(mail_hub)
    assert mail_hub.notifications.work_round()["sent"] == 1
    assert smtp.signed_in == ["hub"]
    assert smtp.mailbox.recipients() == ["tukums.intake@example.lv"]


def test_no_message_holds_a_name_code_or_summary(mail_hub: Hub, smtp: SmtpServer) -> None:
    everyone_wants(mail_hub, DeliveryMode.IMMEDIATE)
    english = PreferenceDraft(address="tukums.intake@example.lv", mode=DeliveryMode.IMMEDIATE, language="en")
    mail_hub.notifications.set_preference(mail_hub.principal_for("tukums.intake"), english)
    body = child_referral()
    submit(mail_hub)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.messages
    child, family = body["child"], body["family"][0]
    forbidden = {
        child["given_name"],
        child["family_name"],
        family["given_name"],
        child["personal_code"],
        child["personal_code"].replace("-", ""),
        child["birth_date"],
        *re.findall(r"\w{5,}", body["summary"]),
        *(display_name for _, display_name, _, _ in DEMO_USERS),
    }
    for message in messages_without(smtp, forbidden):
        assert "New referral" in str(message["Subject"])


def test_the_digest_collects_the_days_items_on_a_working_day_after_the_set_time(
    mail_hub: Hub, smtp: SmtpServer
) -> None:
    everyone_wants(mail_hub, DeliveryMode.DIGEST)
    first, second = submit(mail_hub, "routine"), submit(mail_hub, "urgent")
    today = mail_hub.now().astimezone(RIGA).date()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    mail_hub.clock = lambda: dt.datetime.combine(saturday, dt.time(12), RIGA)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.messages == [], "items that are not urgent wait for the digest, and none goes on a day off"
    mail_hub.clock = lambda: working_day_at(7, saturday)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.messages == [], "not before the set time (08:00 Riga)"
    mail_hub.clock = lambda: working_day_at(9, saturday)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.recipients() == ["tukums.intake@example.lv"]
    content = message_from_bytes(smtp.mailbox.messages[0][1], policy=policy.default).get_content()
    assert first[:8].upper() in content
    assert second[:8].upper() in content
    [sent] = log_of(mail_hub, NotificationMailSent)
    assert sent.digest
    assert len(sent.item_ids) == 2
    mail_hub.notifications.work_round()
    assert len(smtp.mailbox.messages) == 1, "one digest a day"


def test_the_server_down_is_retried_with_nothing_lost_and_other_work_goes_on(mail_hub: Hub, smtp: SmtpServer) -> None:
    everyone_wants(mail_hub, DeliveryMode.IMMEDIATE)
    smtp.stop()
    started = mail_hub.now()
    mail_hub.clock = lambda: started  # the hub's time stands still until the server is back
    first = submit(mail_hub)
    counts = mail_hub.notifications.work_round()
    assert counts == {"events": counts["events"], "sent": 0, "failed": 1}
    [failed] = log_of(mail_hub, NotificationMailFailed)
    assert failed.reason.startswith("unavailable")
    assert not failed.bounced
    second = submit(mail_hub)  # other work goes on while the mail server is down
    mail_hub.notifications.work_round()  # within the backoff: the first message waits, the second fails once
    assert len(log_of(mail_hub, NotificationMailFailed)) == 2
    intake = mail_hub.principal_for("tukums.intake")
    assert {first, second} <= {str(row["reference"]) for row in mail_hub.notifications.items(intake)}
    smtp.start()
    mail_hub.clock = lambda: started + dt.timedelta(seconds=5)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.recipients() == ["tukums.intake@example.lv"] * 2
    contents = " ".join(raw.decode() for _, raw in smtp.mailbox.messages)
    assert first[:8].upper() in contents
    assert second[:8].upper() in contents
    assert len(log_of(mail_hub, NotificationMailSent)) == 2


def test_a_refused_address_is_shown_to_the_agency_administrator_only(mail_hub: Hub, smtp: SmtpServer) -> None:
    bouncing = PreferenceDraft(address=BOUNCING, mode=DeliveryMode.IMMEDIATE, language="lv")
    mail_hub.notifications.set_preference(mail_hub.principal_for("tukums.intake"), bouncing)
    submit(mail_hub)
    mail_hub.notifications.work_round()
    [failed] = log_of(mail_hub, NotificationMailFailed)
    assert failed.bounced
    assert mail_hub.notifications.bounced_users(mail_hub.principal_for("tukums.admin")) == ["tukums.intake"]
    assert mail_hub.notifications.bounced_users(mail_hub.principal_for("daugavpils.admin")) == []
    with pytest.raises(Forbidden):
        mail_hub.notifications.bounced_users(mail_hub.principal_for("tukums.head"))
    fixed = PreferenceDraft(address="tukums.intake@example.lv", mode=DeliveryMode.IMMEDIATE, language="lv")
    mail_hub.notifications.set_preference(mail_hub.principal_for("tukums.intake"), fixed)
    assert mail_hub.notifications.bounced_users(mail_hub.principal_for("tukums.admin")) == []


def test_the_api_refuses_an_item_that_is_not_the_callers_with_a_reason_and_appends_nothing(hub: Hub) -> None:
    submit(hub)
    hub.notifications.work_round()
    [item] = hub.notifications.items(hub.principal_for("tukums.intake"))
    with TestClient(create_app(hub, follow_in_background=False)) as client:
        other = {"Authorization": f"Bearer {hub.issue_token('daugavpils.cm')}"}
        before = domain_events(hub)
        refused = client.post("/v1/notifications/read", json={"item_ids": [item["id"]]}, headers=other)
        assert refused.status_code == 422
        assert "unknown_notification" in refused.text
        assert domain_events(hub) == before
        mine = {"Authorization": f"Bearer {hub.issue_token('tukums.intake')}"}
        listed = client.get("/v1/notifications", headers=mine).json()
        assert listed["counters"] == {"unread": 1, "urgent": 1, "new": 1, "due_soon": 0, "overdue": 0, "to_review": 0}
        assert client.post("/v1/notifications/read", json={"item_ids": [item["id"]]}, headers=mine).status_code == 200
        assert set(client.get("/v1/notifications", headers=mine).json()["counters"].values()) == {0}


def test_another_municipalitys_service_sees_and_marks_none_of_the_items(hub: Hub) -> None:
    submit(hub)
    hub.notifications.work_round()
    intake = hub.principal_for("tukums.intake")
    [item] = hub.notifications.items(intake)
    for other in ("daugavpils.cm", "daugavpils.head", "tukums.bt", "police.officer"):
        principal = hub.principal_for(other)
        assert hub.notifications.items(principal) == []
        before = domain_events(hub)
        with pytest.raises(InvalidInput):
            hub.notifications.mark_read(principal, (UUID(item["id"]),))
        assert domain_events(hub) == before


def test_the_header_counters_match_the_items_and_marking_read_lowers_them(hub: Hub) -> None:
    submit(hub)
    submit(hub, "routine")
    hub.notifications.work_round()
    with TestClient(create_app(hub, follow_in_background=False)) as client:
        sign_in(client, hub, "tukums.intake")
        page = client.get("/inbox").text
        assert counters_of(page) == (2, 1)
        listing = client.get("/notifications").text
        assert listing.count('class="notification unread"') == 2
        item = re.findall(r'data-item="([0-9a-f-]+)"', listing)[0]
        assert post_form(client, "/notifications/read", {"item": item}).status_code == 303
        unread, _ = counters_of(client.get("/notifications").text)
        assert unread == 1
        assert post_form(client, "/notifications/read").status_code == 303
        assert counters_of(client.get("/inbox").text) == (0, 0)
        before = domain_events(hub)
        refused = post_form(client, "/notifications/read", {"item": "not-an-id"})
        assert refused.status_code == 422
        saved = post_form(
            client, "/notifications/preferences", {"address": "nav-adrese", "mode": "digest", "language": "lv"}
        )
        assert saved.status_code == 422
        assert domain_events(hub) == before
        sign_in(client, hub, "daugavpils.cm")
        assert counters_of(client.get("/inbox").text) == (0, 0)


def counters_of(page: str) -> tuple[int, int]:
    unread = re.search(r'class="unread-count">(\d+)<', page)
    urgent = re.search(r'class="urgent-count">(\d+)<', page)
    assert unread is not None, "the header shows the counters"
    return int(unread.group(1)), int(urgent.group(1)) if urgent else 0


def test_the_agency_administrator_sets_what_its_users_must_receive_and_less_is_refused(hub: Hub) -> None:
    strict = {"urgent_at_least": "immediate", "others_at_least": "digest"}
    with TestClient(create_app(hub, follow_in_background=False)) as client:

        def as_user(username: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {hub.issue_token(username)}"}

        before = domain_events(hub)
        for not_admin in ("tukums.head", "tukums.intake"):
            refused = client.put("/v1/notifications/requirement", json=strict, headers=as_user(not_admin))
            assert refused.status_code == 403
            assert "role_may_not_administer" in refused.text
        bad = client.put(
            "/v1/notifications/requirement", json={"urgent_at_least": "sometimes"}, headers=as_user("tukums.admin")
        )
        assert bad.status_code == 422
        assert domain_events(hub) == before
        saved = client.put("/v1/notifications/requirement", json=strict, headers=as_user("tukums.admin"))
        assert saved.status_code == 200, saved.text
        assert saved.json() == strict
        [event] = log_of(hub, NotificationRequirementSet)
        assert (event.agency_id, event.actor.user_id, event.actor.role) == (
            hub.principal_for("tukums.admin").agency_id,
            "tukums.admin",
            "agency_admin",
        )
        assert client.get("/v1/notifications/requirement", headers=as_user("tukums.intake")).json() == strict
        default = {"urgent_at_least": "immediate", "others_at_least": "off"}
        assert client.get("/v1/notifications/requirement", headers=as_user("daugavpils.cm")).json() == default

        before = domain_events(hub)
        off = {"address": "tukums.intake@example.lv", "mode": "off", "urgent_mode": "immediate", "language": "lv"}
        refused = client.put("/v1/notifications/preferences", json=off, headers=as_user("tukums.intake"))
        assert refused.status_code == 422
        assert refused.json()["reason"] == "below_agency_requirement"
        assert "mode" in refused.text
        late_urgent = {**off, "mode": "digest", "urgent_mode": "digest"}
        refused = client.put("/v1/notifications/preferences", json=late_urgent, headers=as_user("tukums.intake"))
        assert refused.status_code == 422
        assert "urgent_mode" in refused.text
        assert domain_events(hub) == before
        # Daugavpils' social service (the same kind, another municipality) is not bound by Tukums' requirement.
        theirs = {**off, "address": "daugavpils.cm@example.lv"}
        assert (
            client.put("/v1/notifications/preferences", json=theirs, headers=as_user("daugavpils.cm")).status_code
            == 200
        )
        fine = {**off, "mode": "digest"}
        assert (
            client.put("/v1/notifications/preferences", json=fine, headers=as_user("tukums.intake")).json()["mode"]
            == "digest"
        )


def test_the_requirement_page_is_the_administrators_and_the_preferences_form_keeps_within_it(hub: Hub) -> None:
    with TestClient(create_app(hub, follow_in_background=False)) as client:
        sign_in(client, hub, "tukums.head")
        assert 'action="/notifications/requirement"' not in client.get("/notifications").text
        before = domain_events(hub)
        refused = post_form(client, "/notifications/requirement", {"urgent_at_least": "off", "others_at_least": "off"})
        assert refused.status_code == 403
        assert domain_events(hub) == before
        sign_in(client, hub, "tukums.admin")
        page = client.get("/notifications").text
        assert 'action="/notifications/requirement"' in page
        saved = post_form(
            client, "/notifications/requirement", {"urgent_at_least": "immediate", "others_at_least": "digest"}
        )
        assert saved.status_code == 303
        sign_in(client, hub, "tukums.intake")
        page = client.get("/notifications").text
        assert 'class="requirement"' in page
        before = domain_events(hub)
        form = {"address": "tukums.intake@example.lv", "mode": "off", "urgent_mode": "immediate", "language": "en"}
        assert post_form(client, "/notifications/preferences", form).status_code == 422
        assert domain_events(hub) == before
        assert post_form(client, "/notifications/preferences", {**form, "mode": "immediate"}).status_code == 303
        assert hub.notifications.preference(hub.principal_for("tukums.intake"))["mode"] == "immediate"


def test_mail_is_decided_within_the_agencys_requirement(mail_hub: Hub, smtp: SmtpServer) -> None:
    admin, intake = mail_hub.principal_for("tukums.admin"), mail_hub.principal_for("tukums.intake")
    mail_hub.notifications.set_requirement(admin, RequirementDraft(urgent_at_least=DeliveryMode.OFF))
    quiet = PreferenceDraft(
        address="tukums.intake@example.lv", mode=DeliveryMode.OFF, urgent_mode=DeliveryMode.OFF, language="lv"
    )
    mail_hub.notifications.set_preference(intake, quiet)
    submit(mail_hub)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.messages == [], "the agency let the user switch urgent mail off"
    mail_hub.notifications.set_requirement(admin, RequirementDraft(urgent_at_least=DeliveryMode.IMMEDIATE))
    submit(mail_hub)
    mail_hub.notifications.work_round()
    assert smtp.mailbox.recipients() == ["tukums.intake@example.lv"] * 2, "a choice below the requirement is lifted"


def test_no_message_of_any_kind_holds_a_name_code_or_free_text(mail_hub: Hub, smtp: SmtpServer) -> None:
    everyone_wants(mail_hub, DeliveryMode.IMMEDIATE)
    moved = moved_child(mail_hub)
    question = "Kāpēc Elzas vecmāmiņa Ausma neatbild uz zvaniem?"
    referral = UUID(moved["referral_id"])
    mail_hub.referral_workflow.act(mail_hub.principal_for("tukums.intake"), referral, ReferralAction.ACKNOWLEDGE)
    asked = QuestionDraft(question=question)
    mail_hub.referral_workflow.act(
        mail_hub.principal_for("tukums.cm"), referral, ReferralAction.REQUEST_INFORMATION, asked
    )
    consent = consent_body(moved["subject_id"], valid_until=(mail_hub.now() + dt.timedelta(days=3)).isoformat())
    with TestClient(create_app(mail_hub, follow_in_background=False)) as client:

        def auth(user: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {mail_hub.issue_token(user)}"}

        assert client.post("/v1/consents", json=consent, headers=auth("tukums.cm")).status_code == 201
        answered = ask(client, auth, moved["subject_id"], categories=["assessment"])
        assert answer(client, auth, answered["id"], {"category": "assessment", **RELEASE}).status_code == 200
        late = ask(client, auth, moved["subject_id"], categories=["services"], note="Ausma Kalniņa zina vairāk")
    mail_hub.notifications.work_round()
    due = dt.datetime.fromisoformat(mail_hub.records.queries.envelope(UUID(late["id"]))["due_at"])
    mail_hub.clock = lambda: due + dt.timedelta(hours=1)
    mail_hub.run_due_work()
    mail_hub.notifications.work_round()
    raised = {item.originator_id: item.kind.value for item in log_of(mail_hub, NotificationRaised)}
    mailed = {raised[item] for sent in log_of(mail_hub, NotificationMailSent) for item in sent.item_ids}
    assert {
        "question_to_referrer",
        "record_request_received",
        "record_request_answered",
        "record_request_overdue",
        "consent_expiring",
        "response_overdue",
    } <= mailed
    body = child_referral()
    forbidden = {
        body["child"]["given_name"],
        body["child"]["family_name"],
        moved["code"],
        moved["code"].replace("-", ""),
        "Ausma",
        "vecmāmiņa",
        consent["granted_by"]["name"],
        consent["evidence"],
        *re.findall(r"\w{5,}", body["summary"]),
        *re.findall(r"\w{6,}", RELEASE["entries"][0]["text"]),
        *(display_name for _, display_name, _, _ in DEMO_USERS),
    }
    assert messages_without(smtp, forbidden)


def test_the_requirement_and_a_round_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_store_with_a_referral(tmp_path, monkeypatch)
    runner = CliRunner()
    required = runner.invoke(app, ["notifications", "require", "--user", "tukums.admin", "--others", "digest"])
    assert required.exit_code == 0, required.output
    assert json.loads(required.output) == {"urgent_at_least": "immediate", "others_at_least": "digest"}
    assert runner.invoke(app, ["notifications", "require", "--user", "daugavpils.cm"]).exit_code != 0
    assert runner.invoke(app, ["notifications", "round"]).exit_code == 0
    listed = runner.invoke(app, ["notifications", "list", "--user", "tukums.intake"])
    assert json.loads(listed.output)["counters"]["new"] == 1
