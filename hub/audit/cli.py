"""`hub audit ...`: verify the log, export the checkpoint key, check proofs offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, cast
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

import hub.cli_support as cli
from events.integrity.checkpoint import CheckpointError, Verifier
from events.integrity.cosignature import Cosigner
from events.integrity.proofs import ProofError, check_proof
from events.values import Decision
from hub.audit.replay import COLUMNS, ReplayFilter, to_csv

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

UserOption = Annotated[str, typer.Option(help="Act as this user (recorded as the actor)")]
Format = Annotated[str, typer.Option("--format", help="table, json or csv")]
TABLE_COLUMNS = ("notification_id", "time", "user", "action", "subjects", "decision", "basis", "break_glass")
PublicKeyOption = Annotated[
    str | None, typer.Option("--public-key", help="Verifier key (`name+id+key`) or a file holding it")
]
QuorumOption = Annotated[
    int, typer.Option("--witnesses", min=0, help="Require this many valid witness cosignatures (k of n)")
]
WitnessKeysOption = Annotated[
    list[str] | None,
    typer.Option("--witness-key", help="A witness's cosigner key or a file holding it (default: HUB_WITNESSES)"),
]


def read_verifier(value: str, kind: type[Verifier] = Verifier) -> Verifier:
    """A checkpoint verifier key (or, with `kind=Cosigner`, a witness's key), given inline or in a file."""
    path = Path(value)
    text = path.read_text(encoding="utf-8") if path.is_file() else value
    try:
        return kind.from_vkey(text)
    except CheckpointError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


@audit_app.command("public-key")
def public_key() -> None:
    """Print the checkpoint verifier key (C2SP vkey), to keep outside the hub."""
    with cli.open_hub() as hub:
        console.print(hub.audit.verifier.vkey(), highlight=False, soft_wrap=True)


@audit_app.command("seal")
def seal() -> None:
    """Give every stored record its leaf and sign a checkpoint now."""
    with cli.open_hub() as hub:
        row = hub.audit.seal() or hub.audit.log.latest_checkpoint()
    console.print(f"Tree size {row['tree_size'] if row else 0}.")


@audit_app.command("checkpoint")
def checkpoint() -> None:
    """Print the latest signed checkpoint."""
    with cli.open_hub() as hub:
        document = hub.audit.latest_checkpoint()
    typer.echo(document["checkpoint"], nl=False)


def read_cosigners(values: list[str] | None) -> list[Cosigner]:
    return [cast(Cosigner, read_verifier(value, Cosigner)) for value in values or ()]


@audit_app.command("verify")
def verify(
    public_key: PublicKeyOption = None, witnesses: QuorumOption = 0, witness_key: WitnessKeysOption = None
) -> None:
    """Recompute the tree from the stored records and check it against every signed checkpoint.

    With `--witnesses k`, the latest checkpoint must carry k valid witness cosignatures and each witness's own
    latest checkpoint must match this log (a different root at the same size is a forked history)."""
    verifier = read_verifier(public_key) if public_key else None
    cosigners = read_cosigners(witness_key)
    with cli.open_hub() as hub:
        hub.audit.log.catch_up()
        columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=errors, transient=True) as progress:
            task = progress.add_task("records", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = hub.audit.verify(verifier, advance, witnesses, cosigners)
    for problem in report.problems:
        console.print(
            f"[red]{problem.kind}[/red] at {problem.location}: {problem.detail}", highlight=False, soft_wrap=True
        )
    if not report.ok:
        raise typer.Exit(1)
    console.print(
        f"OK: {report.records} records, {report.checkpoints} checkpoints, verified through tree size "
        f"{report.verified_size}; {report.records - report.verified_size} newer records await a checkpoint.",
        highlight=False,
    )


@audit_app.command("check-proof")
def check_proof_command(
    proof: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Proof JSON from /v1/audit/proof/...")],
    public_key: Annotated[str, typer.Option("--public-key", help="Verifier key or a file holding it")],
    checkpoint: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Checkpoint obtained independently")
    ] = None,
    witnesses: QuorumOption = 0,
    witness_key: WitnessKeysOption = None,
) -> None:
    """Verify a proof offline: needs only the proof, a checkpoint and the hub's public key (no store).

    With `--witnesses k` and the witnesses' keys (`--witness-key`), the checkpoint must carry k valid cosignatures."""
    verifier = read_verifier(public_key)
    cosigners = read_cosigners(witness_key)
    if witnesses > len(cosigners):
        errors.print("[red]--witnesses needs at least that many --witness-key[/red]")
        raise typer.Exit(2)
    try:
        document = json.loads(proof.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ProofError("the proof must be a JSON object")
        note = checkpoint.read_text(encoding="utf-8") if checkpoint else None
        proven = check_proof(document, verifier, note, cosigners, witnesses)
    except (ProofError, json.JSONDecodeError) as error:
        errors.print(f"[red]proof rejected:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"OK: {document['type']} proof verifies against tree size {proven.size}.", highlight=False)


def _aware(value: datetime | None) -> datetime | None:
    """Times without an offset are read as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _print(rows: list[dict[str, Any]], columns: tuple[str, ...], output: str) -> None:
    if output == "json":
        typer.echo(json.dumps(rows, default=str, ensure_ascii=False, indent=2))
    elif output == "csv":
        typer.echo(to_csv(rows), nl=False)
    else:
        table = Table()
        for column in columns:
            table.add_column(column)
        for row in rows:
            cells = (row[column] for column in columns)
            table.add_row(*(", ".join(map(str, cell)) if isinstance(cell, list) else str(cell) for cell in cells))
        console.print(table)


@audit_app.command("replay")
def replay_command(
    user: UserOption,
    subject: Annotated[UUID | None, typer.Option(help="Only entries about this subject")] = None,
    by: Annotated[str | None, typer.Option(help="Only entries by this user")] = None,
    agency: Annotated[str | None, typer.Option(help="Only entries by or to this agency (code)")] = None,
    since: Annotated[datetime | None, typer.Option(help="From this time (UTC unless an offset is given)")] = None,
    until: Annotated[datetime | None, typer.Option(help="Up to this time")] = None,
    decision: Annotated[Decision | None, typer.Option(help="permit or deny")] = None,
    break_glass_only: Annotated[bool, typer.Option("--break-glass-only", help="Only break-glass entries")] = False,
    as_of: Annotated[datetime | None, typer.Option("--as-of", help="Replay the log as it stood then")] = None,
    output: Format = "table",
) -> None:
    """Rebuild the access and disclosure timeline from the log (auditors; the replay is recorded)."""
    if output not in ("table", "json", "csv"):
        raise typer.BadParameter("table, json or csv", param_hint="--format")
    with cli.open_hub() as hub:
        agency_id = UUID(hub.known_agency(agency, "agency")["id"]) if agency is not None else None
        where = ReplayFilter(
            subject,
            by,
            agency_id,
            _aware(since),
            _aware(until),
            decision,
            break_glass_only,
            _aware(as_of),
        )
        result = hub.audit.replay(hub.principal_for(user), where, "audit (cli)")
    _print(result["entries"], COLUMNS if output != "table" else TABLE_COLUMNS, output)


@audit_app.command("report")
def report_command(
    user: UserOption,
    subject: Annotated[UUID, typer.Option(help="The person the report is for")],
    for_alleged_source_of_risk: Annotated[
        bool, typer.Option("--for-alleged-source-of-risk", help="The recipient is the alleged source of risk")
    ] = False,
    as_of: Annotated[datetime | None, typer.Option("--as-of", help="The report as it stood then")] = None,
    output: Format = "table",
) -> None:
    """A person's own access report, to hand over (withholding rules applied; recorded)."""
    with cli.open_hub() as hub:
        report = hub.access_reports.report(
            hub.principal_for(user),
            subject,
            "subject access request (cli)",
            for_alleged_source_of_risk,
            _aware(as_of),
        )
    if output == "json":
        typer.echo(json.dumps(report, default=str, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{report['title']['lv']} / {report['title']['en']}")
    for column in ("laiks / time", "iestāde / agency", "ko / what", "kategorijas / categories", "pamats / basis"):
        table.add_column(column)
    for entry in report["entries"]:
        agency = entry["agency"] or {}
        name = agency["name"]["lv"] if agency.get("withheld") else agency.get("name", "")
        recipient = entry["recipient"]
        if recipient:
            name += " → " + (recipient["name"]["lv"] if recipient.get("withheld") else recipient["name"])
        table.add_row(
            str(entry["time"]),
            name,
            f"{entry['what']['lv']} / {entry['what']['en']}",
            ", ".join(entry["categories"]),
            entry["basis"] or "",
        )
    console.print(table)
