"""Print the CloudFormation template SAM makes of a SAM template, as JSON (run with the tools venv's
python: samtranslator lives there, not in the service's venv).

    .tools-venv/bin/python tests/template/sam_translate.py [template.yaml] [Name=value ...]

Offline: CodeUri becomes a placeholder S3 URI and no managed policy is looked up. Fn::If stays as
written (as `sam validate` leaves it)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class _NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


def main() -> None:
    args = sys.argv[1:]
    path = Path(args.pop(0)) if args and "=" not in args[0] else Path("template.yaml")
    parameters = dict(arg.split("=", 1) for arg in args)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(path.read_text())
    # AWS::LanguageExtensions runs in CloudFormation; SAM's transform is what matters here.
    template["Transform"] = "AWS::Serverless-2016-10-31"
    template.setdefault("Globals", {}).setdefault("Function", {})["CodeUri"] = "s3://bucket/bundle.zip"
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"].pop("CodeUri", None)
    json.dump(transform(template, parameters, _NoManagedPolicies()), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
