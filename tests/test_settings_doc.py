"""The README's settings table is the one generated from `Settings`, and every `HUB_` name used anywhere is a
setting (so a setting cannot be added, renamed or dropped without the table following)."""

from __future__ import annotations

import re
from pathlib import Path

from hub.kernel import settings_doc
from hub.kernel.config import Settings

ROOT = Path(__file__).resolve().parents[1]
NAMED_IN = ("README.md", "CONTRIBUTING.md", "docker-compose.yml", "Dockerfile", "Makefile", "hub", "adapters", "bench")
NOT_SETTINGS = {"HUB_CODES"}  # a constant (the code system of agency codes), not an environment variable


def test_the_readme_table_is_generated_from_the_settings() -> None:
    readme = settings_doc.README.read_text(encoding="utf-8")
    assert settings_doc.rewritten(readme) == readme, "run `python -m hub.kernel.settings_doc`"
    assert settings_doc.main(["--check"]) == 0


def test_every_setting_says_what_it_is_for() -> None:
    assert [name for name, field in Settings.model_fields.items() if not field.description] == []


def test_every_hub_variable_named_anywhere_is_a_setting() -> None:
    settings = {f"HUB_{name.upper()}" for name in Settings.model_fields}
    named: set[str] = set()
    for place in NAMED_IN:
        path = ROOT / place
        files = [path] if path.is_file() else [file for file in path.rglob("*.py")]
        for file in files:
            named |= set(re.findall(r"\bHUB_[A-Z][A-Z0-9_]*[A-Z0-9]\b", file.read_text(encoding="utf-8")))
    assert named - settings - NOT_SETTINGS == set()
