"""Bearer tokens already verified, so that a token's signature is checked once and not on every request.

Only the hub's own tokens, and only what their signature vouches for (who the token names and until when); an entry
is used only before the token's own expiry, and at most `max_entries` are kept (the least recently used go first).
Whether the named user may still act (suspended, removed, moved to another agency) is not cached here:
`Core.authenticate` asks the registry on every request, so revoking a user refuses their next request. An OpenID
provider's token is verified every time, as its check also asks the registry which provider vouches for the user.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime

from hub.kernel.identity import TokenClaims

MAX_ENTRIES = 10_000


class VerifiedTokens:
    """The hub's own tokens whose signature was verified: `known(token)` until they expire, after `remember`."""

    def __init__(self, now: Callable[[], datetime], max_entries: int = MAX_ENTRIES) -> None:
        self._now = now
        self._max_entries = max_entries
        self._entries: OrderedDict[bytes, TokenClaims] = OrderedDict()
        self._lock = threading.Lock()

    def known(self, token: str) -> TokenClaims | None:
        """The claims of a token remembered and not expired (None: verify it)."""
        key = _key(token)
        with self._lock:
            claims = self._entries.get(key)
            if claims is None:
                return None
            if self._now() >= claims.expires_at:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return claims

    def remember(self, token: str, claims: TokenClaims) -> None:
        """Keep the claims of a token just verified."""
        with self._lock:
            self._entries[_key(token)] = claims
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


def _key(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()  # the token itself is not kept
