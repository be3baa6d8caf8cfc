"""Secret key files in the key directory: created once with owner-only permissions, then read back."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def load_or_create_key_file(key_dir: Path, name: str, generate: Callable[[], bytes]) -> bytes:
    """The bytes of `key_dir/name`, writing `generate()` there (mode 0600, never overwriting) on first use."""
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_dir / name
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(generate())
    return path.read_bytes()
