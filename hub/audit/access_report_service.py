"""A person's own access report ("who has looked at my child's data"), and the police investigations it respects.

Built from the log's access and disclosure events (permitted ones: those are the accesses that happened), with
the withholding rules of `policies/access_report.py`; produced by a case worker to hand over, and recorded. Each
line carries the inclusion proof of its record to the latest checkpoint (with the witnesses' cosignatures), which
`hub audit check-proof` verifies offline with the published keys alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from eventsourcing.utils import get_topic
from pydantic import Field, StringConstraints

from events.base import DomainEvent
from events.ids import new_stream_id
from events.investigations import InvestigationClosed, InvestigationOpened
from events.referrals import ReferralSubmitted
from events.values import DataCategory, Decision, Role
from hub.audit.replay import ReplayFilter, replay
from hub.audit.service import AuditService
from hub.kernel.core import Core, actor_for
from hub.kernel.drafts import DraftModel
from hub.kernel.errors import Conflict, Forbidden, NotFound
from hub.people.relationship_service import RelationshipService
from hub.team.service import TeamService
from policies.access_report import POLICY_VERSION, ReportEntry, WithholdingFacts, withhold
from policies.decision import AccessDecision, Citizen, Principal
from policies.engine import ReadRequest, Relation

# What each recorded action means to the person reading the report: (English, Latvian).
ACTION_TEXT: dict[str, tuple[str, str]] = {
    "referral.read": ("viewed a report of concern", "skatīja ziņojumu par apdraudējumu"),
    "inbox.read": ("saw the report in its incoming list", "redzēja ziņojumu ienākošo sarakstā"),
    "consents.read": ("checked the consents given", "pārbaudīja dotās piekrišanas"),
    "disclosure": ("received data from another agency", "saņēma datus no citas iestādes"),
    "audit.replay": ("audited the access log", "pārbaudīja piekļuves žurnālu"),
    "audit.access-report": ("prepared this access report", "sagatavoja šo piekļuves pārskatu"),
    "citizen.access-report": ("the person viewed their own access report", "persona skatīja savu piekļuves pārskatu"),
    "citizen.export": ("the person downloaded their own data", "persona lejupielādēja savus datus"),
}
OWN_REPORT_ACTION = "citizen.access-report"
OWN_PURPOSE = "subject access request"
WITHHELD = {
    "en": "an agency that reported a concern (withheld)",
    "lv": "iestāde, kas ziņoja par apdraudējumu (neizpausta)",
}
TITLE = {"en": "Who has accessed this person's data", "lv": "Kas ir piekļuvis šīs personas datiem"}


class InvestigationDraft(DraftModel):
    subjects: Annotated[list[UUID], Field(min_length=1, max_length=20)]
    reference: Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=100)]


class AccessReportService:
    def __init__(self, core: Core, relationships: RelationshipService, team: TeamService, audit: AuditService) -> None:
        self.core = core
        self.relationships = relationships
        self.team = team
        self.audit = audit

    # -- investigations ------------------------------------------------------------------------------------------

    def open_investigation(self, principal: Principal, draft: InvestigationDraft) -> dict[str, Any]:
        self._require_police(principal)
        event = InvestigationOpened(
            originator_id=new_stream_id(),
            originator_version=1,
            actor=actor_for(principal, Role.POLICE_OFFICER.value),
            police_agency_id=principal.agency_id,
            subjects=tuple(dict.fromkeys(draft.subjects)),
            reference=draft.reference,
        )
        self.core.app.append(event)
        return {"id": str(event.originator_id), "status": "open", "subjects": [str(s) for s in event.subjects]}

    def close_investigation(self, principal: Principal, investigation_id: UUID) -> dict[str, Any]:
        self._require_police(principal)
        events = list(self.core.app.events.get(investigation_id))
        if not events or not isinstance(events[0], InvestigationOpened):
            raise NotFound("investigation_not_found", "no investigation with this id")
        opened = events[0]
        if opened.police_agency_id != principal.agency_id:
            raise Forbidden("not_the_investigating_agency", "only the investigating agency may close it")
        if len(events) > 1:
            raise Conflict("investigation_closed", "the investigation is already closed")
        closed = InvestigationClosed(
            originator_id=investigation_id,
            originator_version=2,
            actor=actor_for(principal, Role.POLICE_OFFICER.value),
            police_agency_id=opened.police_agency_id,
            subjects=opened.subjects,
        )
        self.core.app.append(closed)
        return {"id": str(investigation_id), "status": "closed", "subjects": [str(s) for s in opened.subjects]}

    @staticmethod
    def _require_police(principal: Principal) -> None:
        if Role.POLICE_OFFICER not in principal.roles:
            raise Forbidden("role_may_not_investigate", "only police officers record investigations")

    # -- the report ----------------------------------------------------------------------------------------------

    def report(
        self,
        principal: Principal,
        subject_id: UUID,
        purpose: str,
        for_alleged_source_of_risk: bool = False,
        as_of: datetime | None = None,
    ) -> dict[str, Any]:
        """Every permitted access to and disclosure of the subject's data, withholding rules applied.

        Produced by a social service related to the person now (their case, a referral about them, ...).
        """
        self.core.wait_for_views()
        ties = self.relationships.ties(principal.agency_id, subject_id)
        relations = frozenset({Relation.ACCESS_REPORT}) if ties else frozenset()
        decision = self.core.policy_engine.decide_read(
            ReadRequest(principal, relations, (DataCategory.ACCESS_LOG,), ties=ties)
        )
        return self._recorded(
            principal, decision, "audit.access-report", purpose, subject_id, for_alleged_source_of_risk, as_of
        )

    def own_report(self, citizen: Citizen, subject_id: UUID) -> dict[str, Any]:
        """A signed-in person's own report (only of their own record): the reporter is never named to them, since
        the hub cannot tell whether they are the alleged source of risk."""
        self.core.wait_for_views()
        decision = self.core.policy_engine.decide_own(citizen, subject_id, (DataCategory.ACCESS_LOG,))
        return self._recorded(citizen, decision, OWN_REPORT_ACTION, OWN_PURPOSE, subject_id, True, None)

    def _recorded(
        self,
        reader: Principal | Citizen,
        decision: AccessDecision,
        action: str,
        purpose: str,
        subject_id: UUID,
        for_alleged_source_of_risk: bool,
        as_of: datetime | None,
    ) -> dict[str, Any]:
        resource = f"access-report:{subject_id}"
        if not decision.permitted:
            self.core.record_access(reader, decision, action, resource, purpose, (subject_id,))
            raise Forbidden("access_denied", "; ".join(decision.reasons))
        moment = as_of or self.core.now()
        facts = self.withholding_facts(subject_id, moment, for_alleged_source_of_risk)
        where = ReplayFilter(subject=subject_id, decision=Decision.PERMIT, as_of=moment)
        rows = list(replay(self.core.app.recorder, self.core.app.mapper, where))
        entries = [(row["notification_id"], withhold(_report_entry(row), facts)) for row in rows]
        proofs = self.audit.inclusion_proofs([notification_id for notification_id, entry in entries if entry])
        self.core.record_access(reader, decision, action, resource, purpose, (subject_id,))
        return {
            "subject_id": str(subject_id),
            "as_of": moment,
            "title": TITLE,
            "withholding_rules": POLICY_VERSION,
            "for_alleged_source_of_risk": for_alleged_source_of_risk,
            "responsible_worker": worker["display_name"]
            if (worker := self.team.responsible_worker(subject_id))
            else None,
            "entries": [
                {**self._present(entry), "proof": proofs.get(notification_id)}
                for notification_id, entry in entries
                if entry is not None
            ],
        }

    def withholding_facts(
        self, subject_id: UUID, moment: datetime, for_alleged_source_of_risk: bool
    ) -> WithholdingFacts:
        """What the withholding rules need about the subject at `moment`: open investigations, reporters."""
        topics = [get_topic(cls) for cls in (InvestigationOpened, InvestigationClosed, ReferralSubmitted)]
        recorder, mapper = self.core.app.recorder, self.core.app.mapper
        open_investigations: dict[UUID, UUID] = {}
        reporters: set[UUID] = set()
        last = 0
        while batch := recorder.select_notifications(last, 2000, topics=topics, inclusive_of_start=False):
            for notification in batch:
                event = mapper.to_domain_event(notification)
                if not isinstance(event, DomainEvent) or event.timestamp > moment:
                    continue
                if isinstance(event, InvestigationOpened) and subject_id in event.subjects:
                    open_investigations[event.originator_id] = event.police_agency_id
                elif isinstance(event, InvestigationClosed):
                    open_investigations.pop(event.originator_id, None)
                elif isinstance(event, ReferralSubmitted):
                    named = {event.child.subject_id, *(member.subject_id for member in event.family)}
                    if subject_id in named:
                        reporters.add(event.referrer_agency_id)
            last = batch[-1].id
        return WithholdingFacts(
            frozenset(open_investigations.values()), frozenset(reporters), for_alleged_source_of_risk
        )

    def agency(self, agency_id: UUID | None, withheld: bool = False) -> dict[str, Any] | None:
        """An agency as a report names it: its code, name and kind, or that it is withheld."""
        if withheld:
            return {"withheld": True, "name": WITHHELD}
        if agency_id is None:
            return None
        row = self.core.registry_queries.agency(agency_id)
        return {"code": row["code"], "name": row["name"], "kind": row["kind"]} if row else {"id": str(agency_id)}

    def _present(self, entry: ReportEntry) -> dict[str, Any]:
        english, latvian = ACTION_TEXT.get(entry.action, (entry.action, entry.action))
        return {
            "time": entry.time,
            "kind": entry.kind,
            "agency": self.agency(entry.agency_id, entry.agency_withheld),
            "recipient": self.agency(entry.recipient_agency_id, entry.recipient_withheld),
            "what": {"en": english, "lv": latvian},
            "categories": list(entry.categories),
            "purpose": entry.purpose,
            "basis": entry.basis,
            "break_glass": entry.break_glass,
        }


def _report_entry(row: dict[str, Any]) -> ReportEntry:
    return ReportEntry(
        time=row["time"],
        kind=row["kind"],
        action=row["action"],
        agency_id=row["agency_id"],
        recipient_agency_id=row["recipient_agency_id"],
        categories=tuple(row["categories"]),
        purpose=row["purpose"],
        basis=row["basis"],
        break_glass=row["break_glass"],
    )
