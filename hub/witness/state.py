"""A witness's own state: the last checkpoint it cosigned per log origin, in one JSON file, replaced atomically.

Checking a request against the state and persisting the new head happen under one lock (a thread lock and an
exclusive `flock` on a sibling lock file), so two concurrent submissions can never roll the recorded size back.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from events.integrity.witness import LogHead


class WitnessState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock, open(self.path.with_suffix(".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def heads(self) -> dict[str, LogHead]:
        if not self.path.exists():
            return {}
        stored = json.loads(self.path.read_text(encoding="utf-8"))
        return {
            origin: LogHead(origin, int(head["size"]), bytes.fromhex(head["root"]), head["note"], head["cosignature"])
            for origin, head in stored.items()
        }

    def _write(self, heads: Mapping[str, LogHead]) -> None:
        document = {
            origin: {"size": h.size, "root": h.root.hex(), "note": h.note, "cosignature": h.cosignature}
            for origin, h in heads.items()
        }
        temporary = self.path.with_suffix(".tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def advance(self, step: Callable[[Mapping[str, LogHead]], LogHead]) -> LogHead:
        """Run `step` on the current heads and persist the head it returns, atomically (it may raise)."""
        with self._locked():
            heads = self.heads()
            head = step(heads)
            self._write({**heads, head.origin: head})
            return head
