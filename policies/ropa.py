"""The record of processing activities (GDPR Art. 30), generated from the policies rather than written beside them.

Each legal basis of the catalogue is one processing entry (purposes, categories, who discloses to whom); retention
comes from `policies/retention.py`; the rules are the `@id`s of the Cedar policies. The record carries the policy
hash every decision records, so a decision cites the version of the record it was made under.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from policies.engine import PolicyEngine
from policies.legal_bases import LEGAL_BASES, LEGAL_BASES_VERSION, NOTHING_DISCLOSED, LegalBasis
from policies.retention import RETENTION_VERSION, RETENTION_YEARS

CONTROLLER = {
    "en": "Each participating agency for its own cases; the hub operator as processor for the shared log",
    "lv": "Katra iestāde par savām lietām; centra uzturētājs kā apstrādātājs kopīgajam žurnālam",
}
# Article 32 measures the hub enforces in code (ARCHITECTURE.md invariants); each has the test that proves it.
SECURITY_MEASURES: tuple[dict[str, str], ...] = (
    {
        "en": "Every caller is authenticated; every action is decided by the policies with the caller's relationship "
        "to the person",
        "lv": "Katrs lietotājs ir autentificēts; katru darbību izlemj politikas pēc iestādes saistības ar personu",
    },
    {
        "en": "Every read of personal data, permitted or denied, is recorded",
        "lv": "Katra personas datu skatīšana, atļauta vai liegta, tiek reģistrēta",
    },
    {
        "en": "Personal data is encrypted with a key per person; erasing the key erases the data",
        "lv": "Personas dati ir šifrēti ar katras personas atslēgu; atslēgas dzēšana izdzēš datus",
    },
    {
        "en": "The log is a signed Merkle tree, its checkpoints cosigned by independent witnesses",
        "lv": "Žurnāls ir parakstīts Merkla koks, tā kontrolpunktus līdzparaksta neatkarīgi liecinieki",
    },
)
_POLICY_ID = re.compile(r'@id\("([^"]+)"\)')


def _kinds(kinds: frozenset[Any]) -> list[str]:
    return sorted(str(kind) for kind in kinds)


def _activity(basis: LegalBasis) -> dict[str, Any]:
    disclosed = basis.discloser_kinds != NOTHING_DISCLOSED
    return {
        "basis": basis.id,
        "citation": basis.citation,
        "title": {"en": basis.title_en, "lv": basis.title_lv},
        "purposes": _kinds(basis.purposes),
        "data_categories": sorted(str(category) for category in basis.categories),
        "disclosed_by": _kinds(basis.discloser_kinds) if disclosed else [],
        "recipients_by_agency_kind": _kinds(basis.recipient_kinds) if disclosed else [],
        "onward_disclosure": basis.onward,
    }


def record_of_processing(engine: PolicyEngine) -> dict[str, Any]:
    """The Art. 30 record as data; `record_hash` is over everything else in it."""
    record: dict[str, Any] = {
        "controller": CONTROLLER,
        "policy_hash": engine.policy_hash,
        "legal_bases_version": LEGAL_BASES_VERSION,
        "activities": [_activity(basis) for basis in LEGAL_BASES],
        "retention": {
            "version": RETENTION_VERSION,
            "years_after_last_closure": dict(sorted(RETENTION_YEARS.items())),
        },
        "rules": {name: _POLICY_ID.findall(text) for name, text in sorted(engine.policy_files.items())},
        "security_measures": list(SECURITY_MEASURES),
    }
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False).encode()
    return {**record, "record_hash": "sha256:" + hashlib.sha256(canonical).hexdigest()}
