"""The digest-email parts of template.yaml, as the local stack reads them, and their consistency with
the code's timing assumptions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from newsdigest.config import DELIVERY_LEASE_SECONDS
from newsdigest_local.schedules import find_schedule, schedule_event, schedule_names
from newsdigest_local.template import Template


def test_the_hourly_schedule_has_a_retry_policy_a_dlq_and_the_scheduled_time_as_input():
    template = Template.load()
    assert set(schedule_names(template)) == {"HourlyDigest", "FeedPolls"}
    schedule = find_schedule(template, "HourlyDigest")
    assert schedule["function"] == "DigestScheduleFunction"
    assert schedule["ScheduleExpression"] == "cron(0 * * * ? *)"
    assert schedule["RetryPolicy"]["MaximumRetryAttempts"] >= 1 and schedule["DeadLetterConfig"]["Arn"]
    event = schedule_event(schedule, datetime(2026, 11, 29, 7, 0, tzinfo=UTC))
    assert event["scheduled_time"] == "2026-11-29T07:00:00Z" and event["execution_id"]


def test_the_sender_reads_the_queue_with_partial_failures_and_a_redrive_to_a_dlq():
    template = Template.load()
    (source,) = template.functions["DigestSendFunction"].queues
    assert source.queue == "DigestQueue" and source.report_failures and source.batch_size == 10
    queue = template.of_type("AWS::SQS::Queue")["DigestQueue"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["DigestDeadLetterQueue", "Arn"]}
    (topic,) = template.functions["MailEventsFunction"].topics
    assert topic.topic == "MailEventsTopic"


def test_a_crashed_senders_claim_expires_before_its_job_comes_back_but_never_under_a_live_sender():
    template = Template.load()
    timeout = template.functions["DigestSendFunction"].timeout
    visibility = int(template.of_type("AWS::SQS::Queue")["DigestQueue"]["VisibilityTimeout"])
    assert timeout < DELIVERY_LEASE_SECONDS <= visibility


def test_every_async_path_of_the_digest_has_a_dead_letter_queue():
    resources = Template.load().resources
    for function in ("DigestScheduleFunction", "MailEventsFunction"):
        assert resources[function]["Properties"]["DeadLetterQueue"]["Type"] == "SQS"
    assert json.dumps(resources["MailEventsFunction"]["Properties"]["Events"]["MailEvents"]).count(
        "MailEventsDeadLetterQueue"
    )


def test_a_schedule_without_input_gets_the_raw_event_with_its_time():
    schedule = find_schedule(Template.load(), "HourlyDigest")
    raw = {key: value for key, value in schedule.items() if key != "Input"}
    event = schedule_event(raw, datetime(2026, 11, 29, 7, 0, tzinfo=UTC))
    assert event["time"] == "2026-11-29T07:00:00Z" and event["detail-type"] == "Scheduled Event"
    assert json.loads(json.dumps(event)) == event
