"""Read template.yaml: the tables, queues, secrets and functions (with their triggers) it declares.

The local stack and the tests build everything from this, so local and deployed cannot drift.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"
LOCAL_PREFIX = "newsdigest-local"
REGION = "us-east-1"
ACCOUNT = "123456789012"
# Parameters without a Default (they must be given at deploy time) take these values on this machine.
LOCAL_PARAMETERS = {"PublicBaseUrl": "http://127.0.0.1:3000", "SenderAddress": "digest@newsdigest.local"}


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that understands CloudFormation's short tags (!Ref, !GetAtt, !Sub, ...)."""


def _cfn_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    key = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {key: value}


_CfnLoader.add_multi_constructor("!", _cfn_tag)


@dataclass(frozen=True)
class ApiRoute:
    function: str
    method: str
    path: str
    # ApiKeyRequired as written in the template (may be an intrinsic); resolve it with a Resolver.
    api_key_required: Any = False

    @property
    def pattern(self) -> re.Pattern[str]:
        """Matches a whole request path (use ``fullmatch``: ``$`` would also match before a trailing
        newline). A ``{param}`` is one non-empty segment, a greedy ``{param+}`` one or more."""
        regex = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>[^/]+(?:/[^/]+)*)", re.escape(self.path))
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", regex)
        return re.compile(regex)

    @property
    def rank(self) -> tuple[int, ...]:
        """API Gateway's precedence, segment by segment: literal (0) before ``{param}`` (1) before
        ``{param+}`` (2); the smallest rank among the resources that match a path wins."""
        segments = self.path.strip("/").split("/")
        return tuple(2 if s.endswith("+}") else 1 if s.startswith("{") else 0 for s in segments)

    @property
    def specificity(self) -> tuple[int, int]:
        segments = self.path.strip("/").split("/")
        return (sum(1 for s in segments if not s.startswith("{")), len(segments))


@dataclass(frozen=True)
class StreamSource:
    function: str
    table: str
    batch_size: int
    max_retries: int
    bisect: bool
    report_failures: bool
    filters: tuple[dict[str, Any], ...]
    on_failure_queue: str | None
    starting_position: str


@dataclass(frozen=True)
class QueueSource:
    function: str
    queue: str  # logical id of the AWS::SQS::Queue
    batch_size: int
    report_failures: bool


@dataclass(frozen=True)
class TopicSource:
    function: str
    topic: str  # logical id of the AWS::SNS::Topic


@dataclass
class FunctionSpec:
    logical_id: str
    handler: str
    timeout: int
    memory: int
    environment: dict[str, Any]
    routes: list[ApiRoute] = field(default_factory=list)
    streams: list[StreamSource] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    queues: list[QueueSource] = field(default_factory=list)
    topics: list[TopicSource] = field(default_factory=list)


@dataclass
class Template:
    raw: dict[str, Any]

    @classmethod
    def load(cls, path: Path = TEMPLATE_PATH) -> Template:
        return cls(yaml.load(path.read_text(), Loader=_CfnLoader))

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        return self.raw.get("Resources", {})

    def of_type(self, kind: str) -> dict[str, dict[str, Any]]:
        return {k: v.get("Properties", {}) for k, v in self.resources.items() if v.get("Type") == kind}

    def parameter_defaults(self) -> dict[str, Any]:
        return {k: v.get("Default") for k, v in self.raw.get("Parameters", {}).items()}

    @property
    def functions(self) -> dict[str, FunctionSpec]:
        glob = self.raw.get("Globals", {}).get("Function", {})
        specs = {}
        for logical, props in self.of_type("AWS::Serverless::Function").items():
            env = dict(glob.get("Environment", {}).get("Variables", {}))
            env.update(props.get("Environment", {}).get("Variables", {}))
            spec = FunctionSpec(
                logical_id=logical,
                handler=props.get("Handler", glob.get("Handler", "")),
                timeout=int(props.get("Timeout", glob.get("Timeout", 3))),
                memory=int(props.get("MemorySize", glob.get("MemorySize", 128))),
                environment=env,
            )
            for event_id, event in props.get("Events", {}).items():
                p = event.get("Properties", {})
                if event["Type"] == "Api":
                    default = self.api_auth(p.get("RestApiId")).get("ApiKeyRequired", False)
                    required = p.get("Auth", {}).get("ApiKeyRequired", default)
                    spec.routes.append(ApiRoute(logical, p["Method"].upper(), p["Path"], required))
                elif event["Type"] == "DynamoDB":
                    filters = tuple(
                        yaml.safe_load(f["Pattern"]) if isinstance(f["Pattern"], str) else f["Pattern"]
                        for f in p.get("FilterCriteria", {}).get("Filters", [])
                    )
                    on_failure = p.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
                    spec.streams.append(
                        StreamSource(
                            function=logical,
                            table=p["Stream"]["Fn::GetAtt"][0],
                            batch_size=int(p.get("BatchSize", 100)),
                            max_retries=int(p.get("MaximumRetryAttempts", -1)),
                            bisect=bool(p.get("BisectBatchOnFunctionError", False)),
                            report_failures="ReportBatchItemFailures" in p.get("FunctionResponseTypes", []),
                            filters=filters,
                            on_failure_queue=on_failure["Fn::GetAtt"][0] if on_failure else None,
                            starting_position=p.get("StartingPosition", "LATEST"),
                        )
                    )
                elif event["Type"] in {"ScheduleV2", "Schedule"}:
                    # Locally a schedule is known by its event's id (SAM derives the deployed name from it).
                    spec.schedules.append({**p, "name": event_id, "function": logical})
                elif event["Type"] == "SQS":
                    spec.queues.append(
                        QueueSource(
                            function=logical,
                            queue=p["Queue"]["Fn::GetAtt"][0],
                            batch_size=int(p.get("BatchSize", 10)),
                            report_failures="ReportBatchItemFailures" in p.get("FunctionResponseTypes", []),
                        )
                    )
                elif event["Type"] == "SNS":
                    spec.topics.append(TopicSource(function=logical, topic=p["Topic"]["Ref"]))
            specs[logical] = spec
        return specs

    def api_auth(self, rest_api: Any) -> dict[str, Any]:
        logical = rest_api.get("Ref") if isinstance(rest_api, dict) else None
        api = self.of_type("AWS::Serverless::Api").get(logical or "", {})
        return dict(api.get("Auth", {}))

    @property
    def schedules(self) -> list[dict[str, Any]]:
        return [s for f in self.functions.values() for s in f.schedules]

    @property
    def routes(self) -> list[ApiRoute]:
        routes = [r for f in self.functions.values() for r in f.routes]
        return sorted(routes, key=lambda r: r.specificity, reverse=True)


