"""Text that travels in HTTP headers, which carry only ASCII safely (latin-1 at most).

Non-ASCII text goes in as an RFC 8187 `ext-value` (`UTF-8''<percent-encoded>`): decoded here for request
headers, and encoded here for the file name of a download (RFC 6266 `filename*` with an ASCII `filename`).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote_to_bytes

from hub.domain.errors import InvalidInput

# charset ' [language] ' value-chars (RFC 8187 section 3.2.1); only UTF-8 is accepted.
EXT_VALUE = re.compile(r"(?i:utf-8)'[A-Za-z0-9-]{0,35}'((?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+.^_`|~-])*)")
# attr-char of RFC 8187: what `filename*` may carry unencoded.
ATTR_SAFE = "!#$&+.^_`|~-"
ASCII_FALLBACK_UNSAFE = re.compile(r'[^\x20-\x7e]|["\\]')


def plain_header_text(value: str, field: str) -> str:
    """A plain header's text, refused when it is not ASCII (the server would read UTF-8 bytes as latin-1)."""
    if not value.isascii():
        raise InvalidInput(
            "header_not_ascii",
            "this header carries only ASCII text; send the text in the request body, or as "
            f"{field}*: UTF-8''<percent-encoded text> (RFC 8187)",
            field,
        )
    return value


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
