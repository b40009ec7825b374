"""DigestSendFunction: consumes the digest queue; one job = one subscriber's digest, sent at most once.

Failures are reported per message (ReportBatchItemFailures); after maxReceiveCount a job goes to the
dead-letter queue, and the subscriber stays due, so the next hourly run tries again.
"""

import json
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest.config import get_settings
from newsdigest.dal.articles import ArticleStore
from newsdigest.dal.mailer import SesMailer
from newsdigest.dal.subscribers import SubscriberStore
from newsdigest.mailing import PeriodArticles, deliver
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.subscription_models import DigestJob

# Report every failed job the same way, even when the whole batch failed.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def _now() -> datetime:
    return datetime.now(UTC)


def record_handler(record: SQSRecord, period_articles: PeriodArticles, mailer: SesMailer) -> None:
    settings = get_settings()
    job = DigestJob.model_validate(json.loads(record.body))
    outcome = deliver(
        job,
        store=SubscriberStore(settings.subscribers_table),
        articles=period_articles,
        mailer=mailer,
        settings=settings,
        clock=_now,
    )
    logger.info("digest job", extra={"subscriber_id": job.subscriber_id, "outcome": outcome})
    metrics.add_metric(name=f"Digest{outcome.title().replace('_', '')}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    settings = get_settings()
    period_articles = PeriodArticles(ArticleStore(settings.articles_table))  # one read per period per batch
    mailer = SesMailer(settings.mail_from, settings.mail_configuration_set)
    response = process_partial_response(
        event=event,
        record_handler=lambda record: record_handler(record, period_articles, mailer),
        processor=processor,
        context=context,
    )
    metrics.add_metric(name="SesSendEmailCalls", unit=MetricUnit.Count, value=mailer.calls)
    return response
