"""Text that travels in HTTP headers, which carry only ASCII safely (servers read other bytes as latin-1).

The hub's own text headers are refused when they are not ASCII (`AsciiTextHeaders`), rather than reaching the log
garbled; non-ASCII text goes in as an RFC 8187 `ext-value` (`UTF-8''<percent-encoded>`), decoded here, and a
download's file name is encoded here (RFC 6266 `filename*` with an ASCII `filename`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

from hub.api.problems import problem
from hub.kernel.errors import InvalidInput

BREAK_GLASS_HEADER = "X-Break-Glass-Justification"
# The hub's text headers (lower-case, as ASGI gives them) and where their text goes when it is not ASCII.
TEXT_HEADERS = {
    b"x-purpose": ("X-Purpose", "name the purpose in ASCII, for example referral-handling"),
    BREAK_GLASS_HEADER.lower().encode(): (
        BREAK_GLASS_HEADER,
        "send the justification in the body of POST /v1/referrals/{id}/emergency-read, or as "
        f"{BREAK_GLASS_HEADER}*: UTF-8''<percent-encoded text> (RFC 8187)",
    ),
}

# charset ' [language] ' value-chars (RFC 8187 section 3.2.1); only UTF-8 is accepted.
EXT_VALUE = re.compile(r"(?i:utf-8)'[A-Za-z0-9-]{0,35}'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+.^_`|~-])*)")
# attr-char of RFC 8187: what `filename*` may carry unencoded.
ATTR_SAFE = "!#$&+.^_`|~-"
ASCII_FALLBACK_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')


class AsciiTextHeaders:
    """ASGI middleware: a request whose purpose or break-glass header is not ASCII is refused (422
    `header_not_ascii`, naming the header and where the text should go) before any handler runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name in TEXT_HEADERS and not value.isascii():
                    header, advice = TEXT_HEADERS[name]
                    detail = f"the {header} header carries only ASCII text; {advice}"
                    error = {"field": header, "reason": "header_not_ascii", "message": detail}
                    await problem(422, "header_not_ascii", detail, [error])(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def decode_ext_value(value: str, field: str) -> str:
    """The text of an RFC 8187 ext-value, or 422 naming the header when it is malformed or not UTF-8."""
    match = EXT_VALUE.fullmatch(value.strip())
    if match is None:
        raise InvalidInput("invalid_encoded_header", "expected UTF-8''<percent-encoded text> (RFC 8187)", field)
    try:
        return unquote_to_bytes(match.group(1)).decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("invalid_encoded_header", "the percent-encoded bytes are not UTF-8", field) from None


def content_disposition(file_name: str) -> str:
    """`attachment` with an ASCII `filename` for old clients and the exact name in `filename*` (RFC 6266)."""
    folded = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode("ascii")
    fallback = ASCII_FALLBACK_UNSAFE.sub("_", folded).strip() or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe=ATTR_SAFE)}"
