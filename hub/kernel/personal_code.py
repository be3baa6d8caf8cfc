"""Latvian personal codes (personas kods): strict format checks built on python-stdnum."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from stdnum.exceptions import ValidationError
from stdnum.lv import pvn


@dataclass(frozen=True)
class PersonalCode:
    """A checked personal code in compact form; `warning` is set for a new-format check-digit mismatch."""

    value: str
    new_format: bool
    warning: str | None = None


class InvalidPersonalCode(ValueError):
    pass


LAST_OLD_FORMAT_DAY = date(2017, 6, 30)  # dated codes were issued until then; the new format since 1 July 2017


def parse_personal_code(raw: str) -> PersonalCode:
    """Accepts `DDMMYY-CNNNK` (old, dated) and `3X....` (new, from 2017); a hyphen after the 6th digit is optional."""
    text = raw.strip()
    if len(text) == 12 and text[6] == "-":
        text = text[:6] + text[7:]
    if len(text) != 11 or not text.isdigit():
        raise InvalidPersonalCode("a personal code has 11 digits, optionally with a hyphen after the sixth")
    if text[0] == "3" and text[1] in "23456789":
        expected = pvn.calc_check_digit_pers(text[:-1])
        warning = None if expected == text[-1] else "check digit does not match"
        return PersonalCode(text, new_format=True, warning=warning)
    if text[0] > "3" or text[6] not in "012":
        raise InvalidPersonalCode("not a personal code of a natural person")
    try:
        born = pvn.get_birth_date(text)
    except ValidationError as error:
        raise InvalidPersonalCode("the birth date in the code is not a real date") from error
    if born > LAST_OLD_FORMAT_DAY:
        raise InvalidPersonalCode("no dated personal code was issued after 30 June 2017")
    if pvn.calc_check_digit_pers(text[:-1]) != text[-1]:
        raise InvalidPersonalCode("check digit does not match")
    return PersonalCode(text, new_format=False)


def canonical_code(value: str) -> str:
    """The code in canonical form, as a pydantic validator: an invalid code is a ValueError naming why."""
    try:
        return parse_personal_code(value).value
    except InvalidPersonalCode as error:
        raise ValueError(f"invalid personal code: {error}") from error


# A personal code as drafts take it: at most 20 characters, stored in canonical form.
PersonalCodeText = Annotated[str, StringConstraints(strict=True, max_length=20), AfterValidator(canonical_code)]
