"""The five packages import only downward, as ARCHITECTURE.md's table says (import-linter, `[tool.importlinter]`),
and each way in (the `hub` command, the hub, the web app) imports on its own in a fresh interpreter (no cycles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_the_import_contracts_hold() -> None:
    checker = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(checker), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("module", ["adapters.cli", "hub.service", "hub.api.app", "hub.web.app", "hub.capabilities"])
def test_each_way_in_imports_first_in_a_fresh_interpreter(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
