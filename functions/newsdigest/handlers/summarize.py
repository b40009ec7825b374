"""SummarizeFunction: fed by the articles table's stream; summarizes each new or changed article.

Failures are reported per record (ReportBatchItemFailures), so one bad record does not replay the batch.
"""

from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.articles.models import ArticleSummary
from newsdigest.articles.summaries import record_failure, summarize_article
from newsdigest.batch import ReportingBatchProcessor
from newsdigest.errors import ContentUnavailable
from newsdigest.observability import MetricUnit, logger, metrics


def _article(record: DynamoDBRecord) -> dict[str, str | None]:
    keys = record.dynamodb.keys if record.dynamodb else None
    return {"article_id": (keys or {}).get("id")}


processor = ReportingBatchProcessor(
    EventType.DynamoDBStreams, metric="SummarizeRecordsFailed", subject=_article
)


def record_handler(record: DynamoDBRecord, services: wiring.Services) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or image.get("summary_status") != "pending":
        # REMOVE events carry no new image; our own summary writes are echoed by the stream (on AWS the
        # template's filter drops them before they get here).
        return
    article_id = str(image.get("id"))
    summary: ArticleSummary | None
    try:
        article = services.article_store.from_image(image)
        summary = summarize_article(
            article,
            services.article_store,
            sentences=services.settings.digest_sentences,
            clock=services.clock,
        )
    # Any other error fails the record: the processor logs it with the article id, the mapping retries, then
    # SummarizeFailuresFunction marks the article failed.
    except ContentUnavailable as exc:
        # Retrying cannot bring the object back: this version fails with the reason (a newer one wins).
        summary = record_failure(
            article_id, str(image["content_hash"]), str(exc), services.article_store, clock=services.clock
        )
    if summary is not None:
        logger.info("summarized", extra={"article_id": article_id, "status": summary.status})
        metrics.add_metric(
            name=f"Summaries{summary.status.title().replace('_', '')}", unit=MetricUnit.Count, value=1
        )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    services = wiring.services
    metrics.add_metric(name="StreamRecords", unit=MetricUnit.Count, value=len(event.get("Records", [])))
    return process_partial_response(
        event=event,
        record_handler=lambda record: record_handler(record, services),
        processor=processor,
        context=context,
    )
