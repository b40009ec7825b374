"""A record that fails in a batch handler is retried and may end in a dead-letter queue: each failure leaves
one structured log line saying which record, about what, and why, and counts a metric."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conftest import load_event


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    from newsdigest.observability import logger

    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    handler.setStream(previous)


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    from newsdigest.observability import metrics

    names: list[str] = []
    real = metrics.add_metric

    def add_metric(name: str, unit: Any, value: float, **kwargs: Any) -> None:
        names.extend([name] * int(value))
        real(name=name, unit=unit, value=value, **kwargs)

    monkeypatch.setattr(metrics, "add_metric", add_metric)
    return names


def failures(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("message", "").startswith("batch record failed")]


def test_a_failed_stream_record_logs_one_line_and_counts_it(aws, log_lines, counted):
    # Given a stream record whose new image is not an article (its body is missing)
    event = load_event("summarize-stream.json")
    record = event["Records"][0]
    del record["dynamodb"]["NewImage"]["body"]
    # When the summarizer gets it (alone in its batch: the whole batch failed, so the invocation fails)
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):
        aws.invoke("SummarizeFunction", event)
    # Then one line says which record, about what, and why
    (line,) = failures(log_lines())
    assert line["level"] == "ERROR"
    assert line["record_id"] == record["eventID"]
    assert line["article_id"] == record["dynamodb"]["Keys"]["id"]["S"]
    assert line["error_type"] == "ValidationError" and "body" in line["error_message"]
    assert counted.count("SummarizeRecordsFailed") == 1


def test_a_failed_digest_job_logs_one_line_and_counts_it(aws, fakes, log_lines, counted):
    class Unavailable:
        def get(self, sid: str) -> Any:
            raise RuntimeError("subscribers table unavailable")

    # Given a digest job whose subscriber cannot be read
    fakes(subscriber_store=Unavailable())
    event = load_event("digest-send-sqs.json")
    message = event["Records"][0]
    # When the sender gets it
    response = aws.invoke("DigestSendFunction", event)
    # Then the job is reported failed (SQS retries it, then dead-letters it), and one line says why
    assert response["batchItemFailures"] == [{"itemIdentifier": message["messageId"]}]
    (line,) = failures(log_lines())
    assert line["record_id"] == message["messageId"]
    assert line["subscriber_id"] == json.loads(message["body"])["subscriber_id"]
    assert line["error_type"] == "RuntimeError"
    assert line["error_message"] == "subscribers table unavailable"
    assert counted.count("DigestJobsFailed") == 1


def test_a_record_too_broken_to_name_its_subject_still_logs_its_id(aws, log_lines, counted):
    event = load_event("digest-send-sqs.json")
    message = event["Records"][0]
    message["body"] = "not json"
    response = aws.invoke("DigestSendFunction", event)
    assert response["batchItemFailures"] == [{"itemIdentifier": message["messageId"]}]
    (line,) = failures(log_lines())
    assert line["record_id"] == message["messageId"] and line["error_type"] == "JSONDecodeError"
    assert counted.count("DigestJobsFailed") == 1


def test_every_batch_handler_uses_the_reporting_processor():
    import importlib
    import pkgutil

    from aws_lambda_powertools.utilities.batch.base import BasePartialProcessor
    from newsdigest import handlers
    from newsdigest.batch import ReportingBatchProcessor

    processors = {}
    for module_info in pkgutil.iter_modules(handlers.__path__):
        module = importlib.import_module(f"newsdigest.handlers.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, BasePartialProcessor):
                processors[f"{module_info.name}.{name}"] = value
    assert {"summarize.processor", "digest_send.processor"} <= set(processors)
    assert all(isinstance(p, ReportingBatchProcessor) for p in processors.values()), processors
