"""The feed pipeline as template.yaml declares it: schedule (retry, DLQ), queue (redrive), poller (partial
failures), the feeds table (kept on delete, PITR, SSE, the Due index the schedule Queries)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsdigest_local.schedules import find_schedule, schedule_event
from newsdigest_local.template import Template


def test_the_feed_schedule_has_a_retry_policy_a_dlq_and_the_scheduled_time_as_input():
    schedule = find_schedule(Template.load(), "FeedPolls")
    assert schedule["function"] == "FeedScheduleFunction"
    assert schedule["ScheduleExpression"] == "rate(5 minutes)"
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1 and schedule["DeadLetterConfig"]["Arn"]
    event = schedule_event(schedule, datetime(2026, 11, 29, 7, 5, tzinfo=UTC))
    assert event["scheduled_time"] == "2026-11-29T07:05:00Z" and event["execution_id"]


def test_the_poller_reads_the_queue_with_partial_failures_and_a_redrive_to_a_dlq():
    template = Template.load()
    (source,) = template.functions["FeedPollFunction"].queues
    assert source.queue == "FeedQueue" and source.report_failures
    queue = template.of_type("AWS::SQS::Queue")["FeedQueue"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["FeedDeadLetterQueue", "Arn"]}
    # Lambda's advice for an SQS source: visibility at least six times the function's timeout
    assert queue["VisibilityTimeout"] >= 6 * template.functions["FeedPollFunction"].timeout
    assert all(q.get("SqsManagedSseEnabled") for q in template.of_type("AWS::SQS::Queue").values())


def test_the_feeds_table_is_kept_recoverable_and_encrypted_with_a_due_index():
    resource = Template.load().resources["FeedsTable"]
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    props = resource["Properties"]
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["SSESpecification"]["SSEEnabled"] is True
    due = next(i for i in props["GlobalSecondaryIndexes"] if i["IndexName"] == "Due")
    assert [k["AttributeName"] for k in due["KeySchema"]] == ["due_shard", "next_poll_at"]


def test_the_feed_functions_have_log_groups_with_retention():
    resources = Template.load().resources
    for function in ("FeedScheduleFunction", "FeedPollFunction"):
        group = resources[f"{function}LogGroup"]["Properties"]
        # Named after the stack (as every function's group), so the function's own role can name it.
        assert group["LogGroupName"] == {"Fn::Sub": f"/aws/lambda/${{AWS::StackName}}/{function}"}
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        logging = resources[function]["Properties"]["LoggingConfig"]
        assert logging == {"LogGroup": {"Ref": f"{function}LogGroup"}}
