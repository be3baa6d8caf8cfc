"""The referral form: flat form fields into the same `ReferralDraft` the API validates, errors back per field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from hub.kernel.personal_code import InvalidPersonalCode, parse_personal_code
from hub.referrals.domain import ReferralDraft
from hub.web.forms import text
from hub.web.labels import N_

FAMILY_ROWS = 3
CHILD_FIELDS = ("given_name", "family_name", "birth_date", "personal_code", "municipality")
MEMBER_FIELDS = ("given_name", "family_name", "relationship", "personal_code")

# Why a field was refused, as a message id per pydantic error type.
ERROR_MESSAGES: dict[str, str] = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "too_short": N_("Choose at least one."),
    "string_too_long": N_("Too long."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "enum": N_("Choose one of the options."),
    "value_error": N_("Not valid."),
    "invalid_personal_code": N_("Not a valid Latvian personal code."),
}


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str

    @property
    def message(self) -> str:
        return ERROR_MESSAGES.get(self.reason, N_("Not valid."))


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


def _reason(error: dict[str, Any]) -> str:
    if str(error["loc"][-1]) == "personal_code" and error["type"] == "value_error":
        return "invalid_personal_code"
    return str(error["type"])


def parse_referral_form(form: FormData) -> tuple[ReferralDraft | None, list[FieldError]]:
    """The draft, or the fields at fault (nothing is submitted while any remain)."""
    body, rows = draft_body(form)
    try:
        return ReferralDraft.model_validate(body), []
    except ValidationError as error:
        found = {_field_name(tuple(item["loc"]), rows): _reason(dict(item)) for item in error.errors()}
        return None, [FieldError(field, reason) for field, reason in found.items()]


def check_personal_code(value: str) -> str | None:
    """The message id of what is wrong with a personal code typed into the form, or None if it is valid or empty."""
    if not value.strip():
        return None
    try:
        parse_personal_code(value)
    except InvalidPersonalCode:
        return ERROR_MESSAGES["invalid_personal_code"]
    return None
