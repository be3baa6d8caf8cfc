"""Pure parts of the web interface: the catalogues are complete, redirects stay local, charts scale, offered
actions match the workflow's own checks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from events.people import PersonDetails
from events.referrals import ReferralStatus
from events.values import AgencyKind, Concern, Role, Urgency
from hub.referrals.domain import Referral
from hub.referrals.web_actions import available_actions
from hub.referrals.web_form import check_personal_code
from hub.web.charts import PLOT_WIDTH, bar_chart
from hub.web.i18n import LOCALES_DIR, translations
from hub.web.rendering import safe_next
from policies.decision import Principal
from policies.referral_actions import ReferralAction

HUB = Path(__file__).parent.parent / "hub"
WEB = HUB / "web"
# The shared web modules, each capability's pages (web*.py) and the templates (as in hub/web/babel.cfg).
METHOD_MAP = [("web/**.py", "python"), ("*/web*.py", "python"), ("web/templates/**.html", "jinja2")]


def extracted_message_ids() -> set[str]:
    found = extract_from_dir(str(HUB), METHOD_MAP, keywords={"_": None, "N_": None})
    return {message for _, _, message, _, _ in found if isinstance(message, str)}


def test_every_message_has_a_latvian_translation_and_the_catalogue_has_no_strays() -> None:
    ids = extracted_message_ids()
    assert len(ids) > 200
    with (LOCALES_DIR / "lv" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        latvian = {message.id: message.string for message in read_po(source) if message.id}
    assert sorted(ids - {key for key, value in latvian.items() if value}) == []
    assert sorted(set(latvian) - ids) == []
    assert translations("lv").gettext("Inbox") == "Iesūtne"
    assert translations("en").gettext("Inbox") == "Inbox"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/referrals/1?notice=done", "/referrals/1?notice=done"),
        ("https://evil.example/", "/inbox"),
        ("//evil.example", "/inbox"),
        ("/\\evil.example", "/inbox"),
        ("javascript:alert(1)", "/inbox"),
        ("", "/inbox"),
        (None, "/inbox"),
    ],
)
def test_redirects_after_sign_in_stay_on_the_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_bars_scale_to_the_largest_value_and_missing_values_draw_nothing() -> None:
    chart = bar_chart("t", [("a", 10), ("b", 5), ("c", None)])
    assert [bar.width for bar in chart.bars] == [PLOT_WIDTH, PLOT_WIDTH // 2, 0]
    assert [bar.y for bar in chart.bars] == sorted({bar.y for bar in chart.bars})
    assert bar_chart("empty", [("a", 0)]).bars[0].width == 0


def test_personal_code_check_as_you_type() -> None:
    assert check_personal_code("") is None
    assert check_personal_code("120415-20001") is None
    assert check_personal_code("120415-20002") == "Not a valid Latvian personal code."


def _principal(agency: UUID, *roles: Role, kind: AgencyKind = AgencyKind.SOCIAL_SERVICE) -> Principal:
    return Principal(uuid4(), "someone", agency, kind, frozenset(roles))


def _referral(status: ReferralStatus, lead: UUID, referrer: UUID) -> Referral:
    person = PersonDetails(subject_id=uuid4(), given_name="A", family_name="B", birth_date=date(2015, 1, 1))
    return Referral(
        id=uuid4(),
        version=1,
        referrer_agency_id=referrer,
        child=person,
        family=(),
        municipality="tukuma-novads",
        concerns=(Concern.NEGLECT,),
        urgency=Urgency.URGENT,
        summary="s",
        recipients=(lead,),
        lead_agency_id=lead,
        submitted_at=datetime(2026, 11, 23, tzinfo=UTC),
        status=status,
    )


def test_offered_actions_follow_role_agency_and_state() -> None:
    lead, school = uuid4(), uuid4()
    intake = _principal(lead, Role.INTAKE_OFFICER)
    manager = _principal(lead, Role.CASE_MANAGER)
    pedagogue = _principal(school, Role.SOCIAL_PEDAGOGUE, kind=AgencyKind.SCHOOL)
    submitted = _referral(ReferralStatus.SUBMITTED, lead, school)
    assert available_actions(intake, submitted) == [
        ReferralAction.ACKNOWLEDGE,
        ReferralAction.REDIRECT,
    ]
    assert ReferralAction.ACCEPT in available_actions(manager, _referral(ReferralStatus.ASSIGNED, lead, school))
    assert ReferralAction.ACCEPT not in available_actions(intake, _referral(ReferralStatus.ASSIGNED, lead, school))
    assert available_actions(pedagogue, submitted) == [ReferralAction.WITHDRAW]
    assert available_actions(pedagogue, _referral(ReferralStatus.CLOSED, lead, school)) == []
