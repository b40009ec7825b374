"""The one batch processor of every stream and queue handler: a record that fails is retried and, after the
last retry, lands in a dead-letter destination - so each failure leaves a trace when it happens: one
structured log line (record id, what it was about, error type and message) and one count of ``metric``.

Handlers pass ``subject``: what a record is about, for the log line (``{"article_id": ...}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.batch.base import FailureResponse
from aws_lambda_powertools.utilities.batch.exceptions import ExceptionInfo

from newsdigest.observability import MetricUnit, logger, metrics

MAX_ERROR_CHARS = 500


def record_id(record: Any) -> str | None:
    """The id AWS gives the record: SQS message id, DynamoDB stream event id, Kinesis sequence number."""
    for read in (
        lambda r: r.message_id,
        lambda r: r.event_id,
        lambda r: r.kinesis.sequence_number,
    ):
        try:
            value = read(record)
        except (AttributeError, KeyError, TypeError):
            continue
        if value:
            return str(value)
    return None


class ReportingBatchProcessor(BatchProcessor):
    def __init__(
        self,
        event_type: EventType,
        *,
        metric: str,
        subject: Callable[[Any], dict[str, Any]],
        raise_on_entire_batch_failure: bool = True,
    ) -> None:
        super().__init__(event_type=event_type, raise_on_entire_batch_failure=raise_on_entire_batch_failure)
        self.metric = metric
        self.subject = subject

    def failure_handler(self, record: Any, exception: ExceptionInfo) -> FailureResponse:
        response = super().failure_handler(record, exception)
        error = exception[1]
        fields: dict[str, Any] = {
            "record_id": record_id(record),
            "event_type": self.event_type.value,
            "error_type": type(error).__name__,
            "error_message": str(error)[:MAX_ERROR_CHARS],
        }
        try:
            fields |= self.subject(record)
        except Exception:  # a record too broken to say what it is about: its id and error still go out
            fields["subject"] = None
        logger.error(
            "batch record failed; it will be retried, then sent to the dead-letter queue", extra=fields
        )
        metrics.add_metric(name=self.metric, unit=MetricUnit.Count, value=1)
        return response
