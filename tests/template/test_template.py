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
    # --include-checks I: informational findings too (e.g. I3011, a stateful resource left to the default).
    run_tool("cfn-lint", "--include-checks", "I", "--", "template.yaml")


@pytest.mark.template
def test_sam_build(tmp_path: Path):
    run_tool("sam", "build", "--template", "template.yaml", "--build-dir", str(tmp_path), timeout=600)
    for function in Template.load().functions:
        assert (tmp_path / function / "newsdigest" / "handlers").is_dir()
        assert (tmp_path / function / "aws_lambda_powertools").is_dir()
        assert not (tmp_path / function / "moto").exists(), (
            "test-only dependencies must stay out of the bundle"
        )
        assert_compiled(tmp_path / function)


def runtime_tag() -> str:
    """cpython-313 for python3.13: the tag of the .pyc files the Lambda runtime will look for."""
    runtime = Template.load().raw["Globals"]["Function"]["Runtime"]
    major, minor = re.fullmatch(r"python(\d)\.(\d+)", runtime).groups()  # type: ignore[union-attr]
    return f"cpython-{major}{minor}"


def assert_compiled(bundle: Path) -> None:
    """Every module ships its bytecode for the runtime's interpreter, used without checking the source
    (flags 0b01: hash-based, unchecked), so a cold start compiles nothing."""
    tag = runtime_tag()
    sources = list(bundle.rglob("*.py"))
    assert len(sources) > 100
    for source in sources:
        compiled = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert compiled.is_file(), f"{source.relative_to(bundle)} has no {tag} bytecode"
        flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
        assert flags == 0b01, f"{compiled.relative_to(bundle)}: flags {flags:#b}, want unchecked-hash"


def test_the_build_makefile_targets_the_runtime_and_architecture():
    glob = Template.load().raw["Globals"]["Function"]
    makefile = (ROOT / "functions" / "Makefile").read_text()
    version = glob["Runtime"].removeprefix("python")
    assert f"PYTHON ?= python{version}\n" in makefile and f"PYTHON_VERSION := {version}\n" in makefile
    assert glob["Architectures"] == ["arm64"] and "aarch64" in makefile
    for logical, props in Template.load().resources.items():
        if props["Type"] == "AWS::Serverless::Function":
            assert props["Metadata"]["BuildMethod"] == "makefile", logical


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
    template = Template.load()
    statements = 0
    for logical, props in template.of_type("AWS::IAM::Role").items():
        for policy in props.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                statements += 1
                action = statement["Action"]
                # X-Ray's write actions take no resource.
                if set([action] if isinstance(action, str) else action) <= {
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                }:
                    continue
                assert statement.get("Resource") not in ("*", ["*"]), f"{logical} has a wildcard resource"
    assert statements >= len(template.functions)


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


def test_the_summarizer_stream_reports_failures_and_never_sees_its_own_writes():
    functions = Template.load().functions
    assert {"IngestFunction", "ApiFunction", "SummarizeFunction"} <= set(functions)
    stream = functions["SummarizeFunction"].streams[0]
    assert stream.table == "ArticlesTable"
    assert stream.report_failures and stream.bisect and 0 < stream.max_retries <= 10
    assert stream.on_failure_queue == "SummarizeFailureQueue"
    assert stream.filters, "the summarizer must not be fed its own writes"


@pytest.mark.template
def test_checkov_finds_nothing_but_the_accepted():
    run_tool("checkov", "--config-file", "infra/checkov.yaml")


def test_every_skipped_checkov_check_is_explained_in_the_readme():
    import yaml

    skipped = yaml.safe_load((ROOT / "infra" / "checkov.yaml").read_text())["skip-check"]
    in_template = re.findall(r"- id: (CKV_\w+)", (ROOT / "template.yaml").read_text())
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### checkov") :]
    explained = re.findall(r"^\| `(CKV_\w+)`", section, flags=re.MULTILINE)
    assert skipped and sorted(explained) == sorted(set(skipped) | set(in_template))


def test_every_queue_is_encrypted_which_checkov_cannot_see():
    """CKV_AWS_27 is skipped because it reads only KmsMasterKeyId: this checks SSE-SQS instead."""
    queues = Template.load().of_type("AWS::SQS::Queue")
    assert queues and all(props.get("SqsManagedSseEnabled") is True for props in queues.values())


def test_the_fetchers_loopback_setting_is_never_in_the_template():
    """Tests and the local stack may let the fetcher reach a port on 127.0.0.1; a deployment never can."""
    assert "NEWSDIGEST_FETCH_ALLOW_LOOPBACK_PORTS" not in (ROOT / "template.yaml").read_text()


def test_a_page_fetch_fits_in_api_gateways_29_seconds():
    spec = Template.load().resources["IngestFunction"]["Properties"]
    fetch = float(spec["Environment"]["Variables"]["NEWSDIGEST_FETCH_TIMEOUT"])
    assert fetch + 5 <= spec["Timeout"] < 29
