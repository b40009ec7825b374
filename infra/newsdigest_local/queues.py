"""Event sources that poll: the SQS event source mapping (batch, invoke, delete what succeeded, honour
ReportBatchItemFailures; the queue's own RedrivePolicy moves a message to its DLQ after maxReceiveCount)
and SNS subscriptions of functions (moto keeps what a topic published; each new notification becomes an
SNS event, as Lambda's asynchronous invocation would deliver it)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3

from newsdigest_local.runtime import LocalRuntime
from newsdigest_local.template import ACCOUNT, REGION, QueueSource, TopicSource


class Poller(threading.Thread):
    """A daemon thread that calls ``poll_once`` until stopped, pausing when there was nothing to do."""

    name_prefix = "poller"

    def __init__(self, label: str, log: Any, poll_interval: float = 0.2) -> None:
        super().__init__(name=f"{self.name_prefix}-{label}", daemon=True)
        self.label = label
        self.log = log
        self.poll_interval = poll_interval
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()

    def poll_once(self) -> int:
        raise NotImplementedError

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                done = self.poll_once()
            except Exception as exc:  # a hiccup of the stand-in must not kill the mapping
                self.log(f"{self.label}: {type(exc).__name__}: {exc}")
                done = 0
            if not done:
                self._stop_event.wait(self.poll_interval)


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """A ReceiveMessage message as the SQS event source mapping hands it to the function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", hashlib.md5(message["Body"].encode()).hexdigest()),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class QueuePoller(Poller):
    name_prefix = "sqs"

    def __init__(
        self,
        source: QueueSource,
        queue_url: str,
        queue_arn: str,
        runtime: LocalRuntime,
        *,
        poll_interval: float = 0.2,
        visibility_timeout: int | None = None,
    ) -> None:
        super().__init__(source.function, runtime.log, poll_interval)
        self.source = source
        self.queue_url = queue_url
        self.queue_arn = queue_arn
        self.runtime = runtime
        # As on Lambda, a failed message is left alone: it comes back once the queue's VisibilityTimeout
        # (template.yaml; moto applies it at receive) has passed, and goes to the DLQ after
        # maxReceiveCount receives. A number here shortens that wait (tests), never the default.
        self.visibility_timeout = visibility_timeout
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.delivered = 0
        self.failed = 0

    def poll_once(self) -> int:
        """Receive one batch and deliver it; returns the number of messages received."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(10, self.source.batch_size),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        records = [sqs_record(m, self.queue_arn) for m in messages]
        ids = {r["messageId"] for r in records}
        what = f"SQS batch of {len(records)} message(s)"
        try:
            result = self.runtime.invoke(self.source.function, {"Records": records}, what, _failures)
            failed = {f.get("itemIdentifier") for f in (result or {}).get("batchItemFailures", [])}
            if not self.source.report_failures and failed:
                failed = ids
            if failed - ids:  # an identifier that names no message fails the whole batch, as on Lambda
                failed = ids
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # the invocation died (error, crash): the whole batch comes back
            failed = ids
        for message in messages:
            if message["MessageId"] in failed:
                self.failed += 1
                if self.visibility_timeout is not None:
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=self.visibility_timeout,
                    )
            else:
                self.delivered += 1
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)


def _failures(result: Any) -> str:
    failures = len((result or {}).get("batchItemFailures", []))
    return f"ok, {failures} failed message(s)" if failures else "ok"


def sns_event(topic_arn: str, message_id: str, message: str, subject: str | None) -> dict[str, Any]:
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": message_id,
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "SignatureVersion": "1",
                    "Signature": "local",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/local.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


class TopicPoller(Poller):
    """Delivers what is published to a topic to its subscribed function. Reads moto's in-process record of
    published notifications, so it works with in-process moto and with the stack's moto server thread."""

    name_prefix = "sns"

    def __init__(
        self, source: TopicSource, topic_arn: str, runtime: LocalRuntime, *, poll_interval: float = 0.2
    ) -> None:
        super().__init__(source.function, runtime.log, poll_interval)
        self.source = source
        self.topic_arn = topic_arn
        self.runtime = runtime
        self.seen = len(self._published())
        self.delivered = 0

    def _published(self, start: int = 0) -> list[Any]:
        """What the topic published, from the ``start``-th notification on (moto keeps them all)."""
        from moto.sns.models import sns_backends

        topic = sns_backends[ACCOUNT][REGION].topics.get(self.topic_arn)
        return list(topic.sent_notifications[start:]) if topic else []

    def poll_once(self) -> int:
        fresh = self._published(self.seen)
        for message_id, message, subject, *_ in fresh:
            self.seen += 1
            event = sns_event(self.topic_arn, message_id, message, subject)
            try:
                self.runtime.invoke(self.source.function, event, "SNS notification")
                self.delivered += 1
            except Exception:  # asynchronous invocation: Lambda would retry twice, then the DLQ
                self.log(f"{self.source.function}: SNS notification {message_id} failed")
        return len(fresh)


def queue_pollers(runtime: LocalRuntime, resolver: Any, **kwargs: Any) -> list[QueuePoller]:
    return [
        QueuePoller(
            source,
            resolver.refs[source.queue],
            resolver.get_att(source.queue, "Arn"),
            runtime,
            **kwargs,
        )
        for spec in runtime.specs.values()
        for source in spec.queues
    ]


def topic_pollers(runtime: LocalRuntime, resolver: Any, **kwargs: Any) -> list[TopicPoller]:
    return [
        TopicPoller(source, resolver.refs[source.topic], runtime, **kwargs)
        for spec in runtime.specs.values()
        for source in spec.topics
    ]


def wait_drained(pollers: list[QueuePoller], timeout: float = 10.0) -> None:
    """Block until the queues are empty (tests); the pollers may run in their threads meanwhile."""
    deadline = time.monotonic() + timeout
    sqs = boto3.client("sqs", region_name=REGION)
    while time.monotonic() < deadline:
        counts = [
            sqs.get_queue_attributes(
                QueueUrl=p.queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            for p in pollers
        ]
        waiting = [
            int(c["ApproximateNumberOfMessages"]) + int(c["ApproximateNumberOfMessagesNotVisible"])
            for c in counts
        ]
        if not any(waiting):
            return
        time.sleep(0.05)
    raise TimeoutError("the queues still held messages after the timeout: " + json.dumps(counts))
