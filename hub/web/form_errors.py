"""What went wrong with a submitted form, in the reader's words: each field by its label, each problem as a sentence.

A form that fails comes back with what was typed and these errors (`hub/web/replay.py`); nothing here names a
field's path (`child.given_name`) or a code (`string_too_short`) to the reader.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import ImmutableMultiDict

from hub.web.labels import LABELS, N_
from hub.web.reasons import REASON_MESSAGES

# Why a field was refused, as a message id per pydantic error type (or the hub's own reason).
ERROR_MESSAGES: dict[str, str] = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "too_short": N_("Choose at least one."),
    "string_too_long": N_("Too long."),
    "too_long": N_("Too many chosen."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "date_parsing": N_("Enter a date."),
    "datetime_parsing": N_("Enter a date."),
    "datetime_from_date_parsing": N_("Enter a date."),
    "date_from_datetime_inexact": N_("Enter a date."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
    "uuid_parsing": N_("Choose one of the options."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "greater_than_equal": N_("The number is too small."),
    "greater_than": N_("The number is too small."),
    "less_than_equal": N_("The number is too large."),
    "less_than": N_("The number is too large."),
    "string_pattern_mismatch": N_("Not in the expected form."),
    "value_error": N_("Not valid."),
    "invalid_personal_code": N_("Not a valid Latvian personal code."),
    "remark_required": N_("Say what does not conform."),
}
NOT_VALID = N_("Not valid.")

# The label of each form field the pages have, by the field's name in the form.
FIELD_LABELS: dict[str, str] = {
    "mode": N_("When to e-mail me"),
    "urgent_mode": N_("When to e-mail me of urgent items"),
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "birth_date": N_("Birth date"),
    "personal_code": N_("Personal code"),
    "municipality": N_("Municipality"),
    "child.municipality": N_("Municipality of residence"),
    "relationship": N_("Relationship"),
    "concerns": N_("Concerns"),
    "urgency": N_("Urgency"),
    "summary": N_("What have you noticed?"),
    "worker": N_("Case manager"),
    "question": N_("Question to the referrer"),
    "answer": N_("Your answer"),
    "reason": N_("Reason"),
    "outcome": N_("Outcome"),
    "monitoring_days": N_("Monitoring after closure (days)"),
    "justification": N_("Why you must read it now"),
    "agencies": N_("Agencies asked"),
    "basis": N_("Legal basis"),
    "categories": N_("Information asked for"),
    "note": N_("Note"),
    "title": N_("Entry title"),
    "text": N_("Entry"),
    "forward_to": N_("Forward to"),
    "grantor": N_("Consent given by"),
    "recipient_agencies": N_("Agencies that may receive"),
    "recipient_kinds": N_("Kinds of agency that may receive"),
    "purposes": N_("Purposes"),
    "valid_until": N_("Valid until"),
    "evidence": N_("Statement"),
    "subject": N_("Personal code or person record"),
    "user": N_("User"),
    "agency": N_("Agency"),
    "since": N_("From"),
    "until": N_("Until"),
    "decision": N_("Decision"),
    "cursor": N_("Page"),
    "status": N_("Status"),
}
PART_LABELS = {"child": N_("Child"), "family": N_("Family member %(number)s")}


@dataclass(frozen=True)
class FieldError:
    """One refused field: its name in the form, the machine-readable reason, and both in the reader's words."""

    field: str
    reason: str
    label: str
    message: str

    @property
    def dom_id(self) -> str:
        return dom_id(self.field)


@dataclass
class FormFailure:
    """A refused form: the sentence saying why, the fields at fault, what was typed (shown again), the path it
    posted to and the prefix of its element ids (on a page with several forms)."""

    message: str
    reason: str
    errors: dict[str, FieldError] = field(default_factory=dict)
    values: FormValues | None = None
    action: str = ""
    prefix: str = ""


@dataclass(frozen=True)
class FormState:
    """What one form of a page shows: its id prefix, and its errors and input if it is the form that failed."""

    prefix: str
    errors: dict[str, FieldError]
    values: FormValues


def state_for(failure: FormFailure | None, action: str, prefix: str) -> FormState:
    if failure is not None and failure.action == action:
        return FormState(prefix, failure.errors, failure.values or FormValues())
    return FormState(prefix, {}, FormValues())


def id_prefix(value: str) -> str:
    """A form's id prefix as posted (`form_id`), kept to the characters an element id may have."""
    return re.sub(r"[^A-Za-z0-9_-]", "", value)[:40]


class FormInvalid(Exception):
    """A form's fields did not validate: (field name, reason) per field, in form order."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("the form has invalid fields")
        self.problems = problems


class FormValues:
    """What a browser submitted, to fill the form in again: `get` gives one value, `all` every checked one."""

    def __init__(self, items: Iterable[tuple[str, Any]] = ()) -> None:
        self.items: dict[str, list[str]] = {}
        for name, value in items:
            if isinstance(value, str):
                self.items.setdefault(name, []).append(value)

    @classmethod
    def of(cls, form: ImmutableMultiDict[str, Any]) -> FormValues:
        return cls(form.multi_items())

    def get(self, name: str, default: str = "") -> str:
        found = self.items.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list[str]:
        return self.items.get(name, [])


def dom_id(name: str) -> str:
    """An element id for a form field (`child.given_name` → `child-given_name`), valid in HTML and CSS."""
    return name.replace(".", "-")


def field_label(name: str, gettext: Callable[[str], str]) -> str:
    """The label a reader sees for a field: `Child: Given name`, `Family member 2: Relationship`,
    `Entry title (Assessment)` for a per-category field, the field's own label, or '' for a field no form has."""
    parts = name.split(".")
    if name in FIELD_LABELS:
        return gettext(FIELD_LABELS[name])
    own = FIELD_LABELS.get(parts[-1] if len(parts) > 1 and parts[0] in PART_LABELS else parts[0])
    if own is None:
        return ""
    if len(parts) == 3 and parts[0] == "family" and parts[1].isdigit():
        return f"{gettext(PART_LABELS['family']) % {'number': int(parts[1]) + 1}}: {gettext(own)}"
    if len(parts) == 2 and parts[0] in PART_LABELS:
        return f"{gettext(PART_LABELS[parts[0]])}: {gettext(own)}"
    if len(parts) == 2 and parts[1] in LABELS["category"]:
        return f"{gettext(own)} ({gettext(LABELS['category'][parts[1]])})"
    return gettext(own) if len(parts) == 1 else ""


def error_message(reason: str) -> str:
    """The message id saying what is wrong with a field."""
    return ERROR_MESSAGES.get(reason) or REASON_MESSAGES.get(reason) or NOT_VALID


def field_errors(problems: Iterable[tuple[str, str]], gettext: Callable[[str], str]) -> dict[str, FieldError]:
    """The first problem of each field, in the reader's words."""
    found: dict[str, FieldError] = {}
    for name, reason in problems:
        if name not in found:
            found[name] = FieldError(name, reason, field_label(name, gettext), gettext(error_message(reason)))
    return found
