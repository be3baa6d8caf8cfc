"""The hub's capabilities, found and ordered: every `hub/<name>/manifest.py` declares one `Capability`, and each is
installed after those it names in `after` (it may use their services); ties go by name, so the order is the same
on every run. An unknown name in `after`, a cycle or two capabilities of one name fail at import, loudly."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path

import hub
from hub.capability import Capability


def manifests() -> list[Capability]:
    """The capability each folder of `hub` with a `manifest.py` declares there (the folder needs no `__init__.py`:
    without one it is a namespace package)."""
    found: list[Capability] = []
    for path in sorted(Path(hub.__file__).parent.glob("*/manifest.py")):
        module = importlib.import_module(f"hub.{path.parent.name}.manifest")
        declared = [value for value in vars(module).values() if isinstance(value, Capability)]
        if len(declared) != 1:
            raise RuntimeError(f"{module.__name__} declares {len(declared)} capabilities, not one")
        found.extend(declared)
    return found


def ordered(capabilities: Iterable[Capability]) -> tuple[Capability, ...]:
    """Each capability after those it names in `after`, the ready ones by name."""
    by_name: dict[str, Capability] = {}
    for capability in capabilities:
        if capability.name in by_name:
            raise RuntimeError(f"two capabilities are named {capability.name!r}")
        by_name[capability.name] = capability
    for capability in by_name.values():
        unknown = sorted(set(capability.after) - set(by_name))
        if unknown:
            raise RuntimeError(f"capability {capability.name!r} comes after unknown {', '.join(unknown)}")
    placed: list[Capability] = []
    waiting = dict(by_name)
    while waiting:
        done = {capability.name for capability in placed}
        ready = sorted(name for name, capability in waiting.items() if set(capability.after) <= done)
        if not ready:
            raise RuntimeError(f"capabilities wait on each other: {', '.join(sorted(waiting))}")
        placed.append(waiting.pop(ready[0]))
    return tuple(placed)


CAPABILITIES: tuple[Capability, ...] = ordered(manifests())
