"""Code systems the FHIR adapters read and write, and how their codes map onto the hub's own values.

A coding is read only with its system: a code means something in one code system, so `MTH` counts as "mother"
only under v3 RoleCode. Codes without a system are read as the hub's own (what the hub's older exports sent).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from events.consent import HUB_CODES
from events.values import Relationship

ROLE_CODE = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"

R = Relationship
# v3 RoleCode (personal relationships of the family member to the child).
RELATIONSHIP_OF_ROLE_CODE: dict[str, Relationship] = {
    "MTH": R.MOTHER,
    "NMTH": R.MOTHER,
    "ADOPTM": R.MOTHER,
    "GESTM": R.MOTHER,
    "FTH": R.FATHER,
    "NFTH": R.FATHER,
    "ADOPTF": R.FATHER,
    "PRN": R.PARENT,
    "NPRN": R.PARENT,
    "ADOPTP": R.PARENT,
    "STPPRN": R.PARENT,
    "STPMTH": R.PARENT,
    "STPFTH": R.PARENT,
    "GUARD": R.GUARDIAN,
    "POWATT": R.LEGAL_REPRESENTATIVE,
    "SIB": R.SIBLING,
    "NSIB": R.SIBLING,
    "HSIB": R.SIBLING,
    "STPSIB": R.SIBLING,
    "BRO": R.SIBLING,
    "SIS": R.SIBLING,
    "NBRO": R.SIBLING,
    "NSIS": R.SIBLING,
    "HBRO": R.SIBLING,
    "HSIS": R.SIBLING,
    "STPBRO": R.SIBLING,
    "STPSIS": R.SIBLING,
    "TWIN": R.SIBLING,
    "TWINBRO": R.SIBLING,
    "TWINSIS": R.SIBLING,
    "FAMMEMB": R.HOUSEHOLD_MEMBER,
    "SIGOTHR": R.HOUSEHOLD_MEMBER,
    "DOMPART": R.HOUSEHOLD_MEMBER,
    "SPS": R.HOUSEHOLD_MEMBER,
    "HUSB": R.HOUSEHOLD_MEMBER,
    "WIFE": R.HOUSEHOLD_MEMBER,
    "GRPRN": R.HOUSEHOLD_MEMBER,
    "GRMTH": R.HOUSEHOLD_MEMBER,
    "GRFTH": R.HOUSEHOLD_MEMBER,
    "EXT": R.HOUSEHOLD_MEMBER,
}
# v2-0131 contact roles say only that the person is close to the child (next of kin, emergency contact).
RELATIONSHIP_OF_CONTACT_ROLE: dict[str, Relationship] = {"N": R.HOUSEHOLD_MEMBER, "C": R.HOUSEHOLD_MEMBER}
# What the hub writes beside its own code, for systems that know v3 RoleCode only.
ROLE_CODE_OF_RELATIONSHIP: dict[Relationship, str] = {
    R.MOTHER: "MTH",
    R.FATHER: "FTH",
    R.PARENT: "PRN",
    R.GUARDIAN: "GUARD",
    R.LEGAL_REPRESENTATIVE: "POWATT",
    R.SIBLING: "SIB",
    R.HOUSEHOLD_MEMBER: "FAMMEMB",
}
# Most specific first: the hub's own code, a personal relationship, then a contact role.
RELATIONSHIP_SYSTEMS: tuple[tuple[str | None, Mapping[str, Relationship]], ...] = (
    (HUB_CODES, {member.value: member for member in Relationship}),
    (None, {member.value: member for member in Relationship}),
    (ROLE_CODE, RELATIONSHIP_OF_ROLE_CODE),
    (CONTACT_ROLE, RELATIONSHIP_OF_CONTACT_ROLE),
)


def _codings(concepts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [coding for concept in concepts for coding in concept.get("coding", [])]


def relationship(concepts: Iterable[dict[str, Any]]) -> Relationship | None:
    """The hub's relationship for RelatedPerson.relationship, from the most specific coding it knows (else None)."""
    codings = _codings(concepts)
    for system, table in RELATIONSHIP_SYSTEMS:
        for coding in codings:
            if coding.get("system") == system and coding.get("code") in table:
                return table[coding["code"]]
    return None


def relationship_codings(value: Relationship) -> list[dict[str, str]]:
    """The hub's code, and the v3 RoleCode one where there is one."""
    codings = [{"system": HUB_CODES, "code": value.value}]
    if value in ROLE_CODE_OF_RELATIONSHIP:
        codings.append({"system": ROLE_CODE, "code": ROLE_CODE_OF_RELATIONSHIP[value]})
    return codings


def hub_code(concept: dict[str, Any]) -> str | None:
    """The code of a concept's coding in the hub's code system (or without a system), if it has one."""
    for coding in concept.get("coding", []):
        if coding.get("system") in (HUB_CODES, None) and coding.get("code"):
            return str(coding["code"])
    return None


def described(concepts: Iterable[dict[str, Any]]) -> str:
    """The codings as a person reads them in an error message: `system|code`, comma-separated."""
    return ", ".join(f"{coding.get('system', '(no system)')}|{coding.get('code', '')}" for coding in _codings(concepts))
