"""Print the CloudFormation template SAM makes of a SAM template, as JSON (run with the tools venv's
python: samtranslator lives there, not in the service's venv).

    .tools-venv/bin/python tests/template/sam_translate.py [--resolve-conditions] [template.yaml] [Name=v ...]

Offline: CodeUri becomes a placeholder S3 URI and no managed policy is looked up. Fn::If stays as
written (as `sam validate` leaves it), or with --resolve-conditions is resolved from the parameters
first, as AWS::LanguageExtensions does in CloudFormation before SAM's transform runs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def condition_values(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, bool]:
    values = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()} | parameters

    def evaluate(node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return values[arg]
            if key == "Condition":
                return evaluate(template["Conditions"][arg])
            if key == "Fn::Equals":
                return str(evaluate(arg[0])) == str(evaluate(arg[1]))
            if key == "Fn::Not":
                return not evaluate(arg[0])
            if key == "Fn::And":
                return all(evaluate(a) for a in arg)
            if key == "Fn::Or":
                return any(evaluate(a) for a in arg)
        return node

    return {name: bool(evaluate(c)) for name, c in template.get("Conditions", {}).items()}


def resolve_conditions(template: dict[str, Any], parameters: dict[str, str]) -> dict[str, Any]:
    conditions = condition_values(template, parameters)
    no_value = {"Ref": "AWS::NoValue"}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if list(node) == ["Fn::If"]:
                name, when_true, when_false = node["Fn::If"]
                return walk(when_true if conditions[name] else when_false)
            resolved = {k: walk(v) for k, v in node.items()}
            return {k: v for k, v in resolved.items() if v != no_value}
        if isinstance(node, list):
            return [walk(v) for v in node if walk(v) != no_value]
        return node

    return {**template, "Resources": walk(template["Resources"]), "Globals": walk(template["Globals"])}


def main() -> None:
    args = sys.argv[1:]
    as_cloudformation = "--resolve-conditions" in args
    args = [a for a in args if a != "--resolve-conditions"]
    paths = [Path(a) for a in args if "=" not in a]
    path = paths[0] if paths else Path("template.yaml")
    parameters = dict(arg.split("=", 1) for arg in args if "=" in arg)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(path.read_text())
    if as_cloudformation:
        template = resolve_conditions(template, parameters)
    # AWS::LanguageExtensions runs in CloudFormation; SAM's transform is what matters here.
    template["Transform"] = "AWS::Serverless-2016-10-31"
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://bucket/bundle.zip"
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"].pop("CodeUri", None)
    translated = transform(template, parameters, _NoManagedPolicies())
    if as_cloudformation:
        # CloudFormation creates no resource (and shows no output) whose condition is false.
        conditions = condition_values(translated, parameters)
        for section in ("Resources", "Outputs"):
            entries = translated.get(section, {}).items()
            translated[section] = {k: v for k, v in entries if conditions.get(v.get("Condition"), True)}
    json.dump(translated, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
