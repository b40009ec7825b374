"""What SAM makes of template.yaml (translated offline with the tools venv's samtranslator): no
dependency cycle - which neither `sam validate` nor cfn-lint reports, and which a function behind the
API naming the API would create -, no AWS managed policy on any function's role, and API keys where the
README says, also once AWS::LanguageExtensions has resolved the template's Fn::If as CloudFormation
does (`sam validate` leaves them unresolved)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.template.test_hardening import names_in
from tests.template.test_template import tool, tools_env

pytestmark = pytest.mark.template


def translate(path: Path = ROOT / "template.yaml", *options: str) -> dict[str, Any]:
    result = subprocess.run(
        [tool("python"), str(ROOT / "tests" / "template" / "sam_translate.py"), *options, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=tools_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def find_cycle(template: dict[str, Any]) -> list[str] | None:
    """A dependency cycle among the resources (Ref, Fn::GetAtt, Fn::Sub, DependsOn), or None."""
    resources = template["Resources"]
    edges: dict[str, set[str]] = {}
    for logical, resource in resources.items():
        depends = resource.get("DependsOn", [])
        depends = {depends} if isinstance(depends, str) else set(depends)
        body = {k: v for k, v in resource.items() if k != "DependsOn"}
        edges[logical] = (names_in(body) | depends) & set(resources) - {logical}
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.fixture(scope="module")
def translated() -> dict[str, Any]:
    return translate()


def test_the_translated_template_has_no_dependency_cycle(translated):
    assert find_cycle(translated) is None


def test_a_function_behind_the_api_naming_the_api_is_a_cycle(tmp_path):
    """The check above can fail: give SubscriptionsFunction the API's URL and the cycle appears."""
    text = (ROOT / "template.yaml").read_text()
    given = "          NEWSDIGEST_PUBLIC_URL: !Ref PublicBaseUrl\n"
    assert text.count(given) == 1
    api_url = '"https://${NewsApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${StageName}"'
    mutated = tmp_path / "template.yaml"
    mutated.write_text(text.replace(given, f"          NEWSDIGEST_PUBLIC_URL: !Sub {api_url}\n"))
    cycle = find_cycle(translate(mutated))
    assert cycle is not None and "SubscriptionsFunction" in cycle and "NewsApi" in cycle


def test_no_function_role_carries_an_aws_managed_policy(translated):
    resources = translated["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Lambda::Function"}
    assert len(functions) == 10
    for logical, function in functions.items():
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "ManagedPolicyArns" not in resources[role]["Properties"], f"{logical}'s role {role}"
    # Every event source reaches the alias, and the sender's and summarizer's mappings are there.
    mappings = [v["Properties"] for v in resources.values() if v["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert sorted(m["FunctionName"]["Ref"] for m in mappings) == [
        "DigestSendFunctionAliaslive",
        "FeedPollFunctionAliaslive",
        "SummarizeFailuresFunctionAliaslive",
        "SummarizeFunctionAliaslive",
    ]


@pytest.mark.parametrize("reads_need_key", ["false", "true"])
def test_api_keys_as_cloudformation_deploys_it(reads_need_key):
    """Writes always need the key; reads follow ReadsRequireApiKey; health, the OpenAPI document, Swagger
    UI, the subscription links and CORS preflights never do. SAM refuses a method-level false under an
    API-level false, which is what the reads' Fn::If becomes after AWS::LanguageExtensions: with the API
    default false, the default deploy failed."""
    translated = translate(
        ROOT / "template.yaml",
        "--resolve-conditions",
        f"ReadsRequireApiKey={reads_need_key}",
        "CorsAllowOrigin=https://news.example.com",
    )
    paths = translated["Resources"]["NewsApi"]["Properties"]["Body"]["paths"]
    needs_key = {
        (method.upper(), path)
        for path, methods in paths.items()
        for method, operation in methods.items()
        if operation.get("security") == [{"api_key": []}]
    }
    writes = {
        ("POST", "/articles"),
        ("POST", "/articles/batch"),
        ("DELETE", "/articles/{article_id}"),
        ("POST", "/articles/{article_id}/summarize"),
        ("POST", "/feeds"),
        ("POST", "/feeds/import"),
        ("DELETE", "/feeds/{feed_id}"),
    }
    reads = {
        ("GET", "/articles"),
        ("GET", "/articles/{article_id}"),
        ("GET", "/articles/{article_id}/digest"),
        ("GET", "/digests/{day}"),
        ("GET", "/feeds"),
        ("GET", "/feeds/{feed_id}"),
        ("GET", "/feeds.opml"),
    }
    assert needs_key == (writes | reads if reads_need_key == "true" else writes)
    assert ("OPTIONS", "/articles") not in needs_key and "options" in paths["/articles"]


@pytest.mark.parametrize(
    "parameters",
    [
        {},  # the defaults: no alarm email, this stack creates the account's API Gateway logging role
        {"AlarmEmail": "ops@example.com", "ApiGatewayLoggingRole": "existing", "SnapStart": "true"},
        {"PublicBaseUrl": "https://news.example.com", "ReadsRequireApiKey": "true"},
    ],
)
def test_every_reference_resolves_whichever_optional_parts_are_left_out(parameters):
    """With conditions resolved and the resources of false conditions dropped, as CloudFormation does,
    nothing refers to a resource that is not there (e.g. an alarm to AlarmTopic without AlarmEmail)."""
    translated = translate(
        ROOT / "template.yaml",
        "--resolve-conditions",
        *(f"{k}={v}" for k, v in parameters.items()),
    )
    known = set(translated["Resources"]) | set(translated["Parameters"])
    for section in ("Resources", "Outputs"):
        for logical, body in translated.get(section, {}).items():
            missing = {n for n in names_in(body) if not n.startswith("AWS::")} - known
            assert not missing, f"{logical} refers to {sorted(missing)}"
    resources = translated["Resources"]
    assert ("AlarmTopic" in resources) == bool(parameters.get("AlarmEmail"))
    assert ("ApiGatewayAccount" in resources) == (parameters.get("ApiGatewayLoggingRole") != "existing")
    snap_start = parameters.get("SnapStart") == "true"
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::Lambda::Function":
            apply_on = resource["Properties"]["SnapStart"]["ApplyOn"]
            assert apply_on == ("PublishedVersions" if snap_start else "None"), logical
