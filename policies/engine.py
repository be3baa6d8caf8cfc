"""The one decision point: Cedar policies (`policies/*.cedar`, schema `hub.cedarschema` plus the capabilities'
own actions about a person) parsed once per process.

Every read of personal data and every disclosure is a request here; the answer is permit or deny per data
category, the basis used, what to redact, and the policy ids that decided it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

import cedarpy

from events.values import AgencyKind, DataCategory, Decision, Purpose, Role, Tie
from policies.decision import CITIZEN_ROLE, AccessDecision, Citizen, Principal, acting_role
from policies.legal_bases import BASES_BY_ID, LEGAL_BASES, LEGAL_BASES_VERSION
from policies.roles import admin_role, casework_role

POLICY_DIR = Path(__file__).parent
SCHEMA_FILE = POLICY_DIR / "hub.cedarschema"
BREAK_GLASS_MIN_CHARS = 20
BREAK_GLASS = "break-glass"
CONSENT_BASIS = "consent"
STATUTORY_POLICY = "disclose.statutory-basis"
# The basis a permitting policy stands for (the statutory policy stands for the basis named in the request).
POLICY_BASIS: dict[str, str] = {
    "read.recipient-duty": "BTAL-73",
    "read.referrer-feedback": "referrer-feedback",
    "read.consent-register": "GDPR-7-1",
    "read.review-queue": "GDPR-5-2",
    "read.released-records": "GDPR-6-1-c",
    "read.record-request": "GDPR-6-1-c",
    "read.handover": "GDPR-6-1-e",
    "read.audit-log": "GDPR-5-2",
    "read.access-report": "GDPR-15",
    "read.case-view": "BTAL-73",
    "citizen.own-data": "GDPR-15",
    "written-request.case-lead": "GDPR-15",
    "disclose.consent": CONSENT_BASIS,
    "person.record-consent": "GDPR-7-1",
    "person.withdraw-consent": "GDPR-7-1",
    "person.erase.lead-head": "GDPR-17",
    "person.erase.court-order": "GDPR-17",
    "person.hand-over": "GDPR-6-1-e",
    "person.request-records": "GDPR-6-1-c",
    "person.change-subject": "BTAL-73",
    "registry.registry-admin": "registry-administration",
    "registry.agency-admin-own-agency": "registry-administration",
    BREAK_GLASS: BREAK_GLASS,
}


class Relation(StrEnum):
    """How a reader stands to the record it asks for."""

    RECIPIENT = "recipient"
    REFERRER = "referrer"
    CONSENT_REGISTER = "consent-register"
    REVIEW_QUEUE = "review-queue"
    RECORD_REQUESTER = "record-requester"
    RECORD_RESPONDER = "record-responder"
    HANDOVER_PARTY = "handover-party"
    AUDIT_LOG = "audit-log"
    ACCESS_REPORT = "access-report"
    CASE_VIEW = "case-view"


@dataclass(frozen=True)
class AgencyFacts:
    id: UUID
    kind: AgencyKind


@dataclass(frozen=True)
class ConsentFacts:
    """What the policy needs of one consent, as it stands now."""

    id: UUID
    version: int
    subject_id: UUID
    purposes: frozenset[Purpose]
    recipient_agencies: frozenset[UUID]
    recipient_kinds: frozenset[AgencyKind]
    categories: frozenset[DataCategory]
    valid_from: datetime
    valid_until: datetime | None
    withdrawn: bool


class PersonAction(StrEnum):
    """Changes about a person (`policies/people.cedar`)."""

    RECORD_CONSENT = "record-consent"
    WITHDRAW_CONSENT = "withdraw-consent"
    ERASE = "erase"
    HAND_OVER = "hand-over"
    REQUEST_RECORDS = "request-records"
    CHANGE_SUBJECT = "change-subject"
    VIEW_TEAM = "view-team"  # policies/team.cedar
    NAME_WORKER = "name-worker"
    AGREE_TASK = "agree-task"
    WORK_TASK = "work-task"
    PLAN_VISIT = "plan-visit"
    REVIEW_CASE = "review-case"
    HANDLE_WRITTEN_REQUEST = "handle-written-request"  # policies/citizens.cedar


class RegistryAction(StrEnum):
    """Administration of the registry (`policies/registry.cedar`)."""

    MANAGE_AGENCIES = "manage-agencies"
    MANAGE_USERS = "manage-users"


@dataclass(frozen=True)
class RegistryRequest:
    """A change to the registry about one agency (`agency`); `grants` are the roles the change gives a user."""

    principal: Principal
    action: RegistryAction
    agency: AgencyFacts
    grants: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class ReadRequest:
    """`relations` are the reader's relations to the record; `ties` its agency's relationships to the person."""

    principal: Principal
    relations: frozenset[Relation]
    categories: tuple[DataCategory, ...]
    break_glass_justification: str | None = None
    ties: frozenset[Tie] = frozenset()


@dataclass(frozen=True)
class PersonRequest:
    """A change about a person, with the acting agency's relationships (`ties`) to every record of that person.

    `action`: a `PersonAction`, or one of a capability's own `person_actions` (declared in its manifest).

    `recorded_here`: the consent being withdrawn was recorded by the caller's agency; `reason`: why a person is
    erased (an `ErasureReason` code).
    """

    principal: Principal
    action: str
    subject_id: UUID
    ties: frozenset[Tie]
    recorded_here: bool = False
    reason: str = ""


@dataclass(frozen=True)
class DisclosureRequest:
    """Exactly what the caller relies on: a consent (by id), a statutory basis (by id), or break-glass.

    `received` are the (subject, category) pairs the discloser holds only as records released to it by another
    agency; disclosing those is onward disclosure. `ties` are the discloser's relationships to the subjects.
    """

    principal: Principal
    recipient: AgencyFacts
    subjects: tuple[UUID, ...]
    categories: tuple[DataCategory, ...]
    purpose: Purpose
    now: datetime
    consent_id: UUID | None = None
    consent: ConsentFacts | None = None
    basis: str | None = None
    break_glass_justification: str | None = None
    received: frozenset[tuple[UUID, DataCategory]] = frozenset()
    ties: dict[UUID, frozenset[Tie]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Outcome:
    category: DataCategory
    allowed: bool
    policies: tuple[str, ...]
    errors: tuple[str, ...] = ()


def _uid(kind: str, identifier: object) -> dict[str, str]:
    return {"type": kind, "id": str(identifier)}


def _ref(kind: str, identifier: object) -> dict[str, Any]:
    return {"__entity": _uid(kind, identifier)}


def _datetime(value: datetime) -> dict[str, Any]:
    """Cedar's datetime literal: UTC with milliseconds and a `Z`."""
    utc = value.astimezone(UTC)
    return {"__extn": {"fn": "datetime", "arg": utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"}}


def _entity(kind: str, identifier: object, attrs: dict[str, Any], parents: Iterable[dict[str, str]] = ()) -> Any:
    return {"uid": _uid(kind, identifier), "attrs": attrs, "parents": list(parents)}


def _justified(justification: str | None) -> bool:
    return justification is not None and len(justification.strip()) >= BREAK_GLASS_MIN_CHARS


def _static_entities() -> list[Any]:
    categories = [_entity("Category", category.value, {}) for category in DataCategory]
    bases = [
        _entity(
            "LegalBasis",
            basis.id,
            {
                "onward": basis.onward,
                "discloser_kinds": sorted(basis.discloser_kinds),
                "recipient_kinds": sorted(basis.recipient_kinds),
                "categories": [_ref("Category", category.value) for category in sorted(basis.categories)],
                "purposes": sorted(basis.purposes),
            },
        )
        for basis in LEGAL_BASES
    ]
    return categories + bases


def _catalogue_json() -> str:
    return json.dumps(_static_entities(), sort_keys=True)


MAX_PRINCIPALS = 4096  # principals whose entities are kept built (every user of a country's agencies fits)


class PolicyEngine:
    """Parsed policy set, schema and static entities (categories, legal bases), with the hash of all three."""

    def __init__(self, policy_files: dict[str, str], schema_text: str) -> None:
        self.policy_files = policy_files
        self.schema_text = schema_text
        self.schema = cedarpy.Schema.from_str(schema_text)
        self.policies = cedarpy.PolicySet.from_str("\n".join(policy_files[name] for name in sorted(policy_files)))
        self.static_entities = cedarpy.Entities.from_json_str(_catalogue_json(), self.schema)
        digest = hashlib.sha256()
        for name in sorted(policy_files):
            digest.update(f"{name}\0{policy_files[name]}\0".encode())
        digest.update(f"{SCHEMA_FILE.name}\0{schema_text}\0{LEGAL_BASES_VERSION}\0{_catalogue_json()}".encode())
        self.policy_hash = "sha256:" + digest.hexdigest()
        self._principals: dict[Principal, Any] = {}  # the catalogue with one principal's entities, built once each

    @classmethod
    def load(cls, directory: Path = POLICY_DIR, person_actions: tuple[str, ...] = ()) -> PolicyEngine:
        """The policies and schema of `directory`; `person_actions` are declared as changes about a person."""
        files = {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.glob("*.cedar"))}
        schema = (directory / SCHEMA_FILE.name).read_text(encoding="utf-8")
        return cls(files, schema + person_actions_schema(person_actions))

    def decide_read(self, request: ReadRequest) -> AccessDecision:
        """Which of the requested categories the reader may see; the rest is redacted."""
        principal = request.principal
        context = {
            "relations": sorted(request.relations),
            "ties": sorted(request.ties),
            "break_glass": request.break_glass_justification is not None,
            "justified": _justified(request.break_glass_justification),
        }
        outcomes = self._authorize(principal, "read", [(category, context) for category in request.categories], [])
        permitted = tuple(outcome.category for outcome in outcomes if outcome.allowed)
        redacted = tuple(outcome.category for outcome in outcomes if not outcome.allowed)
        basis, break_glass = _basis_of(outcomes, None)
        return AccessDecision(
            decision=Decision.PERMIT if permitted else Decision.DENY,
            role=_role(principal),
            basis=basis,
            categories=permitted,
            reasons=_reasons(outcomes),
            redacted=redacted,
            policies=_policies(outcomes),
            policy_hash=self.policy_hash,
            break_glass=break_glass,
        )

    def decide_disclosure(self, request: DisclosureRequest) -> AccessDecision:
        """Permit only if every requested category of every subject is covered."""
        principal = request.principal
        early = self._unknown_reference(request)
        if early is not None:
            return self._denial(request, (early,), (early,))
        entities = [_entity("Agency", request.recipient.id, {"kind": request.recipient.kind.value})]
        base_context: dict[str, Any] = {
            "recipient": _ref("Agency", request.recipient.id),
            "purpose": request.purpose.value,
            "now": _datetime(request.now),
            "break_glass": request.break_glass_justification is not None,
            "justified": _justified(request.break_glass_justification),
        }
        if request.consent is not None:
            entities.append(_consent_entity(request.consent))
            base_context["consent"] = _ref("Consent", request.consent.id)
        if request.basis is not None:
            base_context["basis"] = _ref("LegalBasis", request.basis)
        checks = [
            (
                category,
                {
                    **base_context,
                    "subject": str(subject),
                    "onward": (subject, category) in request.received,
                    "ties": sorted(request.ties.get(subject, frozenset())),
                },
            )
            for subject in request.subjects
            for category in request.categories
        ]
        outcomes = self._authorize(principal, "disclose", checks, entities)
        if not all(outcome.allowed for outcome in outcomes):
            return self._denial(request, _reasons(outcomes), _policies(outcomes))
        basis, break_glass = _basis_of(outcomes, request.basis)
        consent = request.consent if basis == CONSENT_BASIS else None
        return AccessDecision(
            decision=Decision.PERMIT,
            role=_role(principal),
            basis=basis,
            categories=request.categories,
            reasons=_reasons(outcomes),
            policies=_policies(outcomes),
            policy_hash=self.policy_hash,
            consent_id=consent.id if consent else None,
            consent_version=consent.version if consent else None,
            break_glass=break_glass,
        )

    def decide_person(self, request: PersonRequest) -> AccessDecision:
        """May the caller make this change about the person? Decided with its agency's relationships to them."""
        context = {"ties": sorted(request.ties), "recorded_here": request.recorded_here, "reason": request.reason}
        action = str(request.action)
        [outcome] = self._authorize(
            request.principal,
            action,
            [(DataCategory.IDENTITY, context)],
            [],
            resource=f'Person::"{request.subject_id}"',
        )
        basis, _ = _basis_of([outcome], None)
        return AccessDecision(
            decision=Decision.PERMIT if outcome.allowed else Decision.DENY,
            role=_role(request.principal),
            basis=basis,
            categories=(DataCategory.IDENTITY,) if outcome.allowed else (),
            reasons=_reasons([outcome], action),
            policies=outcome.policies,
            policy_hash=self.policy_hash,
        )

    def decide_own(self, citizen: Citizen, subject_id: UUID, categories: tuple[DataCategory, ...]) -> AccessDecision:
        """May a signed-in citizen read these categories of this person's data? Only of their own record."""
        entities = [
            _entity("Person", citizen.subject_id, {}),
            _entity("Citizen", citizen.subject_id, {"subject": _ref("Person", citizen.subject_id)}),
        ]
        request = {
            "principal": f'Citizen::"{citizen.subject_id}"',
            "action": 'Action::"read-own"',
            "resource": f'Person::"{subject_id}"',
            "context": {},
        }
        all_entities = self.static_entities.with_added_json_str(json.dumps(entities), self.schema)
        [result] = cedarpy.is_authorized_batch([request], self.policies, all_entities, self.schema)
        outcome = _Outcome(
            category=DataCategory.IDENTITY,
            allowed=result.allowed and not result.diagnostics.errors,
            policies=tuple(sorted(result.diagnostics.id_annotations_by_reason.values())),
            errors=tuple(result.diagnostics.errors),
        )
        basis, _ = _basis_of([outcome], None)
        return AccessDecision(
            decision=Decision.PERMIT if outcome.allowed else Decision.DENY,
            role=CITIZEN_ROLE,
            basis=basis,
            categories=categories if outcome.allowed else (),
            reasons=_reasons([outcome], "read-own"),
            redacted=() if outcome.allowed else categories,
            policies=outcome.policies,
            policy_hash=self.policy_hash,
        )

    def decide_registry(self, request: RegistryRequest) -> AccessDecision:
        """May the caller make this change to the registry about this agency?"""
        context = {"grants": sorted(role.value for role in request.grants)}
        [outcome] = self._authorize(
            request.principal,
            request.action.value,
            [(DataCategory.IDENTITY, context)],
            []
            if request.agency.id == request.principal.agency_id
            else [_entity("Agency", request.agency.id, {"kind": request.agency.kind.value})],
            resource=f'Agency::"{request.agency.id}"',
        )
        basis, _ = _basis_of([outcome], None)
        admin = admin_role(request.principal.roles)
        return AccessDecision(
            decision=Decision.PERMIT if outcome.allowed else Decision.DENY,
            role=admin.value if admin else _role(request.principal),
            basis=basis,
            categories=(),
            reasons=_reasons([outcome], request.action.value),
            policies=outcome.policies,
            policy_hash=self.policy_hash,
        )

    @staticmethod
    def _unknown_reference(request: DisclosureRequest) -> str | None:
        if request.consent_id is not None and (request.consent is None or request.consent.id != request.consent_id):
            return "disclose.consent-unknown"
        if request.basis is not None and request.basis not in BASES_BY_ID:
            return "disclose.basis-unknown"
        return None

    def _denial(
        self, request: DisclosureRequest, reasons: tuple[str, ...], policies: tuple[str, ...]
    ) -> AccessDecision:
        return AccessDecision(
            decision=Decision.DENY,
            role=_role(request.principal),
            basis=None,
            categories=(),
            reasons=reasons,
            redacted=request.categories,
            policies=policies,
            policy_hash=self.policy_hash,
            consent_id=request.consent.id if request.consent else request.consent_id,
            consent_version=request.consent.version if request.consent else None,
            break_glass=request.break_glass_justification is not None,
        )

    def _authorize(
        self,
        principal: Principal,
        action: str,
        checks: list[tuple[DataCategory, dict[str, Any]]],
        entities: list[Any],
        resource: str | None = None,
    ) -> list[_Outcome]:
        if not checks:
            return []
        all_entities = self._entities_with(principal, entities)
        requests = [
            {
                "principal": f'User::"{principal.user_id}"',
                "action": f'Action::"{action}"',
                "resource": resource or f'Category::"{category.value}"',
                "context": context,
            }
            for category, context in checks
        ]
        results = cedarpy.is_authorized_batch(requests, self.policies, all_entities, self.schema)
        return [
            _Outcome(
                category=category,
                allowed=result.allowed and not result.diagnostics.errors,
                policies=tuple(sorted(result.diagnostics.id_annotations_by_reason.values())),
                errors=tuple(result.diagnostics.errors),
            )
            for (category, _), result in zip(checks, results, strict=True)
        ]

    def _entities_with(self, principal: Principal, entities: list[Any]) -> Any:
        """The catalogue with the principal's entities and `entities`; without any, built once per principal (a
        principal is immutable: its roles and agency kind are in it) and kept while fewer than MAX_PRINCIPALS."""
        if entities:
            return self.static_entities.with_added_json_str(
                json.dumps([*principal_entities(principal), *entities]), self.schema
            )
        built = self._principals.get(principal)
        if built is None:
            built = self.static_entities.with_added_json_str(json.dumps(principal_entities(principal)), self.schema)
            if len(self._principals) >= MAX_PRINCIPALS:
                self._principals.clear()
            self._principals[principal] = built
        return built


def principal_entities(principal: Principal) -> list[Any]:
    agency = _uid("Agency", principal.agency_id)
    return [
        _entity("Agency", principal.agency_id, {"kind": principal.agency_kind.value}),
        _entity(
            "User",
            principal.user_id,
            {
                "roles": sorted(role.value for role in principal.roles),
                "casework": casework_role(principal.roles) is not None,
                "agency": {"__entity": agency},
            },
            [agency],
        ),
    ]


def _consent_entity(consent: ConsentFacts) -> Any:
    attrs: dict[str, Any] = {
        "subject": str(consent.subject_id),
        "purposes": sorted(consent.purposes),
        "recipient_agencies": [_ref("Agency", agency_id) for agency_id in sorted(consent.recipient_agencies)],
        "recipient_kinds": sorted(consent.recipient_kinds),
        "categories": [_ref("Category", category.value) for category in sorted(consent.categories)],
        "valid_from": _datetime(consent.valid_from),
        "withdrawn": consent.withdrawn,
    }
    if consent.valid_until is not None:
        attrs["valid_until"] = _datetime(consent.valid_until)
    return _entity("Consent", consent.id, attrs)


def _role(principal: Principal) -> str:
    role = casework_role(principal.roles)
    return role.value if role is not None else acting_role(principal)


def _basis_of(outcomes: list[_Outcome], statutory_basis: str | None) -> tuple[str | None, bool]:
    """The basis that permitted the request; break-glass only when nothing else would have."""
    bases: list[str] = []
    for outcome in outcomes:
        if outcome.allowed:
            ordinary = [policy for policy in outcome.policies if policy != BREAK_GLASS]
            if not ordinary:
                return BREAK_GLASS, True
            bases.append(ordinary[0])
    if not bases:
        return None, False
    policy = bases[0]
    return (statutory_basis if policy == STATUTORY_POLICY else POLICY_BASIS.get(policy, policy)), False


def _reasons(outcomes: list[_Outcome], about: str | None = None) -> tuple[str, ...]:
    """One line per outcome, naming the category (or `about`, for a change about a person) and the policies."""
    reasons: list[str] = []
    for outcome in outcomes:
        subject = about or outcome.category
        if outcome.allowed:
            reason = f"{subject}: permitted by {', '.join(outcome.policies)}"
        elif outcome.errors:
            reason = f"{subject}: policy evaluation failed ({outcome.errors[0]})"
        elif outcome.policies:
            reason = f"{subject}: denied by {', '.join(outcome.policies)}"
        else:
            reason = f"{subject}: no policy permits it"
        if reason not in reasons:
            reasons.append(reason)
    return tuple(reasons)


def _policies(outcomes: list[_Outcome]) -> tuple[str, ...]:
    return tuple(sorted({policy for outcome in outcomes for policy in outcome.policies}))


def person_actions_schema(actions: tuple[str, ...]) -> str:
    """The schema's declaration of a capability's own actions about a person (shaped as `PersonChange`)."""
    if not actions:
        return ""
    names = ", ".join(json.dumps(action) for action in actions)
    return f"\naction {names} appliesTo {{ principal: [User], resource: [Person], context: PersonChange }};\n"


@cache
def default_engine(person_actions: tuple[str, ...] = ()) -> PolicyEngine:
    """The policy engine of this process (with these actions about a person), parsed on first use."""
    return PolicyEngine.load(person_actions=person_actions)
