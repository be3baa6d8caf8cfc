"""The FHIR Bundle the hub sends for a referral, as a response model: exactly the elements it fills, no others.

The elements and their names are FHIR R4's; `adapters/fhir_referrals.py` builds the Bundle (and validates it
against the full FHIR models), this model is the allow-list and the schema the OpenAPI document shows.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field


class Coding(BaseModel):
    system: str
    code: str


class CodeableConcept(BaseModel):
    coding: list[Coding]


class Reference(BaseModel):
    reference: str


class HumanName(BaseModel):
    given: list[str]
    family: str


class Identifier(BaseModel):
    system: str
    value: str = Field(description="the Latvian personal code")


class Address(BaseModel):
    district: str = Field(description="the municipality's code")


class Annotation(BaseModel):
    text: str


class Patient(BaseModel):
    resourceType: Literal["Patient"]
    id: str
    name: list[HumanName]
    address: list[Address]
    birthDate: date | None = None
    identifier: list[Identifier] | None = None


class ServiceRequest(BaseModel):
    resourceType: Literal["ServiceRequest"]
    id: str
    status: str
    intent: str
    subject: Reference
    priority: Literal["routine", "urgent", "stat"]
    reasonCode: list[CodeableConcept] = Field(description="the concerns, in the hub's code system")
    note: list[Annotation] = Field(description="the summary")
    authoredOn: str = Field(description="when the referral was submitted (FHIR dateTime)")


class RelatedPerson(BaseModel):
    resourceType: Literal["RelatedPerson"]
    id: str
    patient: Reference
    name: list[HumanName]
    relationship: list[CodeableConcept] | None = None
    identifier: list[Identifier] | None = None


class BundleEntry(BaseModel):
    fullUrl: str
    resource: Annotated[Patient | ServiceRequest | RelatedPerson, Field(discriminator="resourceType")]


class ReferralBundle(BaseModel):
    """A referral as a FHIR Bundle (collection): the child, the request, the family."""

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    entry: list[BundleEntry]
