"""The signing key comes from Secrets Manager (moto) at run time, never from the environment; a deployment
without it fails closed; after a rotation, what the previous key signed still verifies (README "Signing key
rotation")."""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3
import pytest
from newsdigest.articles.catalog import encode_cursor
from newsdigest.errors import MissingConfiguration
from newsdigest.signing import SigningKeys
from newsdigest.subscriptions.links import issue_token
from newsdigest.subscriptions.models import subscriber_id

from tests.conftest import cold_start, load_event
from tests.digest_helpers import subscription

OLD_PUBLIC_DEFAULT = "newsdigest-local-signing-secret"


def secret_arn(aws) -> str:
    return aws.environment["NEWSDIGEST_SIGNING_SECRET_ARN"]


def current_key(aws) -> str:
    return boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn(aws))["SecretString"]


def rotate(aws) -> str:
    """A new AWSCURRENT version; the one before becomes AWSPREVIOUS (as a rotation function leaves it)."""
    new = secrets.token_urlsafe(36)
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_arn(aws), SecretString=new)
    cold_start()  # a new execution environment (a warm one sees the rotation within max_age)
    return new


def list_with_cursor(aws, key: str) -> int:
    event = load_event("api-list-articles.json")
    cursor = encode_cursor({"scope": {"from": None, "to": None, "source": None}, "key": {"id": "x"}}, key)
    event["queryStringParameters"] = {"limit": "10", "cursor": cursor}
    event["multiValueQueryStringParameters"] = {"limit": ["10"], "cursor": [cursor]}
    return int(aws.invoke("ApiFunction", event)["statusCode"])


def unsubscribe_with(aws, key: str) -> int:
    event = load_event("unsubscribe-one-click.json")
    token = issue_token("unsubscribe", subscriber_id("ada@example.com"), key)
    event["queryStringParameters"] = {"token": token}
    event["multiValueQueryStringParameters"] = {"token": [token]}
    return int(aws.invoke("SubscriptionsFunction", event)["statusCode"])


def subscribe_ada(aws) -> None:
    event = load_event("subscriptions-post.json")
    event["body"] = json.dumps(subscription("ada@example.com"))
    assert aws.invoke("SubscriptionsFunction", event)["statusCode"] == 202


def test_no_function_gets_the_key_in_its_environment(aws):
    key = current_key(aws)
    for logical_id, spec in aws.specs.items():
        environment: dict[str, Any] = aws.resolver.function_environment(spec)
        assert key not in json.dumps(environment), logical_id
        assert "NEWSDIGEST_SIGNING_SECRET" not in environment, logical_id


def test_the_key_is_read_from_secrets_manager_at_run_time(aws):
    # A cursor signed with the secret's value is the API's own; one signed with anything else is not
    assert list_with_cursor(aws, current_key(aws)) == 200
    assert list_with_cursor(aws, OLD_PUBLIC_DEFAULT) == 400
    assert list_with_cursor(aws, "guessed") == 400
    subscribe_ada(aws)
    assert unsubscribe_with(aws, OLD_PUBLIC_DEFAULT) == 400
    assert unsubscribe_with(aws, current_key(aws)) == 200


def test_after_a_rotation_the_previous_key_still_verifies_until_the_next(aws):
    subscribe_ada(aws)
    first = current_key(aws)
    second = rotate(aws)
    # Signed before the rotation: still good (grace), and so is the new key
    assert list_with_cursor(aws, first) == 200 and list_with_cursor(aws, second) == 200
    assert unsubscribe_with(aws, first) == 200
    # New tokens are signed with the new key
    from newsdigest import wiring

    assert wiring.services.signing_keys == SigningKeys(second, first)
    # The next rotation ends the grace of the first key
    third = rotate(aws)
    assert list_with_cursor(aws, first) == 400
    assert list_with_cursor(aws, second) == 200 and list_with_cursor(aws, third) == 200


def test_a_secret_never_rotated_has_no_previous_key(aws, monkeypatch):
    from newsdigest import wiring

    fresh = boto3.client("secretsmanager").create_secret(Name="never-rotated", SecretString="k" * 40)
    monkeypatch.setenv("NEWSDIGEST_SIGNING_SECRET_ARN", fresh["ARN"])
    cold_start()
    assert wiring.services.signing_keys == SigningKeys("k" * 40)


def test_in_lambda_without_the_secret_nothing_is_signed_or_verified(aws, monkeypatch):
    # Given a function in Lambda whose secret is not configured
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "newsdigest-ApiFunction")
    monkeypatch.setenv("NEWSDIGEST_SIGNING_SECRET_ARN", "")
    cold_start()
    from newsdigest import wiring

    with pytest.raises(MissingConfiguration):
        assert wiring.services.signing_keys
    # Then a request that needs the key fails closed (500, no cursor accepted), not with a public default
    assert list_with_cursor(aws, OLD_PUBLIC_DEFAULT) == 500
    subscribe_event = load_event("subscriptions-post.json")
    assert aws.invoke("SubscriptionsFunction", subscribe_event)["statusCode"] == 500
    # And a route that needs no key still answers
    assert aws.invoke("ApiFunction", load_event("api-health.json"))["statusCode"] == 200


def test_a_secret_that_cannot_be_read_fails_closed_on_first_use_not_at_import(aws, monkeypatch):
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "newsdigest-ApiFunction")
    monkeypatch.setenv(
        "NEWSDIGEST_SIGNING_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf"
    )
    cold_start()
    assert aws.invoke("ApiFunction", load_event("api-health.json"))["statusCode"] == 200
    assert list_with_cursor(aws, current_key(aws)) == 500


def test_outside_lambda_without_a_secret_the_key_is_random_not_a_public_default(monkeypatch):
    from newsdigest.wiring import Services

    environ = {"NEWSDIGEST_SIGNING_SECRET_ARN": ""}
    first, second = Services(environ=environ).signing_keys, Services(environ=environ).signing_keys
    assert first.current != second.current and OLD_PUBLIC_DEFAULT not in (first.current, second.current)
    with pytest.raises(MissingConfiguration):
        assert Services(environ=environ | {"AWS_LAMBDA_FUNCTION_NAME": "f"}).signing_keys
