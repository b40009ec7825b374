"""Signed confirm/unsubscribe tokens: HMAC-SHA256 over (purpose, subscriber id, expiry).

The subscriber id is the hash of the normalized address, so a token names exactly one address. The key is
derived from the service secret for this use only (cursors sign with the secret itself), and the purpose
is inside the signed payload, so a confirm token never unsubscribes and vice versa.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Literal

from newsdigest.errors import InvalidToken

Purpose = Literal["confirm", "unsubscribe"]
MAX_TOKEN_CHARS = 512
_SIG_BYTES = 16


def subscriber_id(email: str) -> str:
    """Stable id of a normalized address (re-subscribing finds the same subscriber)."""
    return hashlib.sha256(email.encode("utf-8")).hexdigest()[:32]


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"newsdigest/subscription-token/v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(purpose: Purpose, sid: str, secret: str, *, expires_at: int | None = None) -> str:
    claims: dict[str, object] = {"p": purpose, "s": sid}
    if expires_at is not None:
        claims["x"] = expires_at
    payload = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    sig = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:_SIG_BYTES]
    return f"{_b64(payload)}.{_b64(sig)}"


def verify_token(token: str, purpose: Purpose, secret: str, *, now: int) -> str:
    """The subscriber id the token was issued for; InvalidToken for anything else."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise InvalidToken()
    encoded_payload, encoded_sig = token.split(".")
    try:
        payload, sig = _unb64(encoded_payload), _unb64(encoded_sig)
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken() from exc
    expected = hmac.new(_key(secret), payload, hashlib.sha256).digest()[:_SIG_BYTES]
    if not hmac.compare_digest(sig, expected):
        raise InvalidToken()
    try:
        claims = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidToken() from exc
    if not isinstance(claims, dict) or claims.get("p") != purpose or not isinstance(claims.get("s"), str):
        raise InvalidToken()
    expiry = claims.get("x")
    if expiry is not None and (not isinstance(expiry, int) or expiry < now):
        raise InvalidToken("the link has expired; subscribe again for a new one")
    return str(claims["s"])
