"""Legal bases catalogue (versioned): which agency kinds may disclose which data categories to whom, and why.

Scopes are a reasonable reading of the law for the demo [assume]; they are data, so lawyers can change them and
the version and the policy hash recorded in every decision change with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from events.values import AgencyKind, DataCategory, Purpose

LEGAL_BASES_VERSION = "legal-bases/2"

K = AgencyKind
C = DataCategory
P = Purpose

FRONTLINE = frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.SCHOOL, K.POLICE, K.HEALTH, K.COOPERATION_GROUP})
CHILD_PROTECTION_BODIES = frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE, K.CHILD_PROTECTION_CENTRE})
CASE_RECORDS = frozenset(
    {C.IDENTITY, C.ASSESSMENT, C.RISK_ASSESSMENT, C.REHABILITATION_PLAN, C.SERVICES, C.OUT_OF_HOME_CARE}
)


@dataclass(frozen=True)
class LegalBasis:
    id: str
    citation: str
    title_en: str
    title_lv: str
    discloser_kinds: frozenset[AgencyKind]
    recipient_kinds: frozenset[AgencyKind]
    categories: frozenset[DataCategory]
    purposes: frozenset[Purpose]
    onward: bool = False  # counts as the recipient's own basis for passing on data that was disclosed to it


NOTHING_DISCLOSED: frozenset[AgencyKind] = frozenset()  # a basis of the hub's own processing, not of a disclosure


LEGAL_BASES: tuple[LegalBasis, ...] = (
    LegalBasis(
        "BTAL-73",
        "Bērnu tiesību aizsardzības likums, 73. pants",
        "Duty to report a child in danger",
        "Pienākums ziņot par apdraudētu bērnu",
        FRONTLINE,
        CHILD_PROTECTION_BODIES,
        frozenset({C.IDENTITY, C.REFERRAL_CONTENT, C.SCHOOL_ATTENDANCE, C.POLICE_CONTACTS}),
        frozenset({P.CHILD_PROTECTION}),
        onward=True,
    ),
    LegalBasis(
        "MK-545-2017",
        "MK noteikumi Nr. 545 (2017), sadarbības grupa",
        "Municipal child-protection cooperation group",
        "Bērnu tiesību aizsardzības sadarbības grupa",
        FRONTLINE,
        frozenset({K.COOPERATION_GROUP, K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE, K.SCHOOL}),
        frozenset({C.IDENTITY, C.REFERRAL_CONTENT, C.STATUS, C.RISK_ASSESSMENT, C.SERVICES, C.SCHOOL_ATTENDANCE}),
        frozenset({P.COOPERATION_GROUP}),
    ),
    LegalBasis(
        "GDPR-6-1-c",
        "GDPR Art. 6(1)(c)",
        "Legal obligation: prior-residence records for the new municipality",
        "Juridisks pienākums: iepriekšējās dzīvesvietas informācija",
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT}),
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT}),
        CASE_RECORDS | {C.COURT_DECISIONS},
        frozenset({P.PRIOR_RESIDENCE_RECORDS, P.CASE_MANAGEMENT}),
    ),
    LegalBasis(
        "GDPR-6-1-d",
        "GDPR Art. 6(1)(d)",
        "Vital interests of the child in an emergency",
        "Bērna vitālās intereses ārkārtas situācijā",
        FRONTLINE,
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE, K.HEALTH}),
        frozenset({C.IDENTITY, C.REFERRAL_CONTENT, C.RISK_ASSESSMENT}),
        frozenset({P.EMERGENCY}),
        onward=True,
    ),
    LegalBasis(
        "GDPR-6-1-e",
        "GDPR Art. 6(1)(e)",
        "Public task of child protection",
        "Sabiedrības interesēs veicams uzdevums bērnu tiesību aizsardzībā",
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT}),
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.CHILD_PROTECTION_CENTRE}),
        frozenset({C.IDENTITY, C.STATUS, C.ASSESSMENT, C.RISK_ASSESSMENT, C.SERVICES, C.COURT_DECISIONS}),
        frozenset({P.CHILD_PROTECTION, P.CASE_MANAGEMENT}),
        onward=True,
    ),
    LegalBasis(
        "GDPR-9-2-b",
        "GDPR Art. 9(2)(b)",
        "Social protection law (special categories)",
        "Sociālās aizsardzības tiesības (īpašu kategoriju dati)",
        frozenset({K.SOCIAL_SERVICE}),
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT}),
        frozenset({C.ASSESSMENT, C.RISK_ASSESSMENT, C.REHABILITATION_PLAN, C.SERVICES}),
        frozenset({P.CASE_MANAGEMENT, P.PRIOR_RESIDENCE_RECORDS}),
        onward=True,
    ),
    LegalBasis(
        "GDPR-9-2-g",
        "GDPR Art. 9(2)(g)",
        "Substantial public interest: protection of children",
        "Būtiskas sabiedrības intereses: bērnu aizsardzība",
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE}),
        frozenset({K.SOCIAL_SERVICE, K.ORPHANS_COURT, K.POLICE}),
        frozenset({C.IDENTITY, C.RISK_ASSESSMENT, C.COURT_DECISIONS, C.POLICE_CONTACTS}),
        frozenset({P.CHILD_PROTECTION, P.CRIMINAL_INVESTIGATION}),
    ),
    LegalBasis(
        "GDPR-9-2-h",
        "GDPR Art. 9(2)(h)",
        "Health and social care",
        "Veselības un sociālā aprūpe",
        frozenset({K.HEALTH, K.SOCIAL_SERVICE}),
        frozenset({K.HEALTH, K.SOCIAL_SERVICE}),
        frozenset({C.IDENTITY, C.ASSESSMENT, C.SERVICES}),
        frozenset({P.HEALTH_CARE, P.CASE_MANAGEMENT}),
    ),
    LegalBasis(
        "GDPR-7-1",
        "GDPR Art. 7(1)",
        "Demonstrating consent: the register of a person's consents",
        "Piekrišanas pierādīšana: personas piekrišanu reģistrs",
        NOTHING_DISCLOSED,
        NOTHING_DISCLOSED,
        frozenset({C.CONSENT}),
        frozenset(),
    ),
    LegalBasis(
        "GDPR-5-2",
        "GDPR Art. 5(2)",
        "Accountability: the access log, its replay and the review of emergency accesses",
        "Pārskatatbildība: piekļuves žurnāls, tā pārbaude un ārkārtas piekļuvju izvērtēšana",
        NOTHING_DISCLOSED,
        NOTHING_DISCLOSED,
        frozenset({C.ACCESS_LOG}),
        frozenset(),
    ),
    LegalBasis(
        "GDPR-15",
        "GDPR Art. 15",
        "The person's right of access: who read their data",
        "Personas tiesības piekļūt saviem datiem: kas tos skatījis",
        NOTHING_DISCLOSED,
        NOTHING_DISCLOSED,
        frozenset({C.ACCESS_LOG}),
        frozenset(),
    ),
    LegalBasis(
        "GDPR-17",
        "GDPR Art. 17",
        "Erasure of a person's data",
        "Personas datu dzēšana",
        NOTHING_DISCLOSED,
        NOTHING_DISCLOSED,
        frozenset({C.IDENTITY}),
        frozenset(),
    ),
    LegalBasis(
        "referrer-feedback",
        "Bērnu tiesību aizsardzības likums, 73. pants (atgriezeniskā saite)",
        "Feedback to the referrer that its report was received and acted on",
        "Ziņotājam: ziņojums saņemts un par to rīkojas",
        NOTHING_DISCLOSED,
        NOTHING_DISCLOSED,
        frozenset({C.STATUS}),
        frozenset(),
    ),
)

BASES_BY_ID: dict[str, LegalBasis] = {basis.id: basis for basis in LEGAL_BASES}
