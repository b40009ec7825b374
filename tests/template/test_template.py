"""template.yaml: valid for SAM and cfn-lint, buildable, and true to the code."""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from newsdigest_local.template import Template

from tests.conftest import ROOT

TOOLS = Path(os.environ.get("NEWSDIGEST_TOOLS_BIN", ROOT / ".tools-venv" / "bin"))


def tool(name: str) -> str:
    path = TOOLS / name
    if not path.exists():
        pytest.skip(f"{name} not installed in {TOOLS} (make test installs it)")
    return str(path)


def tools_env() -> dict[str, str]:
    env = dict(os.environ, SAM_CLI_TELEMETRY="0")
    # sam build needs a python3.12 interpreter; on pyenv machines make every installed 3.1x visible.
    if shutil.which("pyenv"):
        versions = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True
        ).stdout.split()
        env["PYENV_VERSION"] = ":".join(v for v in versions if re.match(r"^3\.1[1-3]\.", v))
    return env


def run_tool(name: str, *args: str, timeout: int = 300) -> None:
    result = subprocess.run(
        [tool(name), *args], cwd=ROOT, capture_output=True, text=True, env=tools_env(), timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.template
def test_sam_validate_lint():
    run_tool("sam", "validate", "--lint", "--template", "template.yaml")


@pytest.mark.template
def test_cfn_lint():
    run_tool("cfn-lint", "template.yaml")


@pytest.mark.template
def test_sam_build(tmp_path: Path):
    run_tool("sam", "build", "--template", "template.yaml", "--build-dir", str(tmp_path), timeout=600)
    for function in Template.load().functions:
        assert (tmp_path / function / "newsdigest" / "handlers").is_dir()
        assert (tmp_path / function / "aws_lambda_powertools").is_dir()
        assert not (tmp_path / function / "moto").exists(), (
            "test-only dependencies must stay out of the bundle"
        )


def test_every_handler_exists():
    for spec in Template.load().functions.values():
        module, func = spec.handler.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), func)), spec.handler


def test_template_routes_and_code_routes_agree():
    """Each Api event reaches a function whose resolver has that route, and no code route is unreachable."""
    template = Template.load()
    declared: dict[str, set[tuple[str, str]]] = {}
    for route in template.routes:
        declared.setdefault(route.function, set()).add((route.method, route.path))
    for logical, routes in declared.items():
        module = importlib.import_module(template.functions[logical].handler.rsplit(".", 1)[0])
        app = module.app
        in_code = {
            (route.method, route.path.replace("<", "{").replace(">", "}"))
            for route in app._static_routes + app._dynamic_routes
        }
        assert in_code == routes, f"{logical}: template {sorted(routes)} vs code {sorted(in_code)}"


def test_policies_are_scoped_to_resources():
    for logical, props in Template.load().of_type("AWS::Serverless::Function").items():
        for policy in props.get("Policies", []):
            for statement in policy.get("Statement", []) if isinstance(policy, dict) else []:
                assert statement.get("Resource") not in ("*", ["*"]), f"{logical} has a wildcard resource"


def test_lambda_requirements_match_the_project_dependencies():
    import tomllib

    declared = {
        re.split(r"[<>=\[ ]", d)[0].lower()
        for d in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    bundled = {
        re.split(r"[<>=\[ ]", line)[0].lower()
        for line in (ROOT / "functions" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert bundled == declared - {"boto3"}  # boto3 comes with the Lambda runtime


def test_every_write_needs_an_api_key_and_reads_follow_the_switch():
    template = Template.load()
    from newsdigest_local.template import Resolver

    public = Resolver(template, {}, {}, {})
    private = Resolver(template, {}, {}, {}, parameters={"ReadsRequireApiKey": "true"})
    for route in template.routes:
        if route.function == "SubscriptionsFunction":
            # Links in people's inboxes and mail providers' one-click POSTs carry no key.
            assert not private.api_key_required(route), f"{route.method} {route.path} must stay public"
        elif route.method in {"POST", "DELETE", "PUT", "PATCH"}:
            assert route.api_key_required is True, f"{route.method} {route.path} must need the API key"
        elif route.path in {"/health", "/openapi.json", "/docs"}:
            assert not private.api_key_required(route)
        elif route.method == "GET":
            assert not public.api_key_required(route) and private.api_key_required(route), route.path
    usage_plan = template.of_type("AWS::Serverless::Api")["NewsApi"]["Auth"]["UsagePlan"]
    assert usage_plan["CreateUsagePlan"] == "PER_API" and usage_plan["Throttle"]["RateLimit"] > 0


def test_the_fetchers_loopback_setting_is_never_in_the_template():
    """Tests and the local stack may let the fetcher reach a port on 127.0.0.1; a deployment never can."""
    assert "NEWSDIGEST_FETCH_ALLOW_LOOPBACK_PORTS" not in (ROOT / "template.yaml").read_text()


def test_a_page_fetch_fits_in_api_gateways_29_seconds():
    spec = Template.load().resources["IngestFunction"]["Properties"]
    fetch = float(spec["Environment"]["Variables"]["NEWSDIGEST_FETCH_TIMEOUT"])
    assert fetch + 5 <= spec["Timeout"] < 29
