"""Writes need the API key; reads are public unless the template's switch says otherwise."""

from __future__ import annotations

import boto3
import pytest
import requests

from tests.e2e.conftest import API_KEY, running_stack

pytestmark = pytest.mark.e2e
ARTICLE = {
    "title": "Auth",
    "body": "One. Two. Three.",
    "format": "text",
    "url": "https://news.example.com/auth",
}


def stored(stack) -> list[dict]:
    table = boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint).Table(
        stack.resolver.refs["ArticlesTable"]
    )
    return [i for i in table.scan()["Items"] if i.get("url") == ARTICLE["url"]]


@pytest.mark.parametrize(
    "headers", [{}, {"x-api-key": "wrong"}, {"x-api-key": ""}, {"X-API-KEY": API_KEY + "x"}]
)
def test_writes_without_the_right_key_are_refused_and_write_nothing(stack, headers):
    response = requests.post(f"{stack.api_url}/articles", json=ARTICLE, headers=headers, timeout=5)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert (
        requests.post(
            f"{stack.api_url}/articles/batch", json={"articles": [ARTICLE]}, headers=headers, timeout=5
        ).status_code
        == 403
    )
    assert (
        requests.delete(f"{stack.api_url}/articles/{'0' * 24}", headers=headers, timeout=5).status_code == 403
    )
    assert stored(stack) == []


def test_reads_are_public_and_writes_work_with_the_key(stack):
    assert requests.get(f"{stack.api_url}/articles", timeout=5).status_code == 200
    created = requests.post(
        f"{stack.api_url}/articles", json=ARTICLE, headers={"x-api-key": API_KEY}, timeout=5
    )
    assert created.status_code == 201
    article_id = created.json()["id"]
    assert requests.get(f"{stack.api_url}/articles/{article_id}", timeout=5).status_code == 200
    assert (
        requests.delete(
            f"{stack.api_url}/articles/{article_id}", headers={"x-api-key": API_KEY}, timeout=5
        ).status_code
        == 204
    )


def test_one_setting_makes_reads_need_the_key_too():
    with running_stack(api_key="reads-key", parameters={"ReadsRequireApiKey": "true"}) as local:
        assert requests.get(f"{local.api_url}/articles", timeout=5).status_code == 403
        assert (
            requests.get(
                f"{local.api_url}/articles", headers={"x-api-key": "reads-key"}, timeout=5
            ).status_code
            == 200
        )
        assert requests.get(f"{local.api_url}/health", timeout=5).status_code == 200  # health stays public


def test_cors_is_off_by_default_and_one_parameter_turns_it_on(stack):
    assert "Access-Control-Allow-Origin" not in requests.get(f"{stack.api_url}/health", timeout=5).headers
    origin = "https://news.example.com"
    with running_stack(parameters={"CorsAllowOrigin": origin}) as local:
        preflight = requests.options(f"{local.api_url}/articles", headers={"Origin": origin}, timeout=5)
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == origin
        assert "x-api-key" in preflight.headers["Access-Control-Allow-Headers"]
