"""Build a Powertools resolver for a set of routers: request guards, CORS, validation, the error map."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest.api.errors import error_body, register_error_handlers
from newsdigest.config import MAX_REQUEST_BYTES, Settings


def _json_loads(text: str) -> Any:
    """json.loads whose every failure is a JSONDecodeError, which the API answers with a 400."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("JSON nests too deeply", text, 0) from None


_OPML_TYPES = ("text/x-opml", "application/xml", "text/xml", "application/octet-stream", "text/plain")


def _refusal(event: Mapping[str, Any]) -> tuple[int, str, str] | None:
    """A request refused before any parsing: too large, or bytes that are not UTF-8 text."""
    body = event.get("body")
    if not body:
        return None
    if len(body) > MAX_REQUEST_BYTES * (4 / 3 if event.get("isBase64Encoded") else 1):
        return 413, "payload_too_large", f"request body is over the limit of {MAX_REQUEST_BYTES} bytes"
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = (headers.get("content-type") or "application/json").strip().lower()
    # JSON everywhere, the form body RFC 8058 one-click unsubscribes are POSTed with, and OPML files.
    allowed: tuple[str, ...] = ("application/json", "application/x-www-form-urlencoded")
    if event.get("resource") == "/feeds/import":
        allowed += _OPML_TYPES
    if not content_type.startswith(allowed):
        return 415, "unsupported_media_type", "send the request body as application/json"
    if event.get("isBase64Encoded"):
        try:
            base64.b64decode(body, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            return 400, "invalid_encoding", "request body is not UTF-8 text; send JSON encoded as UTF-8"
    return None


# Every answer (JSON, HTML pages, errors): browsers must not sniff a JSON or text body into something else.
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff"}


def with_security_headers(response: dict[str, Any]) -> dict[str, Any]:
    multi = response.get("multiValueHeaders")
    if multi is not None:
        for name, value in SECURITY_HEADERS.items():
            multi[name] = [value]
    else:
        response["headers"] = (response.get("headers") or {}) | SECURITY_HEADERS
    return response


class NewsApiResolver(APIGatewayRestResolver):
    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        refusal = _refusal(event)
        if refusal:
            status, code, message = refusal
            # Powertools' request validation runs before any middleware, so this guard sits in front of it.
            return with_security_headers(
                {
                    "statusCode": status,
                    "headers": {"Content-Type": "application/json"},
                    "body": json.dumps(error_body(code, message)),
                    "isBase64Encoded": False,
                }
            )
        return with_security_headers(super().resolve(event, context))


def build_resolver(*routers: APIGatewayRouter, settings: Settings) -> NewsApiResolver:
    origin = settings.cors_allow_origin
    cors = (
        CORSConfig(
            allow_origin=origin, allow_headers=["x-api-key"], expose_headers=["ETag", "Location"], max_age=600
        )
        if origin
        else None
    )
    app = NewsApiResolver(enable_validation=True, cors=cors, json_body_deserializer=_json_loads)
    register_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app
