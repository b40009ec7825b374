"""What the OpenAPI document says about the API as a whole: title, version, the API key scheme."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

TITLE = "newsdigest API"
VERSION = "1.0.0"
DESCRIPTION = "Ingest news articles; read them back with an extractive digest and a section outline."
API_KEY_SCHEME = "apiKey"
SECURITY_SCHEMES: dict[str, Any] = {API_KEY_SCHEME: APIKey(name="x-api-key", in_=APIKeyIn.header)}  # type: ignore[call-arg]
