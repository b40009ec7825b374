"""DigestSendFunction: consumes the digest queue; one job = one subscriber's digest, sent at most once.

Failures are reported per message (ReportBatchItemFailures); after maxReceiveCount a job goes to the
dead-letter queue, and the subscriber stays due, so the next hourly run tries again.
"""

import json

from aws_lambda_powertools.utilities.batch import EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.batch import ReportingBatchProcessor
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.subscriptions.deliveries import PeriodArticles, deliver
from newsdigest.subscriptions.models import DigestJob


def _subscriber(record: SQSRecord) -> dict[str, str | None]:
    body = json.loads(record.body)
    return {"subscriber_id": body.get("subscriber_id") if isinstance(body, dict) else None}


# Report every failed job the same way, even when the whole batch failed.
processor = ReportingBatchProcessor(
    EventType.SQS, metric="DigestJobsFailed", subject=_subscriber, raise_on_entire_batch_failure=False
)


def record_handler(record: SQSRecord, period_articles: PeriodArticles, services: wiring.Services) -> None:
    job = DigestJob.model_validate(json.loads(record.body))
    outcome = deliver(
        job,
        store=services.subscriber_store,
        articles=period_articles,
        mailer=services.mailer,
        settings=services.settings,
        keys=services.signing_keys,
        clock=services.clock,
    )
    logger.info("digest job", extra={"subscriber_id": job.subscriber_id, "outcome": outcome})
    metrics.add_metric(name=f"Digest{outcome.title().replace('_', '')}", unit=MetricUnit.Count, value=1)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> PartialItemFailureResponse:
    services = wiring.services
    period_articles = PeriodArticles(services.article_store)  # one read per period per batch
    calls_before = services.mailer.calls
    response = process_partial_response(
        event=event,
        record_handler=lambda record: record_handler(record, period_articles, services),
        processor=processor,
        context=context,
    )
    metrics.add_metric(
        name="SesSendEmailCalls", unit=MetricUnit.Count, value=services.mailer.calls - calls_before
    )
    return response
