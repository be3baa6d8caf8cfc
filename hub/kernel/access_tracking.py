"""Which access events the current request recorded, so that a refusal nobody recorded can still be audited.

The API opens a tracker per request; `Core.record_access` notes each event in it. A request refused with 403/404
that recorded nothing then gets a generic denial record, so every denial is in the log.
"""

from __future__ import annotations

from contextvars import ContextVar
from uuid import UUID

_recorded: ContextVar[list[UUID] | None] = ContextVar("recorded_accesses", default=None)


def start_tracking() -> None:
    """Begin a request: later `note` calls, in this context and threads started from it, land in a fresh list."""
    _recorded.set([])


def note(event_id: UUID) -> None:
    tracker = _recorded.get()
    if tracker is not None:
        tracker.append(event_id)


def anything_recorded() -> bool:
    return bool(_recorded.get())
