"""What notifies whom and when e-mail goes, as pure decisions (no store, no server)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

from events.base import Actor
from events.handover import HandoverOffered
from events.notifications import DeliveryMode, NoticeKind
from events.records import RecordRequestAnswered, RecordRequestOverdue
from events.referrals import ReferralInformationRequested, ReferralOverdue
from events.review import BreakGlassReviewOpened
from events.values import Role, Urgency
from hub.kernel.config import Settings
from hub.notifications.mail import Item, compose, kind_label
from policies.clocks import RIGA, add_working_days
from policies.notifications import (
    Notice,
    Parties,
    Requirement,
    clock_due_soon,
    consent_expiring,
    digest_day,
    mail_mode,
    notices,
    preference_problem,
)
from policies.roles import REFERRAL_SUBMITTING_ROLES
from projections.notifications import COUNTED

EIGHT = time(8, 0)


def review(agency: object) -> BreakGlassReviewOpened:
    return BreakGlassReviewOpened(
        originator_id=uuid4(),
        originator_version=1,
        agency_id=agency,
        action="referral.read",
        resource="referral:x",
        subjects=(uuid4(),),
        justification="Bērns slimnīcā",
        actor=Actor(user_id="u"),
    )


def test_an_emergency_access_is_the_acting_agencys_head_of_service_work_and_urgent() -> None:
    agency = uuid4()
    [notice] = notices(review(agency))
    assert (notice.agency_id, notice.role, notice.kind, notice.urgent) == (
        agency,
        Role.HEAD_OF_SERVICE,
        NoticeKind.EMERGENCY_ACCESS_REVIEW,
        True,
    )
    assert notices(object()) == ()


def test_by_default_urgent_items_go_at_once_whatever_the_user_chose_others_as_chosen() -> None:
    default = Requirement()
    for mode in DeliveryMode:
        assert mail_mode(default, mode, mode, urgent=True) is DeliveryMode.IMMEDIATE
        assert mail_mode(default, mode, mode, urgent=False) is mode


def test_a_choice_below_the_agencys_requirement_is_refused_and_lifted_to_it_when_mail_is_decided() -> None:
    strict = Requirement(urgent_at_least=DeliveryMode.IMMEDIATE, others_at_least=DeliveryMode.DIGEST)
    assert preference_problem(strict, DeliveryMode.DIGEST, DeliveryMode.IMMEDIATE) is None
    assert preference_problem(strict, DeliveryMode.IMMEDIATE, DeliveryMode.IMMEDIATE) is None
    assert preference_problem(strict, DeliveryMode.OFF, DeliveryMode.IMMEDIATE) == "mode"
    assert preference_problem(strict, DeliveryMode.DIGEST, DeliveryMode.DIGEST) == "urgent_mode"
    assert mail_mode(strict, DeliveryMode.OFF, DeliveryMode.OFF, urgent=False) is DeliveryMode.DIGEST
    assert mail_mode(strict, DeliveryMode.OFF, DeliveryMode.OFF, urgent=True) is DeliveryMode.IMMEDIATE
    relaxed = Requirement(urgent_at_least=DeliveryMode.OFF)
    assert preference_problem(relaxed, DeliveryMode.OFF, DeliveryMode.OFF) is None
    assert mail_mode(relaxed, DeliveryMode.OFF, DeliveryMode.DIGEST, urgent=True) is DeliveryMode.DIGEST


def test_the_digest_is_due_after_the_set_riga_time_on_working_days_only() -> None:
    assert digest_day(datetime(2026, 12, 3, 6, 30, tzinfo=UTC), EIGHT) == "2026-12-03"  # 08:30 in Riga
    assert digest_day(datetime(2026, 12, 3, 5, 30, tzinfo=UTC), EIGHT) is None  # 07:30 in Riga
    assert digest_day(datetime(2026, 12, 5, 9, 0, tzinfo=UTC), EIGHT) is None  # Saturday
    assert digest_day(datetime(2026, 11, 18, 9, 0, tzinfo=UTC), EIGHT) is None  # Proclamation Day
    # 22:30 UTC on Thursday is already Friday in Riga: Friday's digest.
    assert digest_day(datetime(2026, 12, 3, 22, 30, tzinfo=UTC), time(0, 15)) == "2026-12-04"


def test_a_message_names_the_kind_the_agency_and_the_reference_in_the_users_language() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    item = Item(NoticeKind.NEW_REFERRAL, urgent=True, reference="01A23AD9")
    latvian = compose(settings, "a@example.lv", "lv", "Tukuma novada Sociālais dienests", [item], "https://h/x", False)
    english = compose(settings, "a@example.lv", "en", "Tukuma novada Sociālais dienests", [item], "https://h/x", False)
    assert "Jauns ziņojums (steidzami)" in str(latvian["Subject"])
    assert "New referral (urgent)" in str(english["Subject"])
    assert "01A23AD9" in english.get_content()
    assert "https://h/x" in latvian.get_content()


def test_notifications_are_part_of_all_and_run_alone_when_named() -> None:
    assert "notifications" in Settings(_env_file=None).background_roles  # type: ignore[call-arg]
    named = Settings(roles="api,notifications", _env_file=None)  # type: ignore[call-arg]
    assert named.background_roles == {"notifications"}
    assert Settings(roles="api,signer", _env_file=None).background_roles == {"signer"}  # type: ignore[call-arg]


def test_an_overdue_response_and_an_offered_handover_are_the_head_of_services() -> None:
    agency = uuid4()
    overdue = ReferralOverdue(
        originator_id=uuid4(),
        originator_version=3,
        clock="acknowledge",
        agency_id=agency,
        due_at=datetime(2026, 12, 3, tzinfo=UTC),
        escalated_to=("tukums.head",),
    )
    offered = HandoverOffered(originator_id=uuid4(), originator_version=2, to_agency_id=agency)
    assert [(n.agency_id, n.role, n.kind, n.urgent) for n in (*notices(overdue), *notices(offered))] == [
        (agency, Role.HEAD_OF_SERVICE, NoticeKind.RESPONSE_OVERDUE, True),
        (agency, Role.HEAD_OF_SERVICE, NoticeKind.HANDOVER_OFFERED, False),
    ]


def test_the_events_that_name_only_their_stream_go_to_its_parties_and_to_no_one_without_them() -> None:
    referrer, lead, requester, responder = uuid4(), uuid4(), uuid4(), uuid4()
    question = ReferralInformationRequested(originator_id=uuid4(), originator_version=3, question="Kad?")
    answered = RecordRequestAnswered(originator_id=uuid4(), originator_version=4)
    overdue = RecordRequestOverdue(
        originator_id=uuid4(), originator_version=2, due_at=datetime(2026, 12, 3, tzinfo=UTC)
    )
    assert notices(question) == notices(answered) == notices(overdue) == ()
    asked = {(n.agency_id, n.role, n.kind) for n in notices(question, Parties(referrer, lead))}
    assert asked == {(referrer, role, NoticeKind.QUESTION_TO_REFERRER) for role in REFERRAL_SUBMITTING_ROLES}
    [told] = notices(answered, Parties(requester, responder))
    assert (told.agency_id, told.role, told.kind) == (requester, Role.CASE_MANAGER, NoticeKind.RECORD_REQUEST_ANSWERED)
    assert {(n.agency_id, n.role) for n in notices(overdue, Parties(requester, responder))} == {
        (responder, Role.CASE_MANAGER),
        (responder, Role.ORPHANS_COURT_MEMBER),
        (requester, Role.CASE_MANAGER),
    }


def test_a_clock_is_due_soon_in_its_second_half_and_its_last_working_day_only() -> None:
    agency, referral = uuid4(), uuid4()
    thursday = datetime(2026, 12, 3, 10, 0, tzinfo=RIGA)
    two_hours = thursday + timedelta(hours=2)
    assert clock_due_soon(referral, "acknowledge", agency, Urgency.IMMEDIATE, thursday, two_hours, thursday) is None
    half_past = thursday + timedelta(hours=1, minutes=5)
    notice = clock_due_soon(referral, "acknowledge", agency, Urgency.IMMEDIATE, thursday, two_hours, half_past)
    assert notice == Notice(agency, Role.INTAKE_OFFICER, NoticeKind.ACKNOWLEDGEMENT_DUE_SOON, True, referral)
    assert clock_due_soon(referral, "acknowledge", agency, Urgency.IMMEDIATE, thursday, two_hours, two_hours) is None
    ten_days = add_working_days(thursday, 10)
    day_before = add_working_days(thursday, 9)
    early = day_before - timedelta(minutes=1)
    assert clock_due_soon(referral, "decide", agency, Urgency.ROUTINE, thursday, ten_days, early) is None
    last_day = clock_due_soon(referral, "decide", agency, Urgency.ROUTINE, thursday, ten_days, day_before)
    assert last_day == Notice(agency, Role.CASE_MANAGER, NoticeKind.DECISION_DUE_SOON, False, referral)
    assert clock_due_soon(referral, "answer_records", agency, Urgency.ROUTINE, thursday, ten_days, ten_days) is None


def test_a_consent_expires_soon_within_ten_working_days_for_the_recording_agency() -> None:
    consent, agency = uuid4(), uuid4()
    now = datetime(2026, 12, 3, 10, 0, tzinfo=RIGA)
    assert consent_expiring(consent, agency, now + timedelta(days=3), now) == Notice(
        agency, Role.CASE_MANAGER, NoticeKind.CONSENT_EXPIRING, False, consent
    )
    assert consent_expiring(consent, agency, now + timedelta(days=40), now) is None
    assert consent_expiring(consent, agency, now - timedelta(minutes=1), now) is None


def test_every_kind_is_counted_once_and_named_in_latvian_and_english() -> None:
    counted = [kind for group in COUNTED.values() for kind in group]
    assert sorted(counted) == sorted(NoticeKind)
    for kind in NoticeKind:
        english = kind_label(kind, "en")
        assert english != kind.value
        assert kind_label(kind, "lv") != english
