"""template.yaml, ready for a real account (issue 10): nothing stateful goes with the stack, every silent
failure raises an alarm, each function's role names only its own resources, the API keeps an access log,
and the email links need no parameter.

These read template.yaml as written; the `template`-marked tests in test_translated.py check what SAM
makes of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from newsdigest_local.template import Template

FUNCTIONS = (
    "IngestFunction",
    "ApiFunction",
    "SummarizeFunction",
    "SummarizeFailuresFunction",
    "SubscriptionsFunction",
    "DigestScheduleFunction",
    "DigestSendFunction",
    "MailEventsFunction",
    "FeedScheduleFunction",
    "FeedPollFunction",
)
# Cursors (ApiFunction), confirm/unsubscribe tokens (SubscriptionsFunction) and the unsubscribe link of
# every digest (DigestSendFunction) are signed or verified; nothing else touches the signing secret.
SIGNERS = {"ApiFunction", "SubscriptionsFunction", "DigestSendFunction"}


@pytest.fixture(scope="module")
def template() -> Template:
    return Template.load()


def resources_of(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template.resources.items() if v.get("Type") == kind}


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def names_in(value: Any) -> set[str]:
    """Logical ids a value refers to (Ref, Fn::GetAtt, ${X} / ${X.Attr} in Fn::Sub)."""
    import re

    found: set[str] = set()
    for node in walk(value):
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else str(arg).split(".")[0])
            elif key == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text)} - set(local)
    return found


def role_statements(template: Template, function: str) -> list[dict[str, Any]]:
    props = template.resources[function]["Properties"]
    role = props["Role"]["Fn::GetAtt"][0]
    assert template.resources[role]["Type"] == "AWS::IAM::Role"
    return [
        statement
        for policy in template.resources[role]["Properties"].get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def resources(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


# ---------------------------------------------------------------- item 4: nothing stateful is lost
def test_tables_and_the_signing_secret_are_retained_on_delete_and_on_replace(template):
    kept = {
        **resources_of(template, "AWS::DynamoDB::Table"),
        **resources_of(template, "AWS::SecretsManager::Secret"),
    }
    assert {"ArticlesTable", "SubscribersTable", "SigningSecret"} <= set(kept)
    for logical, resource in kept.items():
        assert resource.get("DeletionPolicy") == "Retain", logical
        assert resource.get("UpdateReplacePolicy") == "Retain", logical


def test_every_queue_and_log_group_says_what_happens_to_it(template):
    """cfn-lint's I3011 list: no stateful resource is left to the default (delete)."""
    for kind in ("AWS::SQS::Queue", "AWS::Logs::LogGroup"):
        for logical, resource in resources_of(template, kind).items():
            assert resource.get("DeletionPolicy") in {"Retain", "Delete"}, logical
            assert resource.get("UpdateReplacePolicy") in {"Retain", "Delete", "Snapshot"}, logical


def dead_letter_queues(template: Template) -> set[str]:
    """Every queue something parks failures in: redrive targets, function DLQs, on-failure destinations,
    the scheduler's dead-letter config."""
    found: set[str] = set()
    for node in walk(template.resources):
        if not isinstance(node, dict):
            continue
        for key in ("deadLetterTargetArn", "TargetArn", "Destination", "Arn"):
            target = node.get(key)
            if isinstance(target, dict) and "Fn::GetAtt" in target:
                logical = target["Fn::GetAtt"][0]
                if template.resources.get(logical, {}).get("Type") == "AWS::SQS::Queue":
                    found.add(logical)
    return found - {"DigestQueue"}


def alarms(template: Template) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of(template, "AWS::CloudWatch::Alarm").items()}


def alarm_on(template: Template, namespace: str, metric: str, dimension: Any = None) -> dict[str, Any]:
    found = [
        props
        for props in alarms(template).values()
        if props["Namespace"] == namespace
        and props["MetricName"] == metric
        and (dimension is None or [d["Value"] for d in props.get("Dimensions", [])] == [dimension])
    ]
    assert len(found) == 1, f"one alarm on {namespace} {metric} {dimension}, found {len(found)}"
    return found[0]


def test_each_dead_letter_queue_alarms_on_its_first_message(template):
    queues = dead_letter_queues(template)
    assert queues == {
        "SummarizeFailureQueue",
        "SummarizeFailureDeadLetterQueue",
        "DigestDeadLetterQueue",
        "DigestScheduleDeadLetterQueue",
        "MailEventsDeadLetterQueue",
        "FeedDeadLetterQueue",
        "FeedScheduleDeadLetterQueue",
    }
    for queue in queues:
        props = alarm_on(
            template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"Fn::GetAtt": [queue, "QueueName"]}
        )
        assert props["Threshold"] == 0 and props["ComparisonOperator"] == "GreaterThanThreshold", queue
        assert props["Statistic"] == "Maximum" and props["TreatMissingData"] == "notBreaching", queue


