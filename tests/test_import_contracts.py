"""The five packages import only downward, as ARCHITECTURE.md's table says (import-linter, `[tool.importlinter]`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_import_contracts_hold() -> None:
    checker = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(checker), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
