"""DigestScheduleFunction: the hourly EventBridge Scheduler run; queues one job per due subscriber.

The schedule's Input carries ``<aws.scheduler.scheduled-time>``: a retried or duplicated event has the same
time, so it finds the same due subscribers (minus those already done) and adds nothing new.
"""

from datetime import UTC, datetime

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from newsdigest.config import get_settings
from newsdigest.dal.jobs import JobQueue
from newsdigest.dal.subscribers import DUE_SHARDS, SubscriberStore
from newsdigest.mailing import enqueue_due
from newsdigest.observability import MetricUnit, logger, metrics


class ScheduleEvent(BaseModel):
    scheduled_time: datetime | None = None
    execution_id: str = ""


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    parsed = ScheduleEvent.model_validate(event or {})
    now = parsed.scheduled_time or datetime.now(UTC)
    settings = get_settings()  # read once per cold start (cached)
    report = enqueue_due(
        SubscriberStore(settings.subscribers_table),
        JobQueue(settings.digest_queue_url),
        shards=[str(s) for s in range(DUE_SHARDS)],
        now=now,
        run_id=parsed.execution_id or context.aws_request_id,
        time_left_ms=context.get_remaining_time_in_millis,
    )
    metrics.add_metric(name="DigestJobsQueued", unit=MetricUnit.Count, value=report.due)
    logger.info("digest run queued", extra={"due": report.due, "pages": report.pages, "at": now.isoformat()})
    return {"scheduled_time": now.isoformat(), "queued": report.due, "pages": report.pages}
