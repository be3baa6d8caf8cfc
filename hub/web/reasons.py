"""What a refusal means to a person: a message id per machine-readable reason, or one per HTTP status."""

from __future__ import annotations

from hub.web.labels import N_

REASON_MESSAGES: dict[str, str] = {
    "below_agency_requirement": N_(
        "Your service requires more e-mail than you chose. Choose at least what the page says it requires."
    ),
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
    "person_not_found": N_("No person you may see has this personal code."),
    "invalid_subject": N_("Enter a personal code or the number of a person record."),
    "unknown_subject": N_("No person with this personal code is known."),
    "invalid_personal_code": N_("Not a valid Latvian personal code."),
    "invalid_date": N_("Enter a date."),
    "not_registered": N_("Your account is not registered in the hub. Ask your agency's administrator to register you."),
    "user_suspended": N_("Your account in the hub is suspended, so you cannot sign in."),
    "account_removed": N_("Your account has been removed from the hub, so you cannot sign in."),
    "other_identity_provider": N_("Your account signs in through another sign-in service. Choose that one."),
    "agency_not_served": N_("This sign-in service is not for your agency. Choose your own agency's sign-in."),
    "sign_in_expired": N_("The sign-in took too long or was already used. Start again."),
    "sign_in_rejected": N_("The sign-in service did not confirm who you are. Start again."),
    "issuer_mismatch": N_("The answer came from another sign-in service. Start again."),
    "identity_provider_unavailable": N_("The sign-in service cannot be reached now. Try again shortly."),
    "identity_provider_misconfigured": N_("The sign-in service is not set up correctly. Tell the hub's administrator."),
    "unknown_identity_provider": N_("There is no such sign-in service."),
    "kept_form_not_found": N_("The kept form is no longer here: it was sent, discarded or kept too long."),
    "agency_code_taken": N_("An agency with this code is already registered."),
    "username_taken": N_("This username is taken (usernames of removed users are not given again)."),
    "role_not_allowed_for_kind": N_("An agency of this kind does not give that role."),
    "no_roles": N_("Choose at least one role."),
    "agency_closed": N_("That agency is closed."),
    "agency_has_open_work": N_("The agency still has open referrals, record requests or handovers."),
    "agency_has_active_users": N_("The agency still has active users: move or remove them first."),
    "last_registry_admin": N_("This is the registry's last active administrator: name another one first."),
    "user_removed": N_("This user was removed."),
    "same_agency": N_("The user already works in that agency."),
    "unknown_user": N_("There is no user with that username."),
    "import_rejected": N_("Nothing was registered: correct the rows listed and import the file again."),
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
