"""SummarizeFunction: fed by the articles table's stream; summarizes each new or changed article.

Failures are reported per record (ReportBatchItemFailures), so one bad record does not replay the batch.
"""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest.config import get_settings
from newsdigest.dal.articles import ArticleStore, article_from_item
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.summaries import summarize_article

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
settings = get_settings()
store = ArticleStore(settings.articles_table)


def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image:
        return  # REMOVE events carry no new image: nothing to summarize
    article = article_from_item(image)
    summary = summarize_article(article, store, sentences=settings.digest_sentences)
    if summary is not None:
        logger.info("summarized", extra={"article_id": article.id, "status": summary.status})
        metrics.add_metric(
            name=f"Summaries{summary.status.title().replace('_', '')}", unit=MetricUnit.Count, value=1
        )


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    metrics.add_metric(name="StreamRecords", unit=MetricUnit.Count, value=len(event.get("Records", [])))
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
