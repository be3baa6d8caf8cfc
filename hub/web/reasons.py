"""What a refusal means to a person: a message id per machine-readable reason, or one per HTTP status."""

from __future__ import annotations

from hub.web.labels import N_

REASON_MESSAGES: dict[str, str] = {
    "csrf_rejected": N_("The form had expired or did not come from this site. Open the page again and retry."),
    "invalid_input": N_("Some of the entered data is not valid."),
    "access_denied": N_("You may not see this."),
    "action_not_permitted": N_("You may not take this action on this referral."),
    "referral_not_found": N_("There is no referral with this number that you may see."),
    "illegal_transition": N_("This step is not possible in the referral's current state."),
    "concurrent_change": N_("Someone changed this meanwhile. Reload the page and try again."),
    "worker_not_assignable": N_("Only an active case manager of the leading social service can be assigned."),
    "already_assigned": N_("The referral is already assigned to this worker."),
    "redirect_to_self": N_("The referral is already with that social service."),
    "role_may_not_submit": N_("Your role may not submit referrals."),
    "no_social_service": N_("No social service is registered for that municipality."),
    "idempotency_key_reused": N_("This form was already used for a different referral. Open a new form."),
    "rate_limited": N_("Too many requests in a short time. Wait a minute, then open the page again."),
    "audit_unavailable": N_("The access could not be recorded, so no data is shown. Try again shortly."),
    "store_unavailable": N_("The hub cannot reach its database just now. Try again in a few seconds."),
    "consent_not_found": N_("There is no such consent."),
    "subject_not_found": N_("There is no such person record."),
    "role_may_not_record_consent": N_("Your role may not record consents."),
    "unknown_agency": N_("There is no agency with that code."),
    "break_glass_denied": N_(
        "Emergency access was refused. Write more fully why you must read it now; not every role may use emergency "
        "access."
    ),
    "sign_in_failed": N_("Sign-in failed: the user or token is not valid."),
    "code_belongs_to_another_subject": N_("This personal code is recorded for another person."),
}
STATUS_MESSAGES: dict[int, str] = {
    403: N_("You may not do this."),
    404: N_("Not found."),
    409: N_("This is not possible now."),
    422: N_("Some of the entered data is not valid."),
}
GENERIC_MESSAGE = N_("The request could not be completed.")


def reason_message(reason: str, status: int) -> str:
    return REASON_MESSAGES.get(reason) or STATUS_MESSAGES.get(status, GENERIC_MESSAGE)