def test_each_function_alarms_on_errors_and_on_throttles(template):
    assert set(template.functions) == set(FUNCTIONS)
    for function in FUNCTIONS:
        for metric in ("Errors", "Throttles"):
            props = alarm_on(template, "AWS/Lambda", metric, {"Ref": function})
            assert props["Statistic"] == "Sum" and props["Threshold"] == 0, (function, metric)
            assert props["ComparisonOperator"] == "GreaterThanThreshold", (function, metric)


def test_ses_reputation_alarms_fire_before_ses_pauses_the_account(template):
    # SES reviews (and may pause) an account at a 5 % bounce rate and a 0.1 % complaint rate.
    bounce = alarm_on(template, "AWS/SES", "Reputation.BounceRate")
    complaint = alarm_on(template, "AWS/SES", "Reputation.ComplaintRate")
    assert 0.02 <= bounce["Threshold"] < 0.05
    assert 0.0005 <= complaint["Threshold"] < 0.001
    for props in (bounce, complaint):
        assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert "Dimensions" not in props  # the account's rate, the one SES acts on


def test_alarms_mail_the_optional_address_and_nothing_dangles_without_it(template):
    parameter = template.raw["Parameters"]["AlarmEmail"]
    assert parameter["Default"] == ""
    topic = template.resources["AlarmTopic"]
    assert topic["Condition"] == "HasAlarmEmail"
    assert template.raw["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }
    assert topic["Properties"]["Subscription"] == [{"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}]
    for logical, props in alarms(template).items():
        assert props["AlarmActions"] == {
            "Fn::If": ["HasAlarmEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]
        }, logical
    # Outside a Fn::If on its condition (or an output with it), nothing may name the conditional topic.
    guarded = json.dumps({"Fn::If": ["HasAlarmEmail", [{"Ref": "AlarmTopic"}], {"Ref": "AWS::NoValue"}]})
    others = {k: v for k, v in template.resources.items() if k != "AlarmTopic"}
    outputs = {k: v for k, v in template.raw["Outputs"].items() if v.get("Condition") != "HasAlarmEmail"}
    assert "AlarmTopic" not in json.dumps([others, outputs]).replace(guarded, "")
    assert "AlarmTopic" in names_in(template.raw["Outputs"]["AlarmTopicArn"])


# ---------------------------------------------------------------- item 6: least privilege
def test_each_function_has_its_own_role_without_managed_policies(template):
    roles = set()
    for function in FUNCTIONS:
        props = template.resources[function]["Properties"]
        assert "Policies" not in props, f"{function}: SAM would generate a role with managed policies"
        role = props["Role"]["Fn::GetAtt"][0]
        assert "ManagedPolicyArns" not in template.resources[role]["Properties"], role
        roles.add(role)
    assert len(roles) == len(FUNCTIONS)


def test_only_x_ray_writes_take_a_wildcard_resource(template):
    for function in FUNCTIONS:
        for statement in role_statements(template, function):
            if "*" in resources(statement):
                assert set(actions(statement)) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_each_function_logs_to_its_own_group_and_may_write_only_there(template):
    for function in FUNCTIONS:
        group = template.resources[function]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert template.resources[group]["Type"] == "AWS::Logs::LogGroup"
        assert template.resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        statements = role_statements(template, function)
        logs = [s for s in statements if any(a.startswith("logs:") for a in actions(s))]
        assert [resources(s) for s in logs] == [[{"Fn::GetAtt": [group, "Arn"]}]], function


def test_the_summarizer_reads_our_stream_only_and_the_sender_our_queue_only(template):
    stream_actions = {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"}
    # The summarizer reads the stream; SummarizeFailuresFunction reads back the ranges that failed.
    readers = {"SummarizeFunction", "SummarizeFailuresFunction"}
    for function in readers:
        (stream,) = [s for s in role_statements(template, function) if stream_actions & set(actions(s))]
        assert resources(stream) == [{"Fn::Sub": "${ArticlesTable.Arn}/stream/*"}]
    consumers = {
        "DigestSendFunction": "DigestQueue",
        "SummarizeFailuresFunction": "SummarizeFailureQueue",
        "FeedPollFunction": "FeedQueue",
    }
    for function, queue_name in consumers.items():
        (queue,) = [s for s in role_statements(template, function) if "sqs:ReceiveMessage" in actions(s)]
        assert resources(queue) == [{"Fn::GetAtt": [queue_name, "Arn"]}]
        assert {"sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= set(actions(queue))
    # Nobody else reads a stream or a queue.
    for function in set(FUNCTIONS) - readers:
        assert not any(stream_actions & set(actions(s)) for s in role_statements(template, function))
    for function in set(FUNCTIONS) - set(consumers):
        assert not any("sqs:ReceiveMessage" in actions(s) for s in role_statements(template, function))


def test_only_the_functions_that_sign_or_verify_can_read_the_secret(template):
    readers = set()
    for function in FUNCTIONS:
        for statement in role_statements(template, function):
            if any(a.startswith("secretsmanager:") for a in actions(statement)):
                assert actions(statement) == ["secretsmanager:GetSecretValue"]
                assert resources(statement) == [{"Ref": "SigningSecret"}]
                readers.add(function)
    assert readers == SIGNERS
    told = {
        f: spec.environment["NEWSDIGEST_SIGNING_SECRET_ARN"]
        for f, spec in template.functions.items()
        if "NEWSDIGEST_SIGNING_SECRET_ARN" in spec.environment
    }
    assert told == {function: {"Ref": "SigningSecret"} for function in SIGNERS}
    # No function outside the signers gets the secret or its value in any form.
    glob = template.raw["Globals"]["Function"]["Environment"]["Variables"]
    assert "SigningSecret" not in names_in(glob) and "secretsmanager" not in json.dumps(glob)
    for function in set(FUNCTIONS) - SIGNERS:
        assert "SigningSecret" not in names_in(template.resources[function])


def test_the_api_writes_a_json_access_log_with_retention_and_no_query_strings(template):
    api = template.resources["NewsApi"]["Properties"]
    setting = api["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    line = json.loads(setting["Format"])  # one JSON object per request
    assert {"requestId", "ip", "httpMethod", "resourcePath", "status", "responseLatency"} <= set(line)
    assert line["status"] == "$context.status" and line["requestId"] == "$context.requestId"
    # Confirm and unsubscribe links carry their token in the query string: the log must not.
    assert not any("querystring" in v.lower() or "requestOverride" in v for v in line.values())
    group = template.resources["ApiAccessLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_account_logging_role_is_optional_kept_and_set_before_the_stage(template):
    parameter = template.raw["Parameters"]["ApiGatewayLoggingRole"]
    assert set(parameter["AllowedValues"]) == {"create", "existing"}
    for logical in ("ApiGatewayCloudWatchRole", "ApiGatewayAccount"):
        resource = template.resources[logical]
        assert resource["Condition"] == "CreateApiGatewayLoggingRole", logical
        # Account-wide: another API of the account may log with it after this stack is gone.
        assert resource["DeletionPolicy"] == "Retain", logical
    assert template.resources["NewsApi"]["DependsOn"] == "ApiGatewayLoggingReady"
    ready = template.resources["ApiGatewayLoggingReady"]
    assert "Condition" not in ready
    assert ready["Metadata"]["AccountSettings"]["Fn::If"][:2] == [
        "CreateApiGatewayLoggingRole",
        {"Ref": "ApiGatewayAccount"},
    ]


# ---------------------------------------------------------------- item 3: links without a parameter
def test_public_base_url_is_optional(template):
    import re

    parameter = template.raw["Parameters"]["PublicBaseUrl"]
    assert parameter["Default"] == ""
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.fullmatch("") and pattern.fullmatch("https://news.example.com")
    assert not pattern.fullmatch("news.example.com")


def test_functions_behind_the_api_never_name_it_and_the_sender_falls_back_to_its_url(template):
    behind_api = {route.function for route in template.routes}
    assert behind_api == {"IngestFunction", "ApiFunction", "SubscriptionsFunction"}
    for function in behind_api:
        # The RestApi's body names each of these functions: naming the API back is a cycle.
        props = {k: v for k, v in template.resources[function]["Properties"].items() if k != "Events"}
        assert "NewsApi" not in names_in(props), function
        role = template.resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
        assert "NewsApi" not in names_in(template.resources[role]), role
    subscriptions = template.functions["SubscriptionsFunction"].environment
    assert subscriptions["NEWSDIGEST_PUBLIC_URL"] == {"Ref": "PublicBaseUrl"}  # empty: from the request
    sender = template.functions["DigestSendFunction"].environment["NEWSDIGEST_PUBLIC_URL"]
    condition, given, fallback = sender["Fn::If"]
    assert condition == "HasPublicBaseUrl" and given == {"Ref": "PublicBaseUrl"}
    assert fallback == template.raw["Outputs"]["ApiUrl"]["Value"]
