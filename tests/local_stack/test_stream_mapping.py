"""The emulated stream event source mapping: filters, partial-failure retries, bisection, on-failure."""

from __future__ import annotations

import json
from typing import Any

from newsdigest_local.streams import StreamPoller, matches
from newsdigest_local.template import StreamSource, Template

PATTERN = Template.load().functions["SummarizeFunction"].streams[0].filters[0]


def record(seq: int, status: str = "pending", event: str = "INSERT") -> dict[str, Any]:
    return {
        "eventName": event,
        "dynamodb": {"SequenceNumber": str(seq), "NewImage": {"summary_status": {"S": status}}},
    }


def test_the_template_filter_passes_only_pending_versions():
    assert matches(PATTERN, record(1))
    assert matches(PATTERN, record(1, event="MODIFY"))
    assert not matches(PATTERN, record(1, status="ready"))
    assert not matches(PATTERN, {"eventName": "REMOVE", "dynamodb": {"SequenceNumber": "1"}})


def test_filter_operators():
    assert matches({"a": [{"exists": False}]}, {"b": 1})
    assert not matches({"a": [{"exists": True}]}, {"b": 1})
    assert matches({"a": [{"prefix": "ab"}]}, {"a": "abc"})
    assert matches({"a": [{"anything-but": ["x"]}]}, {"a": "y"})
    assert not matches({"a": [{"anything-but": ["x"]}]}, {"a": "x"})


class FakeRuntime:
    """Answers each invocation from a script: a set of failing sequence numbers, or an exception."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script
        self.batches: list[list[str]] = []
        self.log = lambda line: None

    def invoke(self, function: str, event: dict[str, Any], what: str, outcome: Any = None) -> Any:
        self.batches.append([r["dynamodb"]["SequenceNumber"] for r in event["Records"]])
        step = self.script.pop(0) if self.script else set()
        if isinstance(step, Exception):
            raise step
        return {"batchItemFailures": [{"itemIdentifier": s} for s in sorted(step)]}


class FakeSqs:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:
        self.messages.append(json.loads(MessageBody))


def poller(runtime: FakeRuntime, retries: int = 2, bisect: bool = True) -> tuple[StreamPoller, FakeSqs]:
    source = StreamSource("Fn", "Table", 10, retries, bisect, True, (), "Queue", "TRIM_HORIZON")
    p = StreamPoller(source, "arn:stream", runtime, "http://queue", retry_delay=0)  # type: ignore[arg-type]
    sqs = FakeSqs()
    p.sqs = sqs  # type: ignore[assignment]
    return p, sqs


def test_partial_failure_retries_from_the_first_failed_record():
    runtime = FakeRuntime([{"3"}, set()])
    p, sqs = poller(runtime)
    p.deliver([record(i) for i in range(1, 6)], "shard-1")
    assert runtime.batches == [["1", "2", "3", "4", "5"], ["3", "4", "5"]]
    assert sqs.messages == [] and p.delivered == 5


def test_records_that_keep_failing_go_to_the_failure_destination():
    runtime = FakeRuntime([{"2"}, {"2"}, {"2"}, {"2"}])
    p, sqs = poller(runtime, retries=2)
    p.deliver([record(i) for i in range(1, 4)], "shard-1")
    assert len(runtime.batches) == 3  # first try + 2 retries
    (message,) = sqs.messages
    info = message["DDBStreamBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == ("2", "3", 2)
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"


def test_a_crashing_function_gets_its_batch_bisected():
    runtime = FakeRuntime([RuntimeError("boom"), set(), set()])
    p, sqs = poller(runtime)
    p.deliver([record(i) for i in range(1, 5)], "shard-1")
    assert runtime.batches == [["1", "2", "3", "4"], ["1", "2"], ["3", "4"]]
    assert sqs.messages == []


def test_an_unknown_item_identifier_fails_the_whole_batch():
    runtime = FakeRuntime([{"not-a-sequence-number"}, set()])
    p, _ = poller(runtime)
    p.deliver([record(1), record(2)], "shard-1")
    assert runtime.batches == [["1", "2"], ["1", "2"]]


def test_a_stopping_poller_makes_no_further_attempts():
    # Given a function that keeps crashing, and a stack told to stop during the first attempt
    runtime = FakeRuntime([RuntimeError("boom")] * 10)
    p, sqs = poller(runtime, retries=5)
    calls = runtime.invoke

    def stop_then_crash(*args: Any, **kwargs: Any) -> Any:
        p.stop()
        return calls(*args, **kwargs)

    runtime.invoke = stop_then_crash  # type: ignore[method-assign]
    p.deliver([record(i) for i in range(1, 9)], "shard-1")
    # Then no retry and no bisection follows: the stop is not held up by the retry schedule
    assert runtime.batches == [[str(i) for i in range(1, 9)]] and sqs.messages == []
