"""Links in emails on a first deploy: with PublicBaseUrl empty, SubscriptionsFunction builds them from the
URL the request came in on (API Gateway's event); a set PublicBaseUrl (a custom domain) wins; nothing ever
falls back to a local address."""

from __future__ import annotations

import json

import pytest
from newsdigest.config import Settings
from newsdigest.errors import MissingConfiguration
from newsdigest.subscriptions.links import link_base

from tests.conftest import cold_start, load_event
from tests.digest_helpers import mail_to, parts, subscription


def confirmation_link(aws, event: dict) -> str:
    event["body"] = json.dumps(subscription("ada@example.com"))
    assert aws.invoke("SubscriptionsFunction", event)["statusCode"] == 202
    (message,) = mail_to("ada@example.com")
    text, _ = parts(message)
    (line,) = [w for w in text.split() if "/subscriptions/confirm?token=" in w]
    return line


def test_with_no_public_url_links_point_at_the_api_the_request_came_in_on(aws, monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_PUBLIC_URL", "")  # the template's default
    cold_start()
    link = confirmation_link(aws, load_event("subscriptions-post.json"))
    assert link.startswith("https://1234567890.execute-api.us-east-1.amazonaws.com/v1/subscriptions/confirm?")


def test_behind_a_custom_domain_the_base_path_mapping_is_kept(aws, monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_PUBLIC_URL", "")
    cold_start()
    event = load_event("subscriptions-post.json")
    # A custom domain maps base path "news" to the stage: the client called /news/subscriptions
    event["requestContext"] |= {"domainName": "api.example.org", "path": "/news/subscriptions"}
    link = confirmation_link(aws, event)
    assert link.startswith("https://api.example.org/news/subscriptions/confirm?")


def test_a_configured_public_url_wins(aws, monkeypatch):
    monkeypatch.setenv("NEWSDIGEST_PUBLIC_URL", "https://digest.example.org/")
    cold_start()
    link = confirmation_link(aws, load_event("subscriptions-post.json"))
    assert link.startswith("https://digest.example.org/subscriptions/confirm?")


def test_there_is_no_local_default_and_an_empty_base_is_refused():
    assert Settings.from_env({}).public_base_url == ""
    assert "127.0.0.1" not in json.dumps(Settings.from_env({}).model_dump())
    with pytest.raises(MissingConfiguration):
        link_base("")
