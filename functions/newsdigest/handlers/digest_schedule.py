"""DigestScheduleFunction: the hourly EventBridge Scheduler run; queues one job per due subscriber.

The schedule's Input carries ``<aws.scheduler.scheduled-time>``: a retried or duplicated event has the same
time, so it finds the same due subscribers (minus those already done) and adds nothing new. A raw scheduled
event (a schedule without Input, an EventBridge rule) carries its time as ``time``: used the same way. Only
an event with neither falls back to the clock.
"""

from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.dal.subscriptions import DUE_SHARDS
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.schedule_event import ScheduleEvent
from newsdigest.subscriptions.deliveries import enqueue_due


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = wiring.services
    parsed = ScheduleEvent.model_validate(event or {})
    now = parsed.run_time or services.clock()
    report = enqueue_due(
        services.subscriber_store,
        services.job_queue,
        shards=[str(s) for s in range(DUE_SHARDS)],
        now=now,
        run_id=parsed.run_id or context.aws_request_id,
        time_left_ms=context.get_remaining_time_in_millis,
    )
    metrics.add_metric(name="DigestJobsQueued", unit=MetricUnit.Count, value=report.due)
    logger.info("digest run queued", extra={"due": report.due, "pages": report.pages, "at": now.isoformat()})
    return {"scheduled_time": now.isoformat(), "queued": report.due, "pages": report.pages}
