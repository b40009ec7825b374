"""The signed links in emails: confirm (expires) and unsubscribe (never does), for one subscriber each.

A token's claims are (purpose, subscriber id, expiry), signed in the one format of ``newsdigest.signing``
under its own context, so a cursor is never a token; the purpose is inside the signed claims, so a
confirm token never unsubscribes and vice versa.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import quote

from newsdigest.config import CONFIRM_TOKEN_TTL_SECONDS, Settings
from newsdigest.errors import InvalidToken
from newsdigest.signing import BadSignature, sign, verify

Purpose = Literal["confirm", "unsubscribe"]
MAX_TOKEN_CHARS = 512
_CONTEXT = "subscription-token"


def issue_token(purpose: Purpose, sid: str, secret: str, *, expires_at: int | None = None) -> str:
    claims: dict[str, object] = {"p": purpose, "s": sid}
    if expires_at is not None:
        claims["x"] = expires_at
    return sign(claims, secret, _CONTEXT)


def verify_token(token: str, purpose: Purpose, secret: str, *, now: int) -> str:
    """The subscriber id the token was issued for; InvalidToken for anything else."""
    try:
        claims = verify(token, secret, _CONTEXT, max_chars=MAX_TOKEN_CHARS)
    except BadSignature as exc:
        raise InvalidToken() from exc
    if claims.get("p") != purpose or not isinstance(claims.get("s"), str):
        raise InvalidToken()
    expiry = claims.get("x")
    if expiry is not None and (not isinstance(expiry, int) or expiry < now):
        raise InvalidToken("the link has expired; subscribe again for a new one")
    return str(claims["s"])


def check_token(token: str, purpose: Purpose, settings: Settings, now: datetime) -> str:
    return verify_token(token, purpose, settings.signing_secret, now=int(now.timestamp()))


def confirm_url(settings: Settings, sid: str, now: datetime) -> str:
    token = issue_token(
        "confirm", sid, settings.signing_secret, expires_at=int(now.timestamp()) + CONFIRM_TOKEN_TTL_SECONDS
    )
    return f"{settings.public_base_url.rstrip('/')}/subscriptions/confirm?token={quote(token)}"


def unsubscribe_url(settings: Settings, sid: str) -> str:
    token = issue_token("unsubscribe", sid, settings.signing_secret)  # old emails' links keep working
    return f"{settings.public_base_url.rstrip('/')}/unsubscribe?token={quote(token)}"
