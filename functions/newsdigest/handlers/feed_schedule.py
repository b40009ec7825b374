"""FeedScheduleFunction: the EventBridge Scheduler run (every 5 minutes); queues one poll job per due feed.

The schedule's Input carries ``<aws.scheduler.scheduled-time>``; a retried or duplicated run finds the same
due feeds, and a duplicate job writes nothing (the poll's write is conditional on the feed still being due).
"""

from aws_lambda_powertools.utilities.typing import LambdaContext

from newsdigest import wiring
from newsdigest.dal.feeds import DUE_SHARDS
from newsdigest.feeds.runs import enqueue_due
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.schedule_event import ScheduleEvent


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    services = wiring.services
    parsed = ScheduleEvent.model_validate(event or {})
    now = parsed.run_time or services.clock()
    report = enqueue_due(
        services.feed_store,
        services.feed_queue,
        shards=[str(s) for s in range(DUE_SHARDS)],
        now=now,
        time_left_ms=context.get_remaining_time_in_millis,
    )
    metrics.add_metric(name="FeedPollsQueued", unit=MetricUnit.Count, value=report.queued)
    logger.info("feed run queued", extra={"queued": report.queued, "complete": report.complete})
    return {
        "scheduled_time": now.isoformat(),
        "queued": report.queued,
        "pages": report.pages,
        "complete": report.complete,
    }
