"""Human names of the codes pages show (concerns, statuses, roles ...), as English message ids for the catalogue."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for the catalogue; it is translated where it is shown."""
    return message


LABELS: dict[str, dict[str, str]] = {
    "concern": {
        "violence_physical": N_("Physical violence"),
        "violence_emotional": N_("Emotional violence"),
        "violence_sexual": N_("Sexual violence"),
        "neglect": N_("Neglect"),
        "dangerous_home_conditions": N_("Dangerous conditions at home"),
        "abandonment": N_("Abandonment"),
        "school_absence": N_("Not attending school"),
        "begging_vagrancy": N_("Begging or vagrancy"),
        "running_away": N_("Running away"),
        "child_substance_use": N_("Child's substance use"),
        "parental_addiction": N_("Parent's addiction"),
        "parental_illness": N_("Parent's illness"),
        "domestic_violence": N_("Domestic violence"),
        "offence": N_("Offence"),
        "other": N_("Other"),
    },
    "urgency": {
        "immediate": N_("Immediate"),
        "urgent": N_("Urgent"),
        "routine": N_("Routine"),
    },
    "status": {
        "submitted": N_("Submitted"),
        "acknowledged": N_("Acknowledged"),
        "assigned": N_("Assigned"),
        "information_requested": N_("Information requested"),
        "accepted": N_("Accepted"),
        "declined": N_("Declined"),
        "closed": N_("Closed"),
        "withdrawn": N_("Withdrawn"),
    },
    "milestone": {
        "sent": N_("Sent"),
        "received": N_("Received"),
        "information_requested": N_("Information requested"),
        "being_acted_on": N_("Being acted on"),
        "closed": N_("Closed"),
        "withdrawn": N_("Withdrawn"),
    },
    "event": {
        "submitted": N_("Submitted"),
        "acknowledged": N_("Acknowledged"),
        "assigned": N_("Assigned"),
        "information_requested": N_("Information requested"),
        "information_provided": N_("Information provided"),
        "accepted": N_("Accepted"),
        "redirected": N_("Redirected"),
        "declined": N_("Declined"),
        "closed": N_("Closed"),
        "withdrawn": N_("Withdrawn"),
        "overdue": N_("Overdue"),
    },
    "outcome": {
        "services_provided": N_("Services provided"),
        "referred_on": N_("Referred on"),
        "no_further_action": N_("No further action"),
        "child_protection_measures": N_("Child protection measures"),
        "family_moved": N_("Family moved"),
        "declined": N_("Declined"),
    },
    "action": {
        "acknowledge": N_("Acknowledge"),
        "assign": N_("Assign"),
        "request_information": N_("Ask the referrer"),
        "provide_information": N_("Send the answer"),
        "accept": N_("Accept"),
        "redirect": N_("Redirect"),
        "decline": N_("Decline"),
        "close": N_("Close"),
        "withdraw": N_("Withdraw"),
    },
    "detail": {
        "worker": N_("Case manager"),
        "question": N_("Question"),
        "answer": N_("Answer"),
        "case_id": N_("Case"),
        "linked_existing_case": N_("Joined the family's open case"),
        "reason": N_("Reason"),
        "outcome": N_("Outcome"),
        "urgency": N_("Urgency"),
        "routed_to": N_("Sent to"),
        "from": N_("From"),
        "to": N_("To"),
        "clock": N_("Clock"),
        "agency": N_("Agency"),
        "due_at": N_("Due"),
        "escalated_to": N_("Escalated to"),
    },
    "clock": {
        "acknowledge": N_("Acknowledge by"),
        "decide": N_("Decide by"),
    },
    "relationship": {
        "mother": N_("Mother"),
        "father": N_("Father"),
        "parent": N_("Parent"),
        "legal_representative": N_("Legal representative"),
        "guardian": N_("Guardian"),
        "foster_parent": N_("Foster parent"),
        "sibling": N_("Sibling"),
        "household_member": N_("Household member"),
    },
    "role": {
        "case_manager": N_("Case manager"),
        "case_reviewer": N_("Case reviewer"),
        "head_of_service": N_("Head of service"),
        "intake_officer": N_("Intake officer"),
        "orphans_court_member": N_("Orphan's court member"),
        "social_pedagogue": N_("Social pedagogue"),
        "police_officer": N_("Police officer"),
        "health_professional": N_("Health professional"),
        "supervisor": N_("Supervisor"),
        "auditor": N_("Auditor"),
        "administrator": N_("Administrator"),
    },
    "agency_kind": {
        "social_service": N_("Social service"),
        "orphans_court": N_("Orphan's court"),
        "school": N_("School"),
        "police": N_("Police"),
        "health": N_("Health care"),
        "cooperation_group": N_("Cooperation group"),
        "child_protection_centre": N_("Child protection centre"),
        "ministry": N_("Ministry"),
        "auditor": N_("Data protection officer"),
    },
    "purpose": {
        "child_protection": N_("Child protection"),
        "case_management": N_("Case management"),
        "prior_residence_records": N_("Prior-residence records"),
        "cooperation_group": N_("Cooperation group"),
        "criminal_investigation": N_("Criminal investigation"),
        "health_care": N_("Health care"),
        "education_support": N_("Education support"),
        "emergency": N_("Emergency"),
    },
    # The state of the review an emergency access opened.
    "review": {
        "open": N_("Waiting for the head of service's review"),
        "justified": N_("Reviewed: justified"),
        "not_justified": N_("Reviewed: not justified"),
    },
    # Why a page or call read personal data, as the audit log records it.
    "access_purpose": {
        "referral-triage": N_("Sorting incoming referrals"),
        "referral-handling": N_("Work on a referral"),
        "prior-residence-records": N_("Prior-residence records"),
        "consent-check": N_("Checking consents"),
        "audit": N_("Audit"),
        "access-report": N_("Access report"),
        "supervision": N_("Supervision"),
        "record-matching": N_("Matching person records"),
        "case-handover": N_("Case handover"),
        "break-glass-review": N_("Review of an emergency access"),
        "refused request": N_("Refused request"),
    },
    "category": {
        "identity": N_("Identity"),
        "referral_content": N_("Referral content"),
        "status": N_("Status"),
        "assessment": N_("Assessment"),
        "risk_assessment": N_("Risk assessment"),
        "rehabilitation_plan": N_("Rehabilitation plan"),
        "services": N_("Services"),
        "out_of_home_care": N_("Out-of-home care"),
        "court_decisions": N_("Court decisions"),
        "police_contacts": N_("Police contacts"),
        "school_attendance": N_("School attendance"),
        "consent": N_("Consent"),
        "access_log": N_("Access log"),
    },
    "record_status": {
        "open": N_("Open"),
        "acknowledged": N_("Acknowledged"),
        "answered": N_("Answered"),
        "refused": N_("Refused"),
        "withdrawn": N_("Withdrawn"),
    },
    "record_answer": {
        "open": N_("Not answered yet"),
        "released": N_("Released"),
        "withheld": N_("Withheld"),
        "forwarded": N_("Not held here, forwarded"),
    },
    "withhold_reason": {
        "no_records": N_("No records"),
        "legal_restriction": N_("Legal restriction"),
        "ongoing_investigation": N_("Ongoing investigation"),
    },
    "decision": {
        "permit": N_("Permitted"),
        "deny": N_("Denied"),
    },
    "consent_status": {
        "active": N_("Active"),
        "withdrawn": N_("Withdrawn"),
        "expired": N_("Expired"),
    },
}


# A disclosure's purpose (a consent's or legal basis's) is recorded as an access purpose too.
LABELS["access_purpose"].update(LABELS["purpose"])


def label_id(kind: str, value: str) -> str:
    """The message id naming a code; an unknown code is shown as it is."""
    return LABELS.get(kind, {}).get(value, value)
