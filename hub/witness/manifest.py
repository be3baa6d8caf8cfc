"""The witness: a command group only (`hub witness serve`); it runs apart from the hub, with its own key and state."""

from __future__ import annotations

from hub.capability import Capability

WITNESS = Capability("witness", commands=(("witness", "hub.witness.cli:witness_app"),))
