"""The signed links in emails: confirm (expires) and unsubscribe (never does), for one subscriber each.

A token's claims are (purpose, subscriber id, expiry, and for confirm links the id of the one subscription
request the email was sent for), signed in the one format of ``newsdigest.signing``
under its own context, so a cursor is never a token; the purpose is inside the signed claims, so a
confirm token never unsubscribes and vice versa.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from urllib.parse import quote

from newsdigest.config import CONFIRM_TOKEN_TTL_SECONDS
from newsdigest.errors import InvalidToken, MissingConfiguration
from newsdigest.signing import BadSignature, Keys, sign, verify

Purpose = Literal["confirm", "unsubscribe"]
MAX_TOKEN_CHARS = 512
_CONTEXT = "subscription-token"


def issue_token(
    purpose: Purpose,
    sid: str,
    keys: Keys,
    *,
    expires_at: int | None = None,
    request_id: str | None = None,
) -> str:
    claims: dict[str, object] = {"p": purpose, "s": sid}
    if expires_at is not None:
        claims["x"] = expires_at
    if request_id is not None:
        claims["r"] = request_id
    return sign(claims, keys, _CONTEXT)


def verify_token(token: str, purpose: Purpose, keys: Keys, *, now: int) -> str:
    """The subscriber id the token was issued for; InvalidToken for anything else."""
    return str(_claims(token, purpose, keys, now=now)["s"])


def verify_confirm_token(token: str, keys: Keys, *, now: int) -> tuple[str, str]:
    """(subscriber id, request id) of a confirm link; a link without a request id is refused."""
    claims = _claims(token, "confirm", keys, now=now)
    if not isinstance(claims.get("r"), str):
        raise InvalidToken("this confirmation link is no longer valid; subscribe again for a new one")
    return str(claims["s"]), str(claims["r"])


def _claims(token: str, purpose: Purpose, keys: Keys, *, now: int) -> dict[str, object]:
    try:
        claims = verify(token, keys, _CONTEXT, max_chars=MAX_TOKEN_CHARS)
    except BadSignature as exc:
        raise InvalidToken() from exc
    if claims.get("p") != purpose or not isinstance(claims.get("s"), str):
        raise InvalidToken()
    expiry = claims.get("x")
    if expiry is not None and (not isinstance(expiry, int) or expiry < now):
        raise InvalidToken("the link has expired; subscribe again for a new one")
    return claims


def check_token(token: str, purpose: Purpose, keys: Keys, now: datetime) -> str:
    return verify_token(token, purpose, keys, now=int(now.timestamp()))


def check_confirm_token(token: str, keys: Keys, now: datetime) -> tuple[str, str]:
    return verify_confirm_token(token, keys, now=int(now.timestamp()))


def link_base(base_url: str) -> str:
    """The base URL of links, without a trailing slash; an empty one is a deployment mistake."""
    if not base_url:
        raise MissingConfiguration("no base URL for links: set NEWSDIGEST_PUBLIC_URL (PublicBaseUrl)")
    return base_url.rstrip("/")


def confirm_url(base_url: str, keys: Keys, sid: str, request_id: str, now: datetime) -> str:
    """The link of one confirmation email: good for the one request it was sent for, once."""
    expires_at = int(now.timestamp()) + CONFIRM_TOKEN_TTL_SECONDS
    token = issue_token("confirm", sid, keys, expires_at=expires_at, request_id=request_id)
    return f"{link_base(base_url)}/subscriptions/confirm?token={quote(token)}"


def unsubscribe_url(base_url: str, keys: Keys, sid: str) -> str:
    token = issue_token("unsubscribe", sid, keys)  # old emails' links keep working
    return f"{link_base(base_url)}/unsubscribe?token={quote(token)}"
