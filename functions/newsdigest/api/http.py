"""HTTP caching manners shared by the read routes: strong ETags, 304 on If-None-Match, Cache-Control."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import BaseModel

NO_CACHE = "no-cache"


def etag_of(payload: bytes) -> str:
    return '"' + hashlib.sha256(payload).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def cached(
    event: Any,
    payload: BaseModel | str,
    *,
    cache_control: str,
    content_type: str = content_types.APPLICATION_JSON,
) -> Response:
    """The response for `payload`, or 304 when the client already holds this exact representation."""
    if isinstance(payload, BaseModel):
        body = json.dumps(payload.model_dump(mode="json"), separators=(",", ":"), ensure_ascii=False)
    else:
        body = payload
    etag = etag_of(body.encode())
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept"}
    if _matches(event.headers.get("If-None-Match"), etag):
        return Response(status_code=304, headers=headers, body="")
    return Response(status_code=200, content_type=content_type, body=body, headers=headers)
