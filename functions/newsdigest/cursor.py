"""Opaque, signed pagination cursors: a client can hand back only a cursor this API issued."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from newsdigest.errors import InvalidCursor

_SIG_BYTES = 16
MAX_CURSOR_CHARS = 1024


def encode_cursor(position: dict[str, Any], secret: str) -> str:
    payload = json.dumps(position, sort_keys=True, separators=(",", ":")).encode()
    sig = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:_SIG_BYTES]
    return base64.urlsafe_b64encode(sig + payload).decode().rstrip("=")


def decode_cursor(cursor: str, secret: str) -> dict[str, Any]:
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor("the cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidCursor() from exc
    sig, payload = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:_SIG_BYTES]
    if len(sig) != _SIG_BYTES or not hmac.compare_digest(sig, expected):
        raise InvalidCursor()
    try:
        position = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidCursor() from exc
    if not isinstance(position, dict):
        raise InvalidCursor()
    return position
