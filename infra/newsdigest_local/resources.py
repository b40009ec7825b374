"""Create (or find) on moto the resources that template.yaml declares, and resolve names and ARNs."""

from __future__ import annotations

import json
import secrets as random_secrets
from typing import Any

import boto3
from botocore.exceptions import ClientError

from newsdigest_local.template import ACCOUNT, REGION, Resolver, Template, local_name


def _table_request(name: str, props: dict[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TableName": name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if request["BillingMode"] == "PROVISIONED":
        request["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    stream = props.get("StreamSpecification")
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
    return request


def provision(
    template: Template, *, create: bool = True, parameters: dict[str, Any] | None = None
) -> Resolver:
    """Create every table, queue and secret of the template (skipping those that exist) and return a
    Resolver that knows their local names, ARNs and secret values."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    sqs = boto3.client("sqs", region_name=REGION)
    secretsmanager = boto3.client("secretsmanager", region_name=REGION)
    refs: dict[str, str] = {}
    attributes: dict[tuple[str, str], str] = {}
    secret_values: dict[str, str] = {}

    for logical, props in template.of_type("AWS::DynamoDB::Table").items():
        name = props.get("TableName") or local_name(logical)
        if create:
            try:
                dynamodb.create_table(**_table_request(name, props))
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ResourceInUseException":
                    raise
        table = dynamodb.describe_table(TableName=name)["Table"]
        refs[logical] = name
        attributes[(logical, "Arn")] = table["TableArn"]
        if table.get("LatestStreamArn"):
            attributes[(logical, "StreamArn")] = table["LatestStreamArn"]

    # Dead-letter queues first: a queue's RedrivePolicy names its DLQ's ARN.
    queues = sorted(template.of_type("AWS::SQS::Queue").items(), key=lambda kv: "RedrivePolicy" in kv[1])
    for logical, props in queues:
        name = props.get("QueueName") or local_name(logical)
        attributes_of_queue = {
            key: str(props[key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod") if key in props
        }
        if "RedrivePolicy" in props:
            policy = dict(props["RedrivePolicy"])
            dlq, _ = policy["deadLetterTargetArn"]["Fn::GetAtt"]
            policy["deadLetterTargetArn"] = attributes[(dlq, "Arn")]
            attributes_of_queue["RedrivePolicy"] = json.dumps(policy)
        url = (
            sqs.create_queue(QueueName=name, Attributes=attributes_of_queue)["QueueUrl"]
            if create
            else sqs.get_queue_url(QueueName=name)["QueueUrl"]
        )
        refs[logical] = url
        attributes[(logical, "Arn")] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}"
        attributes[(logical, "QueueName")] = name
        attributes[(logical, "QueueUrl")] = url

    for logical, props in template.of_type("AWS::SecretsManager::Secret").items():
        name = props.get("Name") or local_name(logical)
        try:
            found = secretsmanager.describe_secret(SecretId=name)
        except ClientError:
            if not create:
                raise
            value = random_secrets.token_urlsafe(36)
            found = secretsmanager.create_secret(Name=name, SecretString=value)
        arn = found["ARN"]
        refs[logical] = arn
        attributes[(logical, "Id")] = arn
        for key in (arn, name):
            secret_values[key] = secretsmanager.get_secret_value(SecretId=arn)["SecretString"]

    s3 = boto3.client("s3", region_name=REGION)
    for logical, props in template.of_type("AWS::S3::Bucket").items():
        name = props.get("BucketName") or local_name(logical).lower()  # bucket names are lower case
        if create:
            _create_bucket(s3, name, props)
        refs[logical] = name
        attributes[(logical, "Arn")] = f"arn:aws:s3:::{name}"

    sns = boto3.client("sns", region_name=REGION)
    for logical in template.of_type("AWS::SNS::Topic"):
        arn = sns.create_topic(Name=local_name(logical))["TopicArn"]  # idempotent
        refs[logical] = arn
        attributes[(logical, "TopicArn")] = arn
        attributes[(logical, "TopicName")] = local_name(logical)

    resolver = Resolver(template, attributes, refs, secret_values, parameters)
    if create:
        _provision_mail(template, resolver)
    return resolver


def _create_bucket(s3: Any, name: str, props: dict[str, Any]) -> None:
    """The bucket with its lifecycle rules (moto keeps them; it does not run them)."""
    try:
        s3.create_bucket(Bucket=name)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
            raise
    if (props.get("VersioningConfiguration") or {}).get("Status") == "Enabled":
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    rules = (props.get("LifecycleConfiguration") or {}).get("Rules") or []
    if rules:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name, LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in rules]}
        )


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule in the S3 API's shape."""
    api: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"]}
    tags = rule.get("TagFilters") or []
    api["Filter"] = {"Tag": tags[0]} if len(tags) == 1 else {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        api["Expiration"] = {"Days": rule["ExpirationInDays"]}
    elif rule.get("ExpiredObjectDeleteMarker"):
        api["Expiration"] = {"ExpiredObjectDeleteMarker": True}
    if "NoncurrentVersionExpiration" in rule:
        api["NoncurrentVersionExpiration"] = rule["NoncurrentVersionExpiration"]
    if "AbortIncompleteMultipartUpload" in rule:
        api["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    return api


def _provision_mail(template: Template, resolver: Resolver) -> None:
    """SES: the configuration sets, and the sender identity (moto verifies it at once; SES only sends from
    verified identities)."""
    sesv2 = boto3.client("sesv2", region_name=REGION)
    for logical, props in template.of_type("AWS::SES::ConfigurationSet").items():
        name = str(resolver.resolve(props.get("Name"))) if props.get("Name") else local_name(logical)
        resolver.refs[logical] = name
        try:
            sesv2.create_configuration_set(ConfigurationSetName=name)
        except ClientError as exc:
            if "AlreadyExists" not in exc.response["Error"]["Code"]:
                raise
    sender = resolver.parameters.get("SenderAddress")
    if sender:
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=str(sender))


def empty(template: Template, resolver: Resolver) -> None:
    """Empty what the template's resources hold, as if they had just been provisioned, without provisioning
    them again: tables dropped and re-created (which also starts their streams afresh), queues purged,
    buckets emptied (every version), and
    the mail SES accepted and the notifications SNS published forgotten (in-process moto only; queues may
    be purged more than once a minute with MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR=false)."""
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    for logical, props in template.of_type("AWS::DynamoDB::Table").items():
        name = resolver.refs[logical]
        dynamodb.delete_table(TableName=name)
        table = dynamodb.create_table(**_table_request(name, props))["TableDescription"]
        if table.get("LatestStreamArn"):
            resolver.attributes[(logical, "StreamArn")] = table["LatestStreamArn"]
    sqs = boto3.client("sqs", region_name=REGION)
    for logical in template.of_type("AWS::SQS::Queue"):
        sqs.purge_queue(QueueUrl=resolver.refs[logical])
    s3 = boto3.client("s3", region_name=REGION)
    for logical in template.of_type("AWS::S3::Bucket"):
        bucket = resolver.refs[logical]
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            doomed = [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
            for version in doomed:
                s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    ses_backends[ACCOUNT][REGION].sent_messages.clear()
    for topic in sns_backends[ACCOUNT][REGION].topics.values():
        topic.sent_notifications.clear()
