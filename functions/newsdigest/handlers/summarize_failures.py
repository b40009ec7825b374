"""SummarizeFailuresFunction: consumes the summarizer's on-failure queue. Each message names a stream batch
whose retries were exhausted (shard and sequence range only); this reads the range back for the article
ids and marks each version still pending ``failed`` with reason "summarize retries exhausted", so no article
stays pending for good. ``POST /articles/{id}/summarize`` puts it back.
"""

import json

from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.articles.summaries import give_up
from newsdigest.batch import ReportingBatchProcessor
from newsdigest.errors import StreamRangeGone
from newsdigest.observability import MetricUnit, logger, metrics


def _batch(record: SQSRecord) -> dict[str, object]:
    return {"stream_batch": json.loads(record.body).get("DDBStreamBatchInfo")}


processor = ReportingBatchProcessor(
    EventType.SQS, metric="SummarizeFailuresFailed", subject=_batch, raise_on_entire_batch_failure=False
)


def record_handler(record: SQSRecord, services: wiring.Services) -> None:
    message = json.loads(record.body)
    batch_info = message.get("DDBStreamBatchInfo")
    if not batch_info:
        logger.warning("not a stream on-failure record", extra={"message_id": record.message_id})
        return
    try:
        images = services.stream_reader.new_images(batch_info)
    except StreamRangeGone as exc:
        # Retrying cannot bring the records back; the alarm on this metric tells a person to look.
        logger.error("failed stream range unreadable", extra={"batch": batch_info, "error": str(exc)})
        metrics.add_metric(name="SummarizeFailuresUnreadable", unit=MetricUnit.Count, value=1)
        return
    marked = give_up(images, services.article_store, clock=services.clock)
    logger.warning(
        "summarize retries exhausted",
        extra={"article_ids": marked, "records": len(images), "batch": batch_info},
    )
    metrics.add_metric(name="SummariesGivenUp", unit=MetricUnit.Count, value=len(marked))


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    services = wiring.services
    return process_partial_response(
        event=event,
        record_handler=lambda record: record_handler(record, services),
        processor=processor,
        context=context,
    )
