"""A capability uses another only through its services and drafts, for every capability `hub/capabilities.py`
finds: so a new one is held to it without a line in `pyproject.toml`'s import contracts (which name the existing
ones for import-linter)."""

from __future__ import annotations

import ast
from pathlib import Path

from hub import capabilities

HUB = Path(__file__).parent.parent / "hub"
# Besides `service`, `*_service` and `drafts`: the addresses of the sign-in pages, which the mails link to.
ALSO_OPEN = {"hub.identity.web_addresses"}


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports by name (`from package import module` counted as the module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def open_to_others(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last in ("service", "drafts") or last.endswith("_service") or module in ALSO_OPEN


def test_a_capability_imports_another_only_through_its_services_and_drafts() -> None:
    names = {capability.name for capability in capabilities.CAPABILITIES}
    crossings = set()
    for name in names:
        for path in (HUB / name).rglob("*.py"):
            for module in imported_modules(path):
                parts = module.split(".")
                other = len(parts) >= 3 and parts[0] == "hub" and parts[1] in names - {name}
                if other and (HUB / parts[1] / f"{parts[2]}.py").exists() and not open_to_others(".".join(parts[:3])):
                    crossings.add((str(path.relative_to(HUB)), module))
    assert sorted(crossings) == []
