"""The Cedar decision point, pure and fast: schema validation, a decision table, and a property test."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import cedarpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from events.consent import ConsentGranted, ConsentGrantor, fhir_provision
from events.values import AgencyKind, DataCategory, Decision, Purpose, Relationship, Role, Tie
from policies.access import RECIPIENT_CATEGORIES, ReferralResource, decide_inbox_read, decide_referral_read
from policies.decision import Principal
from policies.engine import (
    POLICY_DIR,
    SCHEMA_FILE,
    AgencyFacts,
    ConsentFacts,
    DisclosureRequest,
    PersonAction,
    PolicyEngine,
    ReadRequest,
    RegistryAction,
    Relation,
    default_engine,
)
from policies.legal_bases import LEGAL_BASES

K, R, C, P = AgencyKind, Role, DataCategory, Purpose
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
SUBJECT = UUID("00000000-0000-4000-8000-000000000001")
RECIPIENT = AgencyFacts(uuid4(), K.SCHOOL)
JUSTIFICATION = "Child found alone at night; mother unreachable, need history now."


def principal(kind: AgencyKind, role: Role) -> Principal:
    return Principal(uuid4(), f"{kind}.{role}", uuid4(), kind, frozenset({role}))


def consent(**changes: object) -> ConsentFacts:
    base = ConsentFacts(
        id=uuid4(),
        version=1,
        subject_id=SUBJECT,
        purposes=frozenset({P.EDUCATION_SUPPORT}),
        recipient_agencies=frozenset(),
        recipient_kinds=frozenset({K.SCHOOL}),
        categories=frozenset({C.SCHOOL_ATTENDANCE, C.SERVICES}),
        valid_from=NOW - timedelta(days=30),
        valid_until=NOW + timedelta(days=30),
        withdrawn=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", sorted(POLICY_DIR.glob("*.cedar")), ids=lambda path: path.name)
def test_every_policy_file_validates_against_the_schema(path: object) -> None:
    result = cedarpy.validate_policies(path.read_text(), SCHEMA_FILE.read_text())  # type: ignore[attr-defined]
    assert result.validation_passed, [str(error) for error in result.errors]


def test_every_legal_basis_entity_and_the_engine_load_with_the_schema() -> None:
    engine = PolicyEngine.load()
    # The schema adds its actions as entities: read, disclose, a citizen's read-own, the changes about a person and
    # the registry's.
    actions = 3 + len(PersonAction) + len(RegistryAction)
    assert len(engine.static_entities) == len(DataCategory) + len(LEGAL_BASES) + actions
    assert engine.policy_hash.startswith("sha256:")
    assert default_engine() is default_engine()


def test_the_policy_hash_changes_when_a_policy_changes() -> None:
    engine = PolicyEngine.load()
    files = dict(engine.policy_files)
    files["reads.cedar"] += "\n// amended\n"
    assert PolicyEngine(files, engine.schema_text).policy_hash != engine.policy_hash


def disclose(
    who: Principal,
    category: DataCategory,
    purpose: Purpose,
    recipient: AgencyFacts = RECIPIENT,
    **ground: object,
) -> DisclosureRequest:
    ground = {"ties": RELATED, **ground}
    return DisclosureRequest(who, recipient, (SUBJECT,), (category,), purpose, NOW, **ground)  # type: ignore[arg-type]


RELATED = {SUBJECT: frozenset({Tie.CASE_LEAD})}
ONWARD = frozenset({(SUBJECT, C.ASSESSMENT)})
SD_CM = principal(K.SOCIAL_SERVICE, R.CASE_MANAGER)
SCHOOL = principal(K.SCHOOL, R.SOCIAL_PEDAGOGUE)
POLICE = principal(K.POLICE, R.POLICE_OFFICER)
DOCTOR = principal(K.HEALTH, R.HEALTH_PROFESSIONAL)
MINISTRY = principal(K.MINISTRY, R.SUPERVISOR)
AUDITOR = principal(K.AUDITOR, R.AUDITOR)
SD = AgencyFacts(uuid4(), K.SOCIAL_SERVICE)
BT = AgencyFacts(uuid4(), K.ORPHANS_COURT)
MIN = AgencyFacts(uuid4(), K.MINISTRY)
VALID = consent()
BY_AGENCY = consent(recipient_kinds=frozenset(), recipient_agencies=frozenset({RECIPIENT.id}))

# (case, who, category, purpose, recipient, ground, expected decision, expected basis or deciding policy)
TABLE = [
    (
        "consent valid",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": VALID},
        "permit",
        "consent",
    ),
    (
        "consent names the agency",
        SD_CM,
        C.SERVICES,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": BY_AGENCY},
        "permit",
        "consent",
    ),
    (
        "consent expired",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": consent(valid_until=NOW - timedelta(seconds=1))},
        "deny",
        "disclose.consent-expired",
    ),
    (
        "consent not yet valid",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": consent(valid_from=NOW + timedelta(days=1))},
        "deny",
        "disclose.consent-not-yet-valid",
    ),
    (
        "consent withdrawn",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": consent(withdrawn=True)},
        "deny",
        "disclose.consent-withdrawn",
    ),
    (
        "consent wrong purpose",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.CRIMINAL_INVESTIGATION,
        RECIPIENT,
        {"consent": VALID},
        "deny",
        "disclose.consent-wrong-purpose",
    ),
    (
        "consent wrong recipient",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        BT,
        {"consent": VALID},
        "deny",
        "disclose.consent-wrong-recipient",
    ),
    (
        "consent wrong category",
        SD_CM,
        C.ASSESSMENT,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": VALID},
        "deny",
        "disclose.consent-category-not-covered",
    ),
    (
        "consent of another person",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": consent(subject_id=uuid4())},
        "deny",
        "disclose.consent-other-subject",
    ),
    (
        "consent id unknown",
        SD_CM,
        C.SCHOOL_ATTENDANCE,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent_id": uuid4()},
        "deny",
        "disclose.consent-unknown",
    ),
    (
        "school reports danger (BTAL 73)",
        SCHOOL,
        C.IDENTITY,
        P.CHILD_PROTECTION,
        SD,
        {"basis": "BTAL-73"},
        "permit",
        "BTAL-73",
    ),
    (
        "doctor reports danger to the police",
        DOCTOR,
        C.REFERRAL_CONTENT,
        P.CHILD_PROTECTION,
        AgencyFacts(uuid4(), K.POLICE),
        {"basis": "BTAL-73"},
        "permit",
        "BTAL-73",
    ),
    (
        "BTAL 73 does not carry assessments",
        SCHOOL,
        C.ASSESSMENT,
        P.CHILD_PROTECTION,
        SD,
        {"basis": "BTAL-73"},
        "deny",
        "disclose.basis-category-not-covered",
    ),
    (
        "BTAL 73 is not a basis to tell schools",
        SD_CM,
        C.IDENTITY,
        P.CHILD_PROTECTION,
        RECIPIENT,
        {"basis": "BTAL-73"},
        "deny",
        "disclose.basis-wrong-recipient",
    ),
    (
        "prior-residence records (6(1)(c))",
        SD_CM,
        C.RISK_ASSESSMENT,
        P.PRIOR_RESIDENCE_RECORDS,
        SD,
        {"basis": "GDPR-6-1-c"},
        "permit",
        "GDPR-6-1-c",
    ),
    (
        "schools cannot send case records",
        SCHOOL,
        C.RISK_ASSESSMENT,
        P.PRIOR_RESIDENCE_RECORDS,
        SD,
        {"basis": "GDPR-6-1-c"},
        "deny",
        "disclose.basis-wrong-discloser",
    ),
    (
        "basis for another purpose",
        SD_CM,
        C.RISK_ASSESSMENT,
        P.EDUCATION_SUPPORT,
        SD,
        {"basis": "GDPR-6-1-c"},
        "deny",
        "disclose.basis-wrong-purpose",
    ),
    (
        "cooperation group (MK 545)",
        POLICE,
        C.RISK_ASSESSMENT,
        P.COOPERATION_GROUP,
        AgencyFacts(uuid4(), K.COOPERATION_GROUP),
        {"basis": "MK-545-2017"},
        "permit",
        "MK-545-2017",
    ),
    ("health care (9(2)(h))", DOCTOR, C.ASSESSMENT, P.HEALTH_CARE, SD, {"basis": "GDPR-9-2-h"}, "permit", "GDPR-9-2-h"),
    (
        "emergency, vital interests (6(1)(d))",
        POLICE,
        C.IDENTITY,
        P.EMERGENCY,
        BT,
        {"basis": "GDPR-6-1-d"},
        "permit",
        "GDPR-6-1-d",
    ),
    ("no ground at all", SD_CM, C.IDENTITY, P.CHILD_PROTECTION, BT, {}, "deny", None),
    (
        "break-glass by a case manager",
        SD_CM,
        C.ASSESSMENT,
        P.EMERGENCY,
        BT,
        {"break_glass_justification": JUSTIFICATION},
        "permit",
        "break-glass",
    ),
    (
        "break-glass without a real justification",
        SD_CM,
        C.ASSESSMENT,
        P.EMERGENCY,
        BT,
        {"break_glass_justification": "urgent"},
        "deny",
        "break-glass.justification-required",
    ),
    (
        "break-glass is not for schools",
        SCHOOL,
        C.ASSESSMENT,
        P.EMERGENCY,
        BT,
        {"break_glass_justification": JUSTIFICATION},
        "deny",
        "break-glass.role-not-allowed",
    ),
    (
        "ministry receives aggregates only",
        SD_CM,
        C.IDENTITY,
        P.CASE_MANAGEMENT,
        MIN,
        {"break_glass_justification": JUSTIFICATION},
        "deny",
        "disclose.recipient-gets-aggregates-only",
    ),
    (
        "ministry discloses nothing",
        MINISTRY,
        C.IDENTITY,
        P.EMERGENCY,
        SD,
        {"basis": "GDPR-6-1-d"},
        "deny",
        "supervision-aggregates-only",
    ),
    (
        "auditors do not disclose",
        AUDITOR,
        C.IDENTITY,
        P.EMERGENCY,
        SD,
        {"basis": "GDPR-6-1-d"},
        "deny",
        "disclose.role-may-not-disclose",
    ),
    (
        "an agency unrelated to the person discloses nothing, even on a statutory basis",
        SD_CM,
        C.IDENTITY,
        P.CHILD_PROTECTION,
        BT,
        {"basis": "BTAL-73", "ties": {}},
        "deny",
        "disclose.unrelated",
    ),
    (
        "an agency unrelated to the person discloses nothing, even in an emergency",
        SD_CM,
        C.ASSESSMENT,
        P.EMERGENCY,
        BT,
        {"break_glass_justification": JUSTIFICATION, "ties": {SUBJECT: frozenset()}},
        "deny",
        "disclose.unrelated",
    ),
    (
        "onward: received records go to the bāriņtiesa on a statutory duty the catalogue counts for onward sharing",
        SD_CM,
        C.ASSESSMENT,
        P.CASE_MANAGEMENT,
        BT,
        {"basis": "GDPR-9-2-b", "received": ONWARD},
        "permit",
        "GDPR-9-2-b",
    ),
    (
        "onward: the prior-residence obligation is not the recipient's own basis for passing records on",
        SD_CM,
        C.ASSESSMENT,
        P.CASE_MANAGEMENT,
        SD,
        {"basis": "GDPR-6-1-c", "received": ONWARD},
        "deny",
        "disclose.onward-needs-own-basis",
    ),
    (
        "onward: the person's consent is the recipient's own basis",
        SD_CM,
        C.ASSESSMENT,
        P.EDUCATION_SUPPORT,
        RECIPIENT,
        {"consent": consent(categories=frozenset({C.ASSESSMENT})), "received": ONWARD},
        "permit",
        "consent",
    ),
]


@pytest.mark.parametrize(
    ("who", "category", "purpose", "recipient", "ground", "expected", "why"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_disclosure_decision_table(
    who: Principal,
    category: DataCategory,
    purpose: Purpose,
    recipient: AgencyFacts,
    ground: dict[str, object],
    expected: str,
    why: str | None,
) -> None:
    if "consent" in ground:
        ground = {**ground, "consent_id": ground["consent"].id}  # type: ignore[attr-defined]
    decision = default_engine().decide_disclosure(disclose(who, category, purpose, recipient, **ground))
    assert decision.decision == expected, decision.reasons
    assert decision.policy_hash == default_engine().policy_hash
    if expected == "permit":
        assert decision.basis == why
        assert decision.break_glass == (why == "break-glass")
        assert decision.categories == (category,)
        if why == "consent":
            assert (decision.consent_id, decision.consent_version) == (ground["consent"].id, 1)  # type: ignore[attr-defined]
    else:
        assert decision.basis is None
        assert decision.redacted == (category,)
        assert why is None or why in decision.policies, decision.reasons


def test_a_disclosure_is_denied_whole_when_one_category_is_not_covered() -> None:
    request = DisclosureRequest(
        SD_CM,
        RECIPIENT,
        (SUBJECT,),
        (C.SCHOOL_ATTENDANCE, C.ASSESSMENT),
        P.EDUCATION_SUPPORT,
        NOW,
        consent_id=VALID.id,
        consent=VALID,
        ties=RELATED,
    )
    decision = default_engine().decide_disclosure(request)
    assert decision.decision is Decision.DENY
    assert "school_attendance: permitted by disclose.consent" in decision.reasons
    assert "assessment: denied by disclose.consent-category-not-covered" in decision.reasons


# Minimum-necessary reads: agency kind x role x relation -> categories seen.
READS = [
    ("social service case manager, recipient", SD_CM, {Relation.RECIPIENT}, set(RECIPIENT_CATEGORIES), "BTAL-73"),
    (
        "bāriņtiesa member, recipient",
        principal(K.ORPHANS_COURT, R.ORPHANS_COURT_MEMBER),
        {Relation.RECIPIENT},
        set(RECIPIENT_CATEGORIES),
        "BTAL-73",
    ),
    ("police officer, recipient", POLICE, {Relation.RECIPIENT}, set(RECIPIENT_CATEGORIES), "BTAL-73"),
    ("school, referrer", SCHOOL, {Relation.REFERRER}, {C.STATUS}, "referrer-feedback"),
    ("doctor, referrer", DOCTOR, {Relation.REFERRER}, {C.STATUS}, "referrer-feedback"),
    ("school, not involved", SCHOOL, set(), set(), None),
    ("ministry, even as recipient", MINISTRY, {Relation.RECIPIENT, Relation.REFERRER}, set(), None),
    (
        "social service head, review queue",
        principal(K.SOCIAL_SERVICE, R.HEAD_OF_SERVICE),
        {Relation.REVIEW_QUEUE},
        set(),
        None,
    ),
]


@pytest.mark.parametrize(("who", "relations", "seen", "basis"), [row[1:] for row in READS], ids=[r[0] for r in READS])
def test_minimum_necessary_reads(
    who: Principal, relations: set[Relation], seen: set[DataCategory], basis: str | None
) -> None:
    decision = default_engine().decide_read(ReadRequest(who, frozenset(relations), RECIPIENT_CATEGORIES))
    assert set(decision.categories) == seen
    assert set(decision.redacted) == set(RECIPIENT_CATEGORIES) - seen
    assert decision.basis == basis
    assert decision.permitted == bool(seen)


def test_break_glass_read_is_flagged_only_when_it_was_needed() -> None:
    engine = default_engine()
    stranger = engine.decide_read(ReadRequest(SD_CM, frozenset(), RECIPIENT_CATEGORIES, JUSTIFICATION))
    assert (stranger.decision, stranger.basis, stranger.break_glass) == (Decision.PERMIT, "break-glass", True)
    recipient = engine.decide_read(
        ReadRequest(SD_CM, frozenset({Relation.RECIPIENT}), RECIPIENT_CATEGORIES, JUSTIFICATION)
    )
    assert (recipient.basis, recipient.break_glass) == ("BTAL-73", False)


def test_the_public_wrappers_keep_their_meaning() -> None:
    referral = ReferralResource(uuid4(), SCHOOL.agency_id, frozenset({SD_CM.agency_id}))
    assert decide_inbox_read(SD_CM).permitted
    assert not decide_inbox_read(SCHOOL).permitted
    assert decide_referral_read(SCHOOL, referral).categories == (C.STATUS,)
    assert decide_referral_read(SD_CM, referral).categories == RECIPIENT_CATEGORIES
    assert not decide_referral_read(POLICE, referral).permitted


PRINCIPALS = st.builds(principal, st.sampled_from(list(AgencyKind)), st.sampled_from(list(Role)))
AGENCIES = st.builds(AgencyFacts, st.uuids(), st.sampled_from(list(AgencyKind)))
CONSENTS = st.builds(
    ConsentFacts,
    id=st.uuids(),
    version=st.integers(1, 3),
    subject_id=st.sampled_from([SUBJECT, uuid4()]),
    purposes=st.frozensets(st.sampled_from(list(Purpose)), max_size=3),
    recipient_agencies=st.just(frozenset()),
    recipient_kinds=st.frozensets(st.sampled_from(list(AgencyKind)), max_size=3),
    categories=st.frozensets(st.sampled_from(list(DataCategory)), max_size=4),
    valid_from=st.sampled_from([NOW - timedelta(days=1), NOW + timedelta(days=1)]),
    valid_until=st.sampled_from([None, NOW - timedelta(hours=1), NOW + timedelta(days=1)]),
    withdrawn=st.booleans(),
)


def valid_consent_covers(request: DisclosureRequest) -> bool:
    found = request.consent
    return (
        found is not None
        and request.consent_id == found.id
        and not found.withdrawn
        and found.subject_id in request.subjects
        and found.valid_from <= request.now
        and (found.valid_until is None or request.now < found.valid_until)
        and request.purpose in found.purposes
        and set(request.categories) <= found.categories
        and request.recipient.kind in found.recipient_kinds
    )


def statutory_basis_covers(request: DisclosureRequest) -> bool:
    basis = next((basis for basis in LEGAL_BASES if basis.id == request.basis), None)
    return (
        basis is not None
        and request.principal.agency_kind in basis.discloser_kinds
        and request.recipient.kind in basis.recipient_kinds
        and request.purpose in basis.purposes
        and set(request.categories) <= basis.categories
    )


@settings(max_examples=300, deadline=None)
@given(
    who=PRINCIPALS,
    recipient=AGENCIES,
    categories=st.lists(st.sampled_from(list(DataCategory)), min_size=1, max_size=3, unique=True),
    purpose=st.sampled_from(list(Purpose)),
    found=st.none() | CONSENTS,
    basis=st.none() | st.sampled_from([basis.id for basis in LEGAL_BASES] + ["made-up"]),
    justification=st.none() | st.sampled_from(["", "short", JUSTIFICATION]),
    ties=st.frozensets(st.sampled_from(list(Tie)), max_size=2),
)
def test_nothing_is_disclosed_without_a_relationship_and_a_valid_consent_a_statutory_basis_or_break_glass(
    who: Principal,
    recipient: AgencyFacts,
    categories: list[DataCategory],
    purpose: Purpose,
    found: ConsentFacts | None,
    basis: str | None,
    justification: str | None,
    ties: frozenset[Tie],
) -> None:
    request = DisclosureRequest(
        who,
        recipient,
        (SUBJECT,),
        tuple(categories),
        purpose,
        NOW,
        consent_id=found.id if found else None,
        consent=found,
        basis=basis,
        break_glass_justification=justification,
        ties={SUBJECT: ties},
    )
    decision = default_engine().decide_disclosure(request)
    if decision.permitted:
        assert ties
        break_glass = decision.break_glass and justification is not None and len(justification) >= 20
        assert valid_consent_covers(request) or statutory_basis_covers(request) or break_glass
        assert recipient.kind not in {K.MINISTRY, K.AUDITOR}
        assert who.agency_kind is not K.MINISTRY


def test_a_consent_grant_maps_onto_a_fhir_consent_provision() -> None:
    agency = uuid4()
    granted = ConsentGranted(
        originator_id=uuid4(),
        originator_version=1,
        subject_id=SUBJECT,
        grantor=ConsentGrantor(name="Inga Kalniņa", relationship=Relationship.MOTHER),
        recipient_agencies=(agency,),
        recipient_kinds=(K.SCHOOL,),
        purposes=(P.EDUCATION_SUPPORT,),
        categories=(C.SCHOOL_ATTENDANCE,),
        valid_from=NOW,
        valid_until=NOW + timedelta(days=365),
        evidence="DOC-2026/17",
    )
    provision = fhir_provision(granted)
    assert provision["type"] == "permit"
    assert provision["period"] == {"start": NOW.isoformat(), "end": (NOW + timedelta(days=365)).isoformat()}
    assert provision["actor"][0]["reference"] == {"reference": f"Organization/{agency}"}
    assert provision["action"][0]["coding"][0]["code"] == "disclose"
    assert [purpose["code"] for purpose in provision["purpose"]] == ["education_support"]
    assert [data_class["code"] for data_class in provision["class"]] == ["school_attendance"]
