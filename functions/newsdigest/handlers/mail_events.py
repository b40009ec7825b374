"""MailEventsFunction: SES bounce and complaint notifications (via SNS) suppress the address for good."""

import json

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.subscriptions.subscribers import addresses_to_suppress, suppress


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = wiring.services
    pairs = []
    for record in SNSEvent(event).records:
        try:
            notification = json.loads(record.sns.message)
        except json.JSONDecodeError:
            logger.warning("not an SES notification", extra={"message_id": record.sns.message_id})
            continue
        pairs += addresses_to_suppress(notification if isinstance(notification, dict) else {})
    count = suppress(pairs, store=services.subscriber_store, now=services.clock())
    metrics.add_metric(name="AddressesSuppressed", unit=MetricUnit.Count, value=count)
    return {"suppressed": count}
