"""The emulated SQS event source mapping: what happens to a message the function failed on."""

from __future__ import annotations

from typing import Any

from newsdigest_local.queues import QueuePoller
from newsdigest_local.template import QueueSource


class FakeRuntime:
    def __init__(self) -> None:
        self.log = lambda line: None

    def invoke(self, function: str, event: dict[str, Any], what: str, outcome: Any = None) -> Any:
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"]]}


class FakeSqs:
    def __init__(self) -> None:
        self.visibility_changes: list[int] = []
        self.deleted: list[str] = []

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        return {"Messages": [{"MessageId": "m1", "ReceiptHandle": "r1", "Body": "{}"}]}

    def change_message_visibility(self, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:
        self.visibility_changes.append(VisibilityTimeout)

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        self.deleted.append(ReceiptHandle)


def poller(**options: Any) -> tuple[QueuePoller, FakeSqs]:
    source = QueueSource("DigestSendFunction", "DigestQueue", 10, True)
    p = QueuePoller(source, "http://queue", "arn:queue", FakeRuntime(), **options)  # type: ignore[arg-type]
    sqs = FakeSqs()
    p.sqs = sqs  # type: ignore[assignment]
    return p, sqs


def test_a_failed_message_is_left_to_the_queues_visibility_timeout_by_default():
    p, sqs = poller()
    p.poll_once()
    assert p.failed == 1 and sqs.visibility_changes == [] and sqs.deleted == []


def test_a_configured_visibility_timeout_shortens_the_wait():
    p, sqs = poller(visibility_timeout=0)
    p.poll_once()
    assert p.failed == 1 and sqs.visibility_changes == [0] and sqs.deleted == []
