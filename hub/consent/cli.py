"""`hub consent ...`, `hub policy explain` and `hub policy ropa`: consents, decisions and the record of processing."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from events.values import AgencyKind, DataCategory, Purpose, Relationship
from hub.consent.disclosure_service import DisclosureDraft
from hub.consent.domain import ConsentDraft, GrantorDraft, WithdrawalDraft
from hub.kernel.errors import InvalidInput, NotFound
from policies.access import RECIPIENT_CATEGORIES, decide_inbox_read, decide_referral_read
from policies.decision import AccessDecision
from policies.engine import PolicyEngine
from policies.ropa import record_of_processing

consent_app = typer.Typer(help="Consents (piekrišanas) of data subjects.", no_args_is_help=True)
policy_app = typer.Typer(help="The policy engine: explain a decision, the record of processing.", no_args_is_help=True)
console = Console()
UserOption = Annotated[str, typer.Option(help="Act as this user (recorded as the actor)")]


@consent_app.command("grant")
def consent_grant(
    user: UserOption,
    subject: Annotated[UUID, typer.Option(help="subject_id of the person")],
    grantor: Annotated[str, typer.Option(help="Name of who gave the consent")],
    purpose: Annotated[list[Purpose], typer.Option(help="Purpose (repeatable)")],
    category: Annotated[list[DataCategory], typer.Option(help="Data category (repeatable)")],
    evidence: Annotated[str, typer.Option(help="Document reference of the signed consent")],
    relationship: Annotated[Relationship | None, typer.Option(help="Grantor's relationship (omit: the person)")] = None,
    to_agency: Annotated[list[str] | None, typer.Option("--to-agency", help="Recipient agency code")] = None,
    to_kind: Annotated[list[AgencyKind] | None, typer.Option("--to-kind", help="Recipient agency kind")] = None,
    until: Annotated[datetime | None, typer.Option(help="End of validity (UTC)")] = None,
) -> None:
    """Record a consent."""
    with cli.open_hub() as hub:
        draft = ConsentDraft(
            subject_id=subject,
            granted_by=GrantorDraft(name=grantor, relationship=relationship),
            recipient_agencies=to_agency or [],
            recipient_kinds=to_kind or [],
            purposes=purpose,
            categories=category,
            valid_until=until.astimezone() if until else None,
            evidence=evidence,
        )
        consent = hub.consents.grant(hub.principal_for(user), draft)
    console.print(f"Consent {consent['id']} recorded ({consent['status']}).")


@consent_app.command("list")
def consent_list(user: UserOption, subject: Annotated[UUID, typer.Option(help="subject_id")]) -> None:
    """List a subject's consents (the read is recorded)."""
    with cli.open_hub() as hub:
        consents = hub.consents.list_for_subject(hub.principal_for(user), subject, "consent-check (cli)")
    console.print_json(json.dumps(consents, default=str))


@consent_app.command("withdraw")
def consent_withdraw(
    user: UserOption,
    consent_id: Annotated[UUID, typer.Option("--id", help="Consent id")],
    reason: Annotated[str, typer.Option(help="Why it is withdrawn")],
) -> None:
    """Withdraw a consent: later disclosures relying on it are denied at once."""
    with cli.open_hub() as hub:
        hub.consents.withdraw(hub.principal_for(user), consent_id, WithdrawalDraft(reason=reason))
    console.print(f"Consent {consent_id} withdrawn.")


@consent_app.command("expire")
def consent_expire() -> None:
    """Record the expiry of every consent whose period has ended."""
    with cli.open_hub() as hub:
        expired = hub.consents.expire_due()
    console.print(f"{expired} consents expired.")


