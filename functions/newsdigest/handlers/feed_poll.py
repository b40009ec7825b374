"""FeedPollFunction: consumes the feed queue; one job = one poll of one feed (conditional GET, new and
changed entries ingested like POST /articles, one conditional write of the poll state).

Failures are reported per message (ReportBatchItemFailures); after maxReceiveCount a job goes to the
dead-letter queue, and the feed stays due, so the next schedule run queues it again.
"""

import json

from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.batch import ReportingBatchProcessor
from newsdigest.feeds.feed import FeedJob
from newsdigest.feeds.runs import poll_and_ingest
from newsdigest.observability import MetricUnit, logger, metrics


def _feed(record: SQSRecord) -> dict[str, str | None]:
    body = json.loads(record.body)
    feed = body.get("feed") if isinstance(body, dict) else None
    return {"feed_id": feed.get("id") if isinstance(feed, dict) else None}


# Report every failed poll the same way, even when the whole batch failed.
processor = ReportingBatchProcessor(
    EventType.SQS, metric="FeedPollsFailed", subject=_feed, raise_on_entire_batch_failure=False
)


def record_handler(record: SQSRecord, services: wiring.Services, context: LambdaContext) -> None:
    job = FeedJob.model_validate(json.loads(record.body))
    report = poll_and_ingest(
        job,
        fetcher=services.fetcher,
        articles=services.article_store,
        feeds=services.feed_store,
        clock=services.clock,
        time_left_ms=context.get_remaining_time_in_millis,
    )
    logger.info(
        "feed polled",
        extra={
            "feed_id": report.feed_id,
            "outcome": report.outcome,
            "status": report.status,
            "created": report.created,
            "updated": report.updated,
            "known": report.known,
            "deferred": report.deferred,
            "saved": report.saved,
        },
    )
    metrics.add_metric(
        name=f"FeedPoll{report.outcome.title().replace('_', '')}", unit=MetricUnit.Count, value=1
    )
    metrics.add_metric(name="FeedEntriesIngested", unit=MetricUnit.Count, value=report.ingested)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    services = wiring.services
    return process_partial_response(
        event=event,
        record_handler=lambda record: record_handler(record, services, context),
        processor=processor,
        context=context,
    )
