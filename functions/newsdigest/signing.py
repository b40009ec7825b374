"""One signed-token format for everything the service hands out and must get back unaltered: pagination
cursors and the confirm/unsubscribe links in emails.

A token is ``<base64url JSON claims>.<base64url HMAC-SHA256, 16 bytes>``. The HMAC key is derived from the
service secret *and a context* ("cursor", "subscription-token"), so a token made for one use never verifies
for another. Callers turn ``BadSignature`` into their own domain error.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

_SIG_BYTES = 16


class BadSignature(ValueError):
    """Not a token this service signed for this context (malformed, tampered, other key, too long)."""


def _key(secret: str, context: str) -> bytes:
    return hmac.new(secret.encode(), f"newsdigest/{context}/v1".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(claims: dict[str, Any], secret: str, context: str) -> str:
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    sig = hmac.new(_key(secret, context), payload, hashlib.sha256).digest()[:_SIG_BYTES]
    return f"{_b64(payload)}.{_b64(sig)}"


def verify(token: str, secret: str, context: str, *, max_chars: int) -> dict[str, Any]:
    """The claims of a token signed by ``sign`` with the same secret and context; BadSignature otherwise."""
    if not token or len(token) > max_chars:
        raise BadSignature("too long" if token else "empty")
    if token.count(".") != 1:
        raise BadSignature("malformed")
    encoded_payload, encoded_sig = token.split(".")
    try:
        payload, sig = _unb64(encoded_payload), _unb64(encoded_sig)
    except (binascii.Error, ValueError) as exc:
        raise BadSignature("malformed") from exc
    expected = hmac.new(_key(secret, context), payload, hashlib.sha256).digest()[:_SIG_BYTES]
    if not hmac.compare_digest(sig, expected):
        raise BadSignature("wrong signature")
    try:
        claims = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadSignature("malformed") from exc
    if not isinstance(claims, dict):
        raise BadSignature("malformed")
    return claims
