"""Hostile text over real HTTP: lone surrogates are a 422 naming the field, and nothing is stored."""

from __future__ import annotations

import boto3
import pytest
import requests

from tests.e2e.conftest import WRITE

pytestmark = pytest.mark.e2e

ARTICLE = '{"title": "Ferries", "body": "The ferries run on time.", "format": "text"'


def stored(stack, table: str = "ArticlesTable") -> list[dict]:
    resource = boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint)
    return resource.Table(stack.resolver.refs[table]).scan()["Items"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (', "title": "T\\udfff"', "title"),
        (', "body": "B\\ud800 text"', "body"),
        (', "url": "https://example.com/\\udfff"', "url"),
        (', "source": "S\\udfff"', "source"),
    ],
)
def test_a_lone_surrogate_is_a_422_naming_the_field(stack, extra, field):
    before = len(stored(stack))
    payload = (ARTICLE + extra + "}").encode()  # a later key wins in JSON objects
    response = requests.post(
        f"{stack.api_url}/articles",
        data=payload,
        headers={"Content-Type": "application/json", **WRITE},
        timeout=5,
    )
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]
    assert len(stored(stack)) == before


def test_a_batch_with_a_surrogate_stores_the_good_ones_and_names_the_bad_one(stack):
    good = ARTICLE + ', "url": "https://example.com/hostile/good"}'
    bad = ARTICLE + ', "url": "https://example.com/hostile/bad", "body": "\\udfff"}'
    payload = f'{{"articles": [{good}, {bad}]}}'.encode()
    response = requests.post(
        f"{stack.api_url}/articles/batch",
        data=payload,
        headers={"Content-Type": "application/json", **WRITE},
        timeout=5,
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error"]
    assert results[1]["error"]["details"][0]["field"] == "body"
    urls = {i.get("url") for i in stored(stack)}
    assert "https://example.com/hostile/good" in urls and "https://example.com/hostile/bad" not in urls


def test_a_subscription_with_a_surrogate_address_is_a_422(stack):
    before = len(stored(stack, "SubscribersTable"))
    payload = b'{"email": "a\\udfff@example.com", "frequency": "daily", "timezone": "UTC"}'
    response = requests.post(
        f"{stack.api_url}/subscriptions",
        data=payload,
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "email"
    assert len(stored(stack, "SubscribersTable")) == before
