"""`hub audit ...`: verify the log, export the checkpoint key, check proofs offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

import hub.cli as cli
from events.integrity.checkpoint import CheckpointError, Verifier
from events.integrity.proofs import ProofError, check_proof

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

PublicKeyOption = Annotated[
    str | None, typer.Option("--public-key", help="Verifier key (`name+id+key`) or a file holding it")
]


def read_verifier(value: str) -> Verifier:
    path = Path(value)
    text = path.read_text(encoding="utf-8") if path.is_file() else value
    try:
        return Verifier.from_vkey(text)
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


@audit_app.command("verify")
def verify(public_key: PublicKeyOption = None) -> None:
    """Recompute the tree from the stored records and check it against every signed checkpoint."""
    verifier = read_verifier(public_key) if public_key else None
    with cli.open_hub() as hub:
        hub.audit.log.catch_up()
        columns = (TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=errors, transient=True) as progress:
            task = progress.add_task("records", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            report = hub.audit.verify(verifier, advance)
    for problem in report.problems:
        console.print(
            f"[red]{problem.kind}[/red] at {problem.location}: {problem.detail}", highlight=False, soft_wrap=True
        )
    if not report.ok:
        raise typer.Exit(1)
    console.print(
        f"OK: {report.records} records, {report.checkpoints} checkpoints, verified through tree size "
        f"{report.verified_size}.",
        highlight=False,
    )


@audit_app.command("check-proof")
def check_proof_command(
    proof: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="Proof JSON from /v1/audit/proof/...")],
    public_key: Annotated[str, typer.Option("--public-key", help="Verifier key or a file holding it")],
    checkpoint: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="Checkpoint obtained independently")
    ] = None,
) -> None:
    """Verify a proof offline: needs only the proof, a checkpoint and the hub's public key (no store)."""
    verifier = read_verifier(public_key)
    try:
        document = json.loads(proof.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            raise ProofError("the proof must be a JSON object")
        note = checkpoint.read_text(encoding="utf-8") if checkpoint else None
        proven = check_proof(document, verifier, note)
    except (ProofError, json.JSONDecodeError) as error:
        errors.print(f"[red]proof rejected:[/red] {error}")
        raise typer.Exit(1) from None
    console.print(f"OK: {document['type']} proof verifies against tree size {proven.size}.", highlight=False)