@policy_app.command("explain")
def policy_explain(
    user: UserOption,
    action: Annotated[str, typer.Option(help="inbox.read | referral.read | disclose")],
    resource: Annotated[str, typer.Option(help="inbox | referral:<id> | subject:<id>[,<id>...]")],
    to: Annotated[str | None, typer.Option(help="disclose: recipient agency code")] = None,
    category: Annotated[list[DataCategory] | None, typer.Option(help="disclose: data category")] = None,
    purpose: Annotated[Purpose, typer.Option(help="disclose: purpose")] = Purpose.CHILD_PROTECTION,
    consent: Annotated[UUID | None, typer.Option(help="disclose: consent id relied on")] = None,
    basis: Annotated[str | None, typer.Option(help="disclose: statutory basis id relied on")] = None,
    break_glass: Annotated[str | None, typer.Option(help="Break-glass justification")] = None,
) -> None:
    """Print the decision and why (policies, basis, consent), without reading or disclosing anything."""
    with cli.open_hub() as hub:
        principal = hub.principal_for(user)
        kind, _, target = resource.partition(":")
        if action == "inbox.read" and kind == "inbox":
            decision = decide_inbox_read(principal)
        elif action == "referral.read" and kind == "referral":
            referral = hub.referrals.resource_of(UUID(target))
            if referral is None:
                raise NotFound("referral_not_found", "no such referral")
            decision = decide_referral_read(principal, referral, break_glass)
        elif action == "disclose" and kind == "subject":
            draft = DisclosureDraft(
                recipient=to or "",
                subjects=[UUID(subject) for subject in target.split(",")],
                categories=category or list(RECIPIENT_CATEGORIES),
                purpose=purpose,
                consent_id=consent,
                basis=basis,
                break_glass_justification=break_glass,
            )
            decision = hub.policy_engine.decide_disclosure(hub.disclosures.request_for(principal, draft))
        else:
            raise InvalidInput(
                "unknown_action", "use inbox.read/inbox, referral.read/referral:ID or disclose/subject:ID"
            )
    print_decision(decision)


@policy_app.command("ropa")
def policy_ropa(
    output: Annotated[str, typer.Option("--format", help="json or text")] = "text",
    language: Annotated[str, typer.Option("--language", help="lv or en")] = "lv",
) -> None:
    """Print the record of processing activities (GDPR Art. 30) generated from `policies/`, with its hashes."""
    record = record_of_processing(PolicyEngine.load())
    if output == "json":
        typer.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    if output != "text" or language not in ("lv", "en"):
        raise typer.BadParameter("--format is json or text, --language lv or en")
    typer.echo(f"{record['controller'][language]}\npolicy {record['policy_hash']}\nrecord {record['record_hash']}")
    for activity in record["activities"]:
        recipients = ", ".join(activity["recipients_by_agency_kind"]) or "-"
        typer.echo(
            f"\n{activity['basis']}: {activity['title'][language]} ({activity['citation']})\n"
            f"  purposes: {', '.join(activity['purposes']) or '-'}\n"
            f"  data: {', '.join(activity['data_categories'])}\n  recipients: {recipients}"
        )
    years = record["retention"]["years_after_last_closure"]
    typer.echo("\nretention: " + ", ".join(f"{kind} {count} years" for kind, count in years.items()))
    for measure in record["security_measures"]:
        typer.echo(f"- {measure[language]}")


def print_decision(decision: AccessDecision) -> None:
    colour = "green" if decision.permitted else "red"
    console.print(f"decision: [{colour}]{decision.decision.value}[/{colour}] (as {decision.role})")
    console.print(f"basis: {decision.basis or '-'}")
    if decision.consent_id:
        console.print(f"consent: {decision.consent_id} version {decision.consent_version}")
    console.print(f"break-glass: {'yes' if decision.break_glass else 'no'}")
    console.print(f"categories: {', '.join(decision.categories) or '-'}")
    console.print(f"redacted: {', '.join(decision.redacted) or '-'}")
    console.print(f"policies: {', '.join(decision.policies) or '- (no policy matched: denied by default)'}")
    for reason in decision.reasons:
        console.print(f"  - {reason}")
    console.print(f"policy set: {decision.policy_hash}")
