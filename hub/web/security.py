"""Browser security: the CSRF token every form carries (response headers: `hub/api/headers.py`).

CSRF uses the double-submit pattern: a random token in a SameSite=Strict cookie and the same token in a hidden
form field; a POST whose field does not match its cookie is refused before anything else happens.
"""

from __future__ import annotations

import hmac
import secrets

CSRF_COOKIE = "hub_csrf"
CSRF_FIELD = "csrf"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(cookie: str | None, submitted: str | None) -> bool:
    """Both present and equal (compared in constant time)."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())