def local_name(logical_id: str) -> str:
    """The physical name a resource gets on the local stack (CloudFormation would make one up)."""
    return f"{LOCAL_PREFIX}-{logical_id}"


class Resolver:
    """Resolves intrinsic functions the way CloudFormation would, for the local stack's resources."""

    def __init__(
        self,
        template: Template,
        attributes: dict[tuple[str, str], str],
        refs: dict[str, str],
        secrets: dict[str, str],
        parameters: dict[str, Any] | None = None,
    ) -> None:
        self.template = template
        self.attributes = attributes
        self.refs = refs
        self.secrets = secrets
        defaults = {k: v for k, v in template.parameter_defaults().items() if v is not None}
        self.parameters = LOCAL_PARAMETERS | defaults | (parameters or {})

    def condition(self, name: str) -> bool:
        return bool(self.resolve(self.template.raw.get("Conditions", {})[name]))

    def ref(self, name: str) -> str:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": LOCAL_PREFIX,
            "AWS::Partition": "aws",
            "AWS::NoValue": "",
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return str(self.parameters[name])
        return self.refs.get(name, local_name(name))

    def get_att(self, logical: str, attr: str) -> str:
        return self.attributes.get((logical, attr), f"arn:aws:local:{REGION}:{ACCOUNT}:{local_name(logical)}")

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return None if arg == "AWS::NoValue" else self.ref(arg)
            if key == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else str(arg).split(".", 1)
                return self.get_att(logical, attr)
            if key == "Fn::Sub":
                text, extra = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                return self._dynamic(self._sub(text, {k: self.resolve(v) for k, v in extra.items()}))
            if key == "Fn::Join":
                return str(arg[0]).join(str(self.resolve(v)) for v in arg[1])
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.resolve(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                return str(self.resolve(arg[0])) == str(self.resolve(arg[1]))
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Condition":
                return self.condition(arg)
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return self._dynamic(value) if isinstance(value, str) else value

    def _sub(self, text: str, extra: dict[str, Any]) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in extra:
                return str(extra[name])
            if "." in name and not name.startswith("AWS::"):
                logical, attr = name.split(".", 1)
                return self.get_att(logical, attr)
            return self.ref(name)

        return re.sub(r"\$\{([^}!][^}]*)\}", one, text)

    def _dynamic(self, text: str) -> str:
        def secret(match: re.Match[str]) -> str:
            return self.secrets.get(match.group(1), "")

        return re.sub(r"\{\{resolve:secretsmanager:([^:}]+(?::[^:}]+)*?):SecretString\}\}", secret, text)

    def api_key_required(self, route: ApiRoute) -> bool:
        value = self.resolve(route.api_key_required)
        return value is True or str(value).lower() == "true"

    def function_environment(self, spec: FunctionSpec) -> dict[str, str]:
        return {k: str(self.resolve(v)) for k, v in spec.environment.items()}
