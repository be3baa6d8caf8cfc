"""The referral form: flat form fields into the same `ReferralDraft` the API validates, errors back per field
(a family member's error names the form row it was typed in)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from hub.kernel.personal_code import InvalidPersonalCode, parse_personal_code
from hub.referrals.domain import ReferralDraft
from hub.web.form_errors import ERROR_MESSAGES
from hub.web.forms import text, validated

FAMILY_ROWS = 3
CHILD_FIELDS = ("given_name", "family_name", "birth_date", "personal_code", "municipality")
MEMBER_FIELDS = ("given_name", "family_name", "relationship", "personal_code")


def _fields(form: FormData, prefix: str, names: tuple[str, ...]) -> dict[str, str]:
    """The named fields under a prefix; an empty personal code is left out (it is optional)."""
    values = {name: text(form, f"{prefix}.{name}").strip() for name in names}
    return {name: value for name, value in values.items() if value or name != "personal_code"}


def draft_body(form: FormData) -> tuple[dict[str, Any], list[int]]:
    """The JSON-shaped body of the form, and which form rows the family entries came from (blank rows skipped)."""
    family: list[dict[str, str]] = []
    rows: list[int] = []
    for row in range(FAMILY_ROWS):
        member = _fields(form, f"family.{row}", MEMBER_FIELDS)
        if any(member.values()):
            family.append(member)
            rows.append(row)
    body = {
        "child": _fields(form, "child", CHILD_FIELDS),
        "family": family,
        "concerns": [value for value in form.getlist("concerns") if isinstance(value, str)],
        "urgency": text(form, "urgency"),
        "summary": text(form, "summary"),
    }
    return body, rows


def _field_name(location: tuple[Any, ...], rows: list[int]) -> str:
    parts = list(location)
    if len(parts) >= 2 and parts[0] == "family" and isinstance(parts[1], int) and parts[1] < len(rows):
        parts[1] = rows[parts[1]]
    if len(parts) >= 2 and parts[0] == "concerns":
        parts = parts[:1]
    return ".".join(str(part) for part in parts)


def parse_referral_form(form: FormData) -> ReferralDraft:
    """The draft, or `FormInvalid` naming the form's fields at fault (nothing is submitted while any remain)."""
    body, rows = draft_body(form)
    return validated(ReferralDraft, body, lambda location: _field_name(location, rows))


def check_personal_code(value: str) -> str | None:
    """The message id of what is wrong with a personal code typed into the form, or None if it is valid or empty."""
    if not value.strip():
        return None
    try:
        parse_personal_code(value)
    except InvalidPersonalCode:
        return ERROR_MESSAGES["invalid_personal_code"]
    return None
