"""`hub witness ...`: run a witness for the hub's log (a supervising body's own key and state) and print its key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events.integrity.checkpoint import CheckpointError, Verifier
from events.integrity.cosignature import Cosigner
from hub.kernel.identity import load_or_create_signing_key

witness_app = typer.Typer(
    help="A witness that cosigns the hub's checkpoints (C2SP tlog-witness).", no_args_is_help=True
)

NameOption = Annotated[str, typer.Option(help="The witness's name, e.g. witness.dvi.gov.lv/w1")]
KeyFileOption = Annotated[Path, typer.Option("--key-file", help="The witness's Ed25519 key (created, mode 0600)")]


def _key(key_file: Path) -> Ed25519PrivateKey:
    return load_or_create_signing_key(key_file.parent, key_file.name)


@witness_app.command("public-key")
def public_key(name: NameOption, key_file: KeyFileOption) -> None:
    """Print the witness's cosigner key (`vkey`) for the hub's HUB_WITNESSES setting."""
    typer.echo(Cosigner(name, _key(key_file).public_key()).vkey())


@witness_app.command("serve")
def serve(
    name: NameOption,
    key_file: KeyFileOption,
    state: Annotated[Path, typer.Option(help="JSON file of the last checkpoint cosigned per log")],
    log: Annotated[list[str], typer.Option(help="A log's checkpoint verifier key (`hub audit public-key`)")],
    host: Annotated[str, typer.Option(help="Bind address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8100,
) -> None:
    """Serve add-checkpoint and the latest cosigned checkpoint of each log."""
    import uvicorn

    from hub.witness.server import create_witness_app
    from hub.witness.state import WitnessState

    try:
        logs = [Verifier.from_vkey(vkey) for vkey in log]
    except CheckpointError as error:
        raise typer.BadParameter(str(error), param_hint="--log") from error
    app = create_witness_app(name, _key(key_file), logs, WitnessState(state))
    uvicorn.run(app, host=host, port=port, log_level="warning")
