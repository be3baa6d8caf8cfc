"""Value types shared by every stream: agency kinds, roles, municipalities, concerns, urgency, data categories."""

from __future__ import annotations

from enum import StrEnum


class AgencyKind(StrEnum):
    SOCIAL_SERVICE = "social_service"
    ORPHANS_COURT = "orphans_court"
    SCHOOL = "school"
    POLICE = "police"
    HEALTH = "health"
    COOPERATION_GROUP = "cooperation_group"
    CHILD_PROTECTION_CENTRE = "child_protection_centre"
    MINISTRY = "ministry"
    AUDITOR = "auditor"


class Role(StrEnum):
    CASE_MANAGER = "case_manager"
    CASE_REVIEWER = "case_reviewer"
    HEAD_OF_SERVICE = "head_of_service"
    INTAKE_OFFICER = "intake_officer"
    ORPHANS_COURT_MEMBER = "orphans_court_member"
    SOCIAL_PEDAGOGUE = "social_pedagogue"
    POLICE_OFFICER = "police_officer"
    HEALTH_PROFESSIONAL = "health_professional"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"
    REGISTRY_ADMIN = "registry_admin"  # administers the whole registry: agencies, and users of any agency
    AGENCY_ADMIN = "agency_admin"  # administers the users of its own agency only


class Urgency(StrEnum):
    IMMEDIATE = "immediate"
    URGENT = "urgent"
    ROUTINE = "routine"


class Concern(StrEnum):
    """Referral concern codes (NPAIS registration triggers, MK 157/2014 point 4), catalogue version 1."""

    VIOLENCE_PHYSICAL = "violence_physical"
    VIOLENCE_EMOTIONAL = "violence_emotional"
    VIOLENCE_SEXUAL = "violence_sexual"
    NEGLECT = "neglect"
    DANGEROUS_HOME = "dangerous_home_conditions"
    ABANDONMENT = "abandonment"
    SCHOOL_ABSENCE = "school_absence"
    BEGGING_VAGRANCY = "begging_vagrancy"
    RUNNING_AWAY = "running_away"
    CHILD_SUBSTANCE_USE = "child_substance_use"
    PARENTAL_ADDICTION = "parental_addiction"
    PARENTAL_ILLNESS = "parental_illness"
    DOMESTIC_VIOLENCE = "domestic_violence"
    OFFENCE = "offence"
    OTHER = "other"


CONCERN_CATALOGUE_VERSION = "concerns/1"


class Relationship(StrEnum):
    MOTHER = "mother"
    FATHER = "father"
    PARENT = "parent"
    LEGAL_REPRESENTATIVE = "legal_representative"
    GUARDIAN = "guardian"
    FOSTER_PARENT = "foster_parent"
    SIBLING = "sibling"
    HOUSEHOLD_MEMBER = "household_member"


class Tie(StrEnum):
    """How an agency stands to a person: each kind of relationship the log can give it (need-to-know)."""

    REFERRER = "referrer"  # sent a referral about them
    RECIPIENT = "recipient"  # received a referral about them
    CASE_LEAD = "case_lead"  # owns their case (lead social service of a referral, or took it over in a handover)
    CASE_OFFERED = "case_offered"  # their case is offered to it in a handover
    HANDOVER_PARTY = "handover_party"  # handed their case over
    RECORD_REQUEST_PARTY = "record_request_party"  # asked or was asked for their prior-residence records
    CONSENT_RECORDER = "consent_recorder"  # recorded a consent of theirs
    CONSENT_RECIPIENT = "consent_recipient"  # is named as a recipient by a consent of theirs
    DISCLOSURE_RECIPIENT = "disclosure_recipient"  # received a disclosure about them
    INVESTIGATION = "investigation"  # (police) has an open investigation naming them


class DataCategory(StrEnum):
    """Kinds of personal data that decisions, redaction and disclosures are scoped by."""

    IDENTITY = "identity"
    REFERRAL_CONTENT = "referral_content"
    STATUS = "status"
    ASSESSMENT = "assessment"
    RISK_ASSESSMENT = "risk_assessment"
    REHABILITATION_PLAN = "rehabilitation_plan"
    SERVICES = "services"
    OUT_OF_HOME_CARE = "out_of_home_care"
    COURT_DECISIONS = "court_decisions"
    POLICE_CONTACTS = "police_contacts"
    SCHOOL_ATTENDANCE = "school_attendance"
    CONSENT = "consent"
    ACCESS_LOG = "access_log"


class Purpose(StrEnum):
    """Why data is disclosed; consents and legal bases are scoped by these (FHIR Consent.provision.purpose)."""

    CHILD_PROTECTION = "child_protection"
    CASE_MANAGEMENT = "case_management"
    PRIOR_RESIDENCE_RECORDS = "prior_residence_records"
    COOPERATION_GROUP = "cooperation_group"
    CRIMINAL_INVESTIGATION = "criminal_investigation"
    HEALTH_CARE = "health_care"
    EDUCATION_SUPPORT = "education_support"
    EMERGENCY = "emergency"


class ReviewOutcome(StrEnum):
    JUSTIFIED = "justified"
    NOT_JUSTIFIED = "not_justified"


class Decision(StrEnum):
    PERMIT = "permit"
    DENY = "deny"


# Latvia's 43 municipalities since the 2021 reform: code -> Latvian name.
MUNICIPALITIES: dict[str, str] = {
    "daugavpils": "Daugavpils valstspilsēta",
    "jelgava": "Jelgavas valstspilsēta",
    "jurmala": "Jūrmalas valstspilsēta",
    "liepaja": "Liepājas valstspilsēta",
    "rezekne": "Rēzeknes valstspilsēta",
    "riga": "Rīgas valstspilsēta",
    "ventspils": "Ventspils valstspilsēta",
    "aizkraukles-novads": "Aizkraukles novads",
    "aluksnes-novads": "Alūksnes novads",
    "augsdaugavas-novads": "Augšdaugavas novads",
    "adazu-novads": "Ādažu novads",
    "balvu-novads": "Balvu novads",
    "bauskas-novads": "Bauskas novads",
    "cesu-novads": "Cēsu novads",
    "dienvidkurzemes-novads": "Dienvidkurzemes novads",
    "dobeles-novads": "Dobeles novads",
    "gulbenes-novads": "Gulbenes novads",
    "jelgavas-novads": "Jelgavas novads",
    "jekabpils-novads": "Jēkabpils novads",
    "kraslavas-novads": "Krāslavas novads",
    "kuldigas-novads": "Kuldīgas novads",
    "kekavas-novads": "Ķekavas novads",
    "limbazu-novads": "Limbažu novads",
    "livanu-novads": "Līvānu novads",
    "ludzas-novads": "Ludzas novads",
    "madonas-novads": "Madonas novads",
    "marupes-novads": "Mārupes novads",
    "ogres-novads": "Ogres novads",
    "olaines-novads": "Olaines novads",
    "preilu-novads": "Preiļu novads",
    "rezeknes-novads": "Rēzeknes novads",
    "ropazu-novads": "Ropažu novads",
    "salaspils-novads": "Salaspils novads",
    "saldus-novads": "Saldus novads",
    "saulkrastu-novads": "Saulkrastu novads",
    "siguldas-novads": "Siguldas novads",
    "smiltenes-novads": "Smiltenes novads",
    "talsu-novads": "Talsu novads",
    "tukuma-novads": "Tukuma novads",
    "valkas-novads": "Valkas novads",
    "valmieras-novads": "Valmieras novads",
    "varaklanu-novads": "Varakļānu novads",
    "ventspils-novads": "Ventspils novads",
}
