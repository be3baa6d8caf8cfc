"""The ministry's case-file review criteria (a versioned catalogue, `case_review_criteria.json`) and the
non-conformity figure: of the answers in a criterion group that apply, the share that does not conform."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("case_review_criteria.json")
# The supervisor's figures as exported (one row per municipality and criterion group).
CASE_REVIEW_COLUMNS = ("municipality", "group", "answers", "non_conforming", "non_conformity_percent")
CASE_REVIEW_FILE = "case-review-non-conformity.csv"


@dataclass(frozen=True)
class Criterion:
    id: str
    group: str
    lv: str
    en: str
    prefill: str | None


@dataclass(frozen=True)
class Catalogue:
    version: str
    groups: tuple[tuple[str, str, str], ...]  # (id, lv, en)
    criteria: tuple[Criterion, ...]
    reasons: dict[str, tuple[str, str]]  # why the hub pre-filled an answer: code -> (lv, en)

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((criterion for criterion in self.criteria if criterion.id == criterion_id), None)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    data = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    groups = tuple((group["id"], group["lv"], group["en"]) for group in data["groups"])
    criteria = tuple(
        Criterion(item["id"], group["id"], item["lv"], item["en"], item.get("prefill"))
        for group in data["groups"]
        for item in group["criteria"]
    )
    reasons = {code: (text["lv"], text["en"]) for code, text in data["reasons"].items()}
    return Catalogue(data["version"], groups, criteria, reasons)


def non_conformity_percent(verdicts: Iterable[str]) -> float | None:
    """Per cent of applicable answers that do not conform (None when none applies)."""
    applicable = [verdict for verdict in verdicts if verdict != "not_applicable"]
    if not applicable:
        return None
    return round(100.0 * sum(1 for verdict in applicable if verdict == "does_not_conform") / len(applicable), 1)
