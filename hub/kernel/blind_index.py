"""Keyed blind index (HMAC-SHA256) of personal codes and name + birth date: match people, store no plaintext."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from datetime import date
from pathlib import Path

from hub.kernel.keyfiles import load_or_create_key_file

INDEX_KEY_FILE = "blind-index.key"


def _normalised_name(name: str) -> str:
    """Case, spacing and Unicode form do not make two people: "Jānis  Bērziņš" == "JĀNIS BĒRZIŅŠ"."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


class BlindIndex:
    """Deterministic keyed digests; without the key (kept outside the store) they reveal nothing."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the blind-index key must be at least 32 bytes")
        self._key = key

    @classmethod
    def load(cls, key_dir: Path) -> BlindIndex:
        return cls(load_or_create_key_file(key_dir, INDEX_KEY_FILE, lambda: secrets.token_bytes(32)))

    def _digest(self, domain: str, value: str) -> str:
        return hmac.new(self._key, f"{domain}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def personal_code(self, code: str) -> str:
        """`code` is the canonical form (`parse_personal_code(...).value`)."""
        return self._digest("personal-code", code)

    def name_and_birth_date(self, given_name: str, family_name: str, birth_date: date) -> str:
        name = f"{_normalised_name(given_name)}\x00{_normalised_name(family_name)}"
        return self._digest("name-birth-date", f"{name}\x00{birth_date.isoformat()}")

    def pseudonym(self, kind: str, identifier: object) -> str:
        """A stable short stand-in for an identifier in supervision figures; not reversible without the key."""
        return self._digest(f"pseudonym:{kind}", str(identifier))[:16]
