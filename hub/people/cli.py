"""`hub subjects erase`, `hub retention run`, `hub keys rotate`, `hub keys migrate-indexes`: personal data and its
keys from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console

import hub.cli_support as cli
from events.subjects import ErasureReason
from hub.cli_support import UserOption, show
from hub.kernel.subject_keys import rotate_master_key
from hub.people.index_migration import migrate_blind_indexes

subjects_app = typer.Typer(help="Subject records: erasure.", no_args_is_help=True)
retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
console = Console()


@subjects_app.command("erase")
def subjects_erase(
    user: UserOption,
    subject: Annotated[UUID, typer.Option(help="subject_id of the person")],
    reason: Annotated[ErasureReason, typer.Option()],
) -> None:
    """Erase a person by destroying their data key (the log is untouched and still verifies)."""
    with cli.open_hub() as hub:
        show(hub.erasure.erase(hub.principal_for(user), subject, reason, "erasure (cli)"))


@retention_app.command("run")
def retention_run(
    apply: Annotated[bool, typer.Option(help="Erase; without it, only list what would be erased")] = False,
    now: Annotated[datetime | None, typer.Option(help="As of this time (ISO 8601 with offset)")] = None,
) -> None:
    """Apply the retention policy (`policies/retention.py`); a dry run by default."""
    with cli.open_hub() as hub:
        due = hub.erasure.apply_retention(now) if apply else hub.erasure.retention_due(now)
    for item in due:
        console.print(
            f"{'erased' if apply else 'would erase'}: subject {item.subject_id} "
            f"(last referral closed {item.last_closed:%Y-%m-%d}, retention ended {item.retention_ended:%Y-%m-%d})"
        )
    console.print(f"{len(due)} subject(s) {'erased' if apply else 'due (dry run: nothing erased)'}.")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """New master key; every person's data key is rewrapped under it, unused old master keys deleted."""
    with cli.open_hub() as hub:
        new_id, moved, retired = rotate_master_key(hub.master_keys, hub.subject_keys)
    console.print(f"master key {new_id}: {moved} data key(s) rewrapped, retired {', '.join(retired) or 'none'}.")


@keys_app.command("migrate-indexes")
def keys_migrate_indexes() -> None:
    """Once, with the hub stopped: a new blind-index key, every living person indexed again under it, the old key
    file destroyed, so that indexes and code-derived ids older events keep confirm nothing."""
    with cli.open_hub() as hub:
        result = migrate_blind_indexes(hub)
    console.print(f"{result.reindexed} person(s) indexed again under a new blind-index key ({result.codes} code(s)).")
    console.print("The old blind-index key is destroyed. Supervision pseudonyms change with it.")
