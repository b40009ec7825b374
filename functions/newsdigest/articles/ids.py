"""Stable article ids: from the canonical URL when there is one, else from the content."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the article.
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "_ga",
        "ref",
        "ref_src",
        "cmpid",
        "smid",
        "ocid",
    }
)
ID_LENGTH = 24  # hex digits: 96 bits


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot name an article or a feed (None: it can). A URL that passes the schema's pattern
    can still be unparseable: an unbalanced ``[`` (IPv6 literal), a port that is not a number or is out of
    range, no host."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError as exc:
        return str(exc)
    if not parts.hostname:
        return "it names no host"
    return None


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, fragments, tracking parameters and a trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING_PARAMS and not k.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    # http and https name the same article.
    return urlunsplit(
        ("https" if scheme in {"http", "https"} else scheme, netloc, path, urlencode(query), "")
    )


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()[:ID_LENGTH]


def article_id(*, url: str | None, title: str, body: str) -> str:
    if url:
        return _digest("url", canonical_url(url))
    return _digest("content", " ".join(title.split()) + "\n" + " ".join(body.split()))


def content_hash(fields: dict[str, object]) -> str:
    """A fingerprint of everything the client sent: a change to any field is a new version."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()
