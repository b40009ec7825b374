"""What the OpenAPI document says about the API as a whole: title, version, the API key scheme.

Powertools' OpenAPI models (``event_handler.openapi.models``, ~0.1 s to import) are only needed to write
the document (GET /openapi.json, /docs): they are imported when it is built, not with the routes.
"""

from __future__ import annotations

from typing import Any

TITLE = "newsdigest API"
VERSION = "1.0.0"
DESCRIPTION = "Ingest news articles; read them back with an extractive digest and a section outline."
API_KEY_SCHEME = "apiKey"


def security_schemes() -> dict[str, Any]:
    from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

    return {API_KEY_SCHEME: APIKey(name="x-api-key", in_=APIKeyIn.header)}  # type: ignore[call-arg]
