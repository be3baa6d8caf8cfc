"""Witness stream: a witness refused one of the hub's checkpoints, which may mean a forked (split-view) log."""

from __future__ import annotations

from events.base import DomainEvent


class WitnessAlarmRaised(DomainEvent):
    """A configured witness refused a checkpoint as inconsistent or badly signed (HTTP status and its reason)."""

    witness: str
    tree_size: int
    root_hash: str
    status: int
    reason: str
