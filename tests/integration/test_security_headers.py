"""Every answer of the three API functions - JSON, HTML pages, errors, and the refusals made before any
route runs - carries ``X-Content-Type-Options: nosniff``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from newsdigest.config import MAX_REQUEST_BYTES

from tests.conftest import EVENTS, load_event

FUNCTION_OF = {"api": "ApiFunction", "ingest": "IngestFunction", "subscriptions": "SubscriptionsFunction"}
FUNCTION_OF["unsubscribe"] = "SubscriptionsFunction"
API_EVENTS = sorted(p.name for p in EVENTS.glob("*.json") if p.name.split("-")[0] in FUNCTION_OF)


def headers_of(response: dict[str, Any]) -> dict[str, str]:
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    headers |= {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    return headers


def invoke(aws, event: dict[str, Any], name: str) -> dict[str, Any]:
    return aws.invoke(FUNCTION_OF[name.split("-")[0]], event)


@pytest.mark.parametrize("name", API_EVENTS)
def test_every_event_file_is_answered_with_nosniff(aws, name):
    response = invoke(aws, load_event(name), name)
    assert headers_of(response)["x-content-type-options"] == "nosniff", (name, response["statusCode"])


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"path": "/nowhere", "resource": "/nowhere"}, 404),
        ({"httpMethod": "PUT"}, 405),
        ({"queryStringParameters": {"limit": "0"}, "multiValueQueryStringParameters": {"limit": ["0"]}}, 422),
        ({"body": "x" * (MAX_REQUEST_BYTES + 1)}, 413),
        ({"body": "{}", "headers": {"Content-Type": "text/plain"}, "multiValueHeaders": None}, 415),
    ],
)
def test_errors_and_early_refusals_carry_nosniff_too(aws, change, status):
    event = load_event("api-list-articles.json") | change
    response = aws.invoke("ApiFunction", event)
    assert response["statusCode"] == status, json.dumps(response)[:300]
    assert headers_of(response)["x-content-type-options"] == "nosniff"
