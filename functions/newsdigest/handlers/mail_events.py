"""MailEventsFunction: SES bounce and complaint notifications (via SNS) suppress the address for good."""

import json
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest.config import get_settings
from newsdigest.dal.subscribers import SubscriberStore
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.subscribers import addresses_to_suppress, suppress


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    pairs = []
    for record in SNSEvent(event).records:
        try:
            notification = json.loads(record.sns.message)
        except json.JSONDecodeError:
            logger.warning("not an SES notification", extra={"message_id": record.sns.message_id})
            continue
        pairs += addresses_to_suppress(notification if isinstance(notification, dict) else {})
    store = SubscriberStore(get_settings().subscribers_table)
    count = suppress(pairs, store=store, now=datetime.now(UTC))
    metrics.add_metric(name="AddressesSuppressed", unit=MetricUnit.Count, value=count)
    return {"suppressed": count}
