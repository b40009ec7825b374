"""One signed-token format for everything the service hands out and must get back unaltered: pagination
cursors and the confirm/unsubscribe links in emails.

A token is ``<base64url JSON claims>.<base64url HMAC-SHA256, 16 bytes>``. The HMAC key is derived from the
service secret *and a context* ("cursor", "subscription-token"), so a token made for one use never verifies
for another. Callers turn ``BadSignature`` into their own domain error.

Keys rotate: ``SigningKeys`` holds the current key (which signs) and the previous one (which still verifies,
so tokens and cursors issued just before a rotation keep working until the next rotation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

_SIG_BYTES = 16


@dataclass(frozen=True)
class SigningKeys:
    current: str
    previous: str | None = None

    def __post_init__(self) -> None:
        if not self.current:
            raise ValueError("a signing key must not be empty")

    @property
    def verifying(self) -> tuple[str, ...]:
        """The keys a token may be signed with, current first."""
        if self.previous and self.previous != self.current:
            return (self.current, self.previous)
        return (self.current,)


Keys = SigningKeys | str  # a plain string: one key, no previous


def _keys(keys: Keys) -> SigningKeys:
    return keys if isinstance(keys, SigningKeys) else SigningKeys(keys)


class BadSignature(ValueError):
    """Not a token this service signed for this context (malformed, tampered, other key, too long)."""


def _key(secret: str, context: str) -> bytes:
    return hmac.new(secret.encode(), f"newsdigest/{context}/v1".encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, context: str, payload: bytes) -> bytes:
    return hmac.new(_key(secret, context), payload, hashlib.sha256).digest()[:_SIG_BYTES]


def sign(claims: dict[str, Any], keys: Keys, context: str) -> str:
    """Signed with the current key."""
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    sig = _mac(_keys(keys).current, context, payload)
    return f"{_b64(payload)}.{_b64(sig)}"


def verify(token: str, keys: Keys, context: str, *, max_chars: int) -> dict[str, Any]:
    """The claims of a token signed by ``sign`` for this context with the current or the previous key;
    BadSignature otherwise."""
    if not token or len(token) > max_chars:
        raise BadSignature("too long" if token else "empty")
    if token.count(".") != 1:
        raise BadSignature("malformed")
    encoded_payload, encoded_sig = token.split(".")
    try:
        payload, sig = _unb64(encoded_payload), _unb64(encoded_sig)
    except (binascii.Error, ValueError) as exc:
        raise BadSignature("malformed") from exc
    if not any(hmac.compare_digest(sig, _mac(key, context, payload)) for key in _keys(keys).verifying):
        raise BadSignature("wrong signature")
    try:
        claims = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadSignature("malformed") from exc
    if not isinstance(claims, dict):
        raise BadSignature("malformed")
    return claims
