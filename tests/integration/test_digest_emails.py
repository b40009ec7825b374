"""Digest emails under in-process moto: subscribe -> confirm -> hourly run -> queue -> sender -> SES, with
the template's event source mapping for the queue and the real events/ files."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from newsdigest.config import DELIVERY_LEASE_SECONDS
from newsdigest.subscriptions.links import issue_token
from newsdigest.subscriptions.models import Preferences, subscriber_id
from newsdigest_local.mail import sent_mail
from newsdigest_local.queues import QueuePoller, queue_pollers, sns_event
from newsdigest_local.streams import StreamPoller

from tests.conftest import load_event
from tests.digest_helpers import (
    ScriptedMailer,
    digests_to,
    due_time_covering,
    link_token,
    mail_to,
    parts,
    subscription,
)

PREFS = Preferences(frequency="daily", timezone="Europe/Paris", send_hour=7)


class LambdaCrash(BaseException):
    """The sender's process dies (out of memory, timeout): nothing after this point runs."""


def signing_secret(aws) -> str:
    """The key the functions read at run time from the template's secret (in moto)."""
    return aws.resolver.secrets[aws.environment["NEWSDIGEST_SIGNING_SECRET_ARN"]]


def call(aws, event_name: str, *, body: dict | None = None, token: str | None = None) -> tuple[int, Any]:
    event = load_event(event_name)
    if body is not None:
        event["body"] = json.dumps(body)
    if token is not None:
        event["queryStringParameters"] = {"token": token}
        event["multiValueQueryStringParameters"] = {"token": [token]}
    response = aws.invoke("SubscriptionsFunction", event)
    headers = {k.lower(): v for k, v in (response.get("multiValueHeaders") or {}).items()}
    content_type = " ".join(headers.get("content-type", [])) or (response.get("headers") or {}).get(
        "Content-Type", ""
    )
    text = response["body"]
    return response["statusCode"], json.loads(text) if "json" in content_type else text


def subscribe_and_confirm(aws, address: str, **extra: Any) -> None:
    status, _ = call(aws, "subscriptions-post.json", body=subscription(address, **extra))
    assert status == 202
    (confirmation,) = mail_to(address)[-1:]
    status, page = call(
        aws, "subscriptions-confirm-post.json", token=link_token(confirmation, "/subscriptions/confirm")
    )
    assert status == 200 and "You are subscribed" in page


def ingest(aws, title: str, url: str, source: str = "example-news") -> datetime:
    event = load_event("ingest-post-article.json")
    article = json.loads(event["body"]) | {"title": title, "url": url, "source": source}
    event["body"] = json.dumps(article)
    assert aws.invoke("IngestFunction", event)["statusCode"] in (200, 201)
    return datetime.now(UTC)


def summarize_all(aws) -> None:
    source = aws.specs["SummarizeFunction"].streams[0]
    poller = StreamPoller(source, aws.resolver.get_att(source.table, "StreamArn"), aws, None, retry_delay=0)
    while poller.poll_once():
        pass


def digest_poller(aws) -> QueuePoller:
    pollers = queue_pollers(aws, aws.resolver, visibility_timeout=0)
    (poller,) = [p for p in pollers if p.source.function == "DigestSendFunction"]
    return poller


def drain(poller: QueuePoller) -> None:
    while poller.poll_once():
        pass


def fire(aws, at: datetime) -> dict:
    event = load_event("digest-schedule.json") | {"scheduled_time": at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    return aws.invoke("DigestScheduleFunction", event)


@pytest.fixture
def period(aws) -> datetime:
    """Two summarized articles (one with a hostile title) and the run time whose digest covers them."""
    ingested = ingest(
        aws, "Harbour ferries go electric <script>alert('x')</script>", "https://news.example.com/a"
    )
    ingest(aws, "New ferry timetable", "https://news.example.com/b", source="other-news")
    summarize_all(aws)
    return due_time_covering(PREFS, ingested)


def test_subscribe_confirm_then_the_run_mails_one_digest_with_one_click_unsubscribe(aws, period):
    # Given a confirmed subscriber and a period with summarized articles
    subscribe_and_confirm(aws, "ada@example.com")
    poller = digest_poller(aws)

    # When the hourly run fires and the sender consumes the queue
    assert fire(aws, period)["queued"] == 1
    drain(poller)

    # Then exactly one digest went out, with RFC 8058 headers, both parts, and the title escaped
    (digest,) = digests_to("ada@example.com")
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        digest["List-Unsubscribe"].startswith("<http") and "/unsubscribe?token=" in digest["List-Unsubscribe"]
    )
    assert digest.get_content_type() == "multipart/alternative"
    text, html = parts(digest)
    assert "&lt;script&gt;alert(" in html and "<script>" not in html
    assert "Harbour ferries go electric" in text and "Unsubscribe" in html
    assert "New ferry timetable" in html  # no source filter: every source
    assert len(html.encode()) < 102 * 1024


def test_firing_again_or_a_duplicated_event_sends_nothing(aws, period):
    subscribe_and_confirm(aws, "ada@example.com")
    poller = digest_poller(aws)
    fire(aws, period)
    drain(poller)
    before = len(sent_mail())

    # When the same scheduled event comes twice more (Scheduler retry, duplicate) and an hour later
    fire(aws, period)
    fire(aws, period)
    fire(aws, period + timedelta(hours=1))
    drain(poller)

    # Then nothing more is sent
    assert len(sent_mail()) == before


def test_a_crash_between_sends_then_a_rerun_mails_everyone_exactly_once(aws, period, fakes):
    # Given three due subscribers
    addresses = [f"reader{i}@example.com" for i in range(3)]
    for address in addresses:
        subscribe_and_confirm(aws, address)
    poller = digest_poller(aws)

    def crash_on_second(n: int) -> None:
        if n == 2:  # the second subscriber is claimed, then the process dies before sending
            raise LambdaCrash()

    mailer = ScriptedMailer(crash_on_second)
    fakes(mailer=mailer)
    fire(aws, period)
    poller.poll_once()  # one batch of three jobs: the invocation dies after the first send
    assert sum(len(digests_to(a)) for a in addresses) == 1

    # When the claim's lease has passed and the jobs come back (and the Scheduler retries the run)
    later = datetime.now(UTC) + timedelta(seconds=DELIVERY_LEASE_SECONDS + 1)
    fakes(mailer=mailer, clock=lambda: later)
    fire(aws, period)
    drain(poller)

    # Then every subscriber has exactly one digest
    assert [len(digests_to(a)) for a in addresses] == [1, 1, 1]


def test_a_fresh_claim_is_not_taken_over_before_its_lease_ends(aws, period):
    # Given a sender that claimed the period a moment ago (still running, or just crashed)
    subscribe_and_confirm(aws, "ada@example.com")
    from newsdigest.dal.subscriptions import SubscriberStore
    from newsdigest.subscriptions.periods import latest_due

    store = SubscriberStore(aws.environment["SUBSCRIBERS_TABLE"])
    sid = subscriber_id("ada@example.com")
    key = latest_due(PREFS, period).key
    assert store.claim_delivery(sid, key, datetime.now(UTC), DELIVERY_LEASE_SECONDS) == "claimed"

    # When the job arrives
    event = load_event("digest-send-sqs.json")
    job = json.loads(event["Records"][0]["body"]) | {
        "subscriber_id": sid,
        "scheduled_time": period.isoformat(),
    }
    event["Records"][0]["body"] = json.dumps(job)
    result = aws.invoke("DigestSendFunction", event)

    # Then it is retried later instead of sending a second copy
    assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}
    assert digests_to("ada@example.com") == []


def test_the_event_files_drive_schedule_and_sender(aws, period):
    # Given the subscriber of events/subscriptions-post.json, confirmed and due at the file's time
    call(aws, "subscriptions-post.json")
    (confirmation,) = mail_to("ada@example.com")
    call(aws, "subscriptions-confirm-post.json", token=link_token(confirmation, "/subscriptions/confirm"))
    scheduled = json.loads(load_event("digest-send-sqs.json")["Records"][0]["body"])["scheduled_time"]
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    table.update_item(
        Key={"id": subscriber_id("ada@example.com"), "sk": "subscriber"},
        UpdateExpression="SET next_due_at = :due",
        ExpressionAttributeValues={":due": scheduled},
    )
    # When the schedule event file runs, and the SQS event file is handed to the sender
    assert aws.invoke("DigestScheduleFunction", load_event("digest-schedule.json"))["queued"] == 1
    result = aws.invoke("DigestSendFunction", load_event("digest-send-sqs.json"))
    # Then the job succeeds (its period has no articles: nothing is sent, the subscriber moves on)
    assert result == {"batchItemFailures": []}
    assert digests_to("ada@example.com") == []
    item = table.get_item(Key={"id": subscriber_id("ada@example.com"), "sk": "subscriber"})["Item"]
    assert item["next_due_at"] > scheduled


def test_sources_filter_and_an_empty_period_sends_nothing(aws, period):
    subscribe_and_confirm(aws, "only-other@example.com", sources=["other-news"])
    subscribe_and_confirm(aws, "nobody-writes@example.com", sources=["silent-news"])
    poller = digest_poller(aws)
    fire(aws, period)
    drain(poller)
    (digest,) = digests_to("only-other@example.com")
    _, html = parts(digest)
    assert "New ferry timetable" in html and "Harbour ferries" not in html
    assert digests_to("nobody-writes@example.com") == []


def test_resubscribing_keeps_one_subscriber(aws):
    for _ in range(2):
        assert call(aws, "subscriptions-post.json")[0] == 202
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    items = table.query(
        KeyConditionExpression="id = :id", ExpressionAttributeValues={":id": subscriber_id("ada@example.com")}
    )["Items"]
    assert [i["sk"] for i in items] == ["subscriber"]
    assert len(mail_to("ada@example.com")) == 1  # one confirmation email, however often it is asked for


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"frequency": "hourly"}, "frequency"),
        ({"send_hour": 24}, "send_hour"),
    ],
)
def test_invalid_subscriptions_are_4xx_naming_the_field(aws, body, field):
    status, error = call(aws, "subscriptions-post.json", body=subscription("ada@example.com") | body)
    assert 400 <= status < 500
    assert field in [d["field"] for d in error["error"]["details"]]
    assert sent_mail() == []


def test_the_invalid_event_file_names_every_bad_field(aws):
    status, error = call(aws, "subscriptions-post-invalid.json")
    assert status == 422
    assert {d["field"] for d in error["error"]["details"]} == {"email", "frequency", "timezone"}


def test_one_click_unsubscribe_stops_the_digest(aws, period):
    subscribe_and_confirm(aws, "ada@example.com")
    poller = digest_poller(aws)
    fire(aws, period - timedelta(days=1))  # an earlier period: empty, nothing sent
    token = issue_token("unsubscribe", subscriber_id("ada@example.com"), signing_secret(aws))

    status, page = call(aws, "unsubscribe-page.json", token=token)
    assert status == 200 and "<form" in page and 'method="post"' in page
    status, page = call(aws, "unsubscribe-one-click.json", token=token)
    assert status == 200 and "unsubscribed" in page

    fire(aws, period)
    drain(poller)
    assert digests_to("ada@example.com") == []


def test_the_unsubscribe_link_in_a_digest_works(aws, period):
    subscribe_and_confirm(aws, "ada@example.com")
    fire(aws, period)
    drain(digest_poller(aws))
    (digest,) = digests_to("ada@example.com")
    token = link_token(digest, "/unsubscribe")
    assert f"token={token}" in digest["List-Unsubscribe"].replace("%3D", "=")
    assert call(aws, "unsubscribe-one-click.json", token=token)[0] == 200
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    item = table.get_item(Key={"id": subscriber_id("ada@example.com"), "sk": "subscriber"})["Item"]
    assert item["status"] == "unsubscribed" and "next_due_at" not in item


def _tamper(token: str) -> str:
    payload, sig = token.split(".")
    return f"{payload}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"


@pytest.mark.parametrize(
    "make",
    [
        lambda secret: _tamper(issue_token("unsubscribe", subscriber_id("ada@example.com"), secret)),
        lambda secret: issue_token("unsubscribe", subscriber_id("ada@example.com"), "guessed-secret"),
        lambda secret: issue_token("confirm", subscriber_id("ada@example.com"), secret),  # wrong purpose
        lambda secret: "not-a-token",
        lambda secret: "x" * 400 + "." + "y" * 20,
    ],
)
def test_forged_or_tampered_unsubscribe_tokens_are_400(aws, make):
    subscribe_and_confirm(aws, "ada@example.com")
    token = make(signing_secret(aws))
    for event in ("unsubscribe-one-click.json", "unsubscribe-page.json"):
        status, error = call(aws, event, token=token)
        assert status == 400 and error["error"]["code"] == "invalid_token"
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    item = table.get_item(Key={"id": subscriber_id("ada@example.com"), "sk": "subscriber"})["Item"]
    assert item["status"] == "active"


def test_a_valid_token_for_an_unknown_subscriber_is_404_and_reveals_nothing(aws):
    token = issue_token("unsubscribe", subscriber_id("nobody@example.com"), signing_secret(aws))
    status, error = call(aws, "unsubscribe-one-click.json", token=token)
    assert status == 404 and "nobody" not in json.dumps(error)


def test_an_old_confirmation_link_does_not_resubscribe_after_unsubscribing(aws):
    call(aws, "subscriptions-post.json", body=subscription("ada@example.com"))
    (confirmation,) = mail_to("ada@example.com")
    confirm_token = link_token(confirmation, "/subscriptions/confirm")
    assert call(aws, "subscriptions-confirm-post.json", token=confirm_token)[0] == 200
    assert call(aws, "subscriptions-confirm-post.json", token=confirm_token)[0] == 200  # a second click
    secret = signing_secret(aws)
    unsubscribe = issue_token("unsubscribe", subscriber_id("ada@example.com"), secret)
    assert call(aws, "unsubscribe-one-click.json", token=unsubscribe)[0] == 200
    status, error = call(aws, "subscriptions-confirm-post.json", token=confirm_token)
    assert status == 400 and error["error"]["code"] == "invalid_token"


def test_a_confirm_token_cannot_confirm_another_address(aws):
    call(aws, "subscriptions-post.json", body=subscription("ada@example.com"))
    call(aws, "subscriptions-post.json", body=subscription("bob@example.com"))
    (ada_confirmation,) = mail_to("ada@example.com")
    call(aws, "subscriptions-confirm-post.json", token=link_token(ada_confirmation, "/subscriptions/confirm"))
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    status = {
        address: table.get_item(Key={"id": subscriber_id(address), "sk": "subscriber"})["Item"]["status"]
        for address in ("ada@example.com", "bob@example.com")
    }
    assert status == {"ada@example.com": "active", "bob@example.com": "pending"}


@pytest.mark.parametrize("event_name", ["mail-bounce-sns.json", "mail-complaint-sns.json"])
def test_a_bounce_or_complaint_suppresses_the_address_for_good(aws, period, event_name):
    # Given an active subscriber
    subscribe_and_confirm(aws, "ada@example.com")
    # When SES reports a permanent bounce / a complaint for it
    assert aws.invoke("MailEventsFunction", load_event(event_name)) == {"suppressed": 1}
    # Then the run sends nothing, and subscribing again sends not even a confirmation
    fire(aws, period)
    drain(digest_poller(aws))
    before = len(sent_mail())
    assert call(aws, "subscriptions-post.json")[0] == 202  # same answer: existence is not revealed
    assert len(sent_mail()) == before and digests_to("ada@example.com") == []


def test_a_transient_bounce_does_not_suppress(aws):
    event = load_event("mail-bounce-sns.json")
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    message["bounce"]["bounceType"] = "Transient"
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    assert aws.invoke("MailEventsFunction", event) == {"suppressed": 0}


def test_bounces_published_to_the_topic_reach_the_handler(aws):
    from newsdigest_local.queues import topic_pollers

    (poller,) = topic_pollers(aws, aws.resolver)
    message = load_event("mail-bounce-sns.json")["Records"][0]["Sns"]["Message"]
    boto3.client("sns").publish(TopicArn=aws.resolver.refs["MailEventsTopic"], Message=message)
    assert poller.poll_once() == 1 and poller.delivered == 1
    assert sns_event(poller.topic_arn, "id", message, None)["Records"][0]["Sns"]["Message"] == message


def test_a_throttled_send_releases_its_claim_and_the_retry_sends_once(aws, period, fakes):
    from newsdigest.errors import MailUnavailable

    subscribe_and_confirm(aws, "ada@example.com")

    def throttled_once(n: int) -> None:
        if n == 1:
            raise MailUnavailable("TooManyRequestsException: Maximum sending rate exceeded.")

    mailer = ScriptedMailer(throttled_once)
    fakes(mailer=mailer)
    fire(aws, period)
    drain(digest_poller(aws))  # no waiting for the lease: SES said no, so nothing was sent
    assert mailer.sends == 2 and len(digests_to("ada@example.com")) == 1


def test_jobs_that_keep_failing_go_to_the_dead_letter_queue(aws, period, fakes):
    from newsdigest.errors import MailUnavailable

    def throttled(n: int) -> None:
        raise MailUnavailable("TooManyRequestsException")

    subscribe_and_confirm(aws, "ada@example.com")
    mailer = ScriptedMailer(throttled)
    fakes(mailer=mailer)
    fire(aws, period)
    poller = digest_poller(aws)

    for attempt in range(8):  # each retry after the claim's lease, like a redelivery 180 s later
        later = datetime.now(UTC) + timedelta(seconds=(attempt + 1) * (DELIVERY_LEASE_SECONDS + 1))
        fakes(mailer=mailer, clock=lambda later=later: later)
        poller.poll_once()
    sqs = boto3.client("sqs")
    dlq = aws.resolver.refs["DigestDeadLetterQueue"]
    (dead,) = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(dead["Body"])["subscriber_id"] == subscriber_id("ada@example.com")


def test_ses_calls_per_run_for_50_subscribers(aws, period, capsys):
    # Given 50 active subscribers (stored directly: the measurement is about the run)
    from newsdigest.dal.subscriptions import SubscriberStore
    from newsdigest.subscriptions.periods import next_due_after

    store = SubscriberStore(aws.environment["SUBSCRIBERS_TABLE"])
    addresses = [f"reader{i:02d}@example.com" for i in range(50)]
    confirmed_at = datetime.now(UTC)
    for address in addresses:
        sid = subscriber_id(address)
        store.request(sid, address, PREFS, confirmed_at)
        store.activate(sid, PREFS, next_due_after(PREFS, confirmed_at), confirmed_at)
    before = len(sent_mail())
    poller = digest_poller(aws)

    started = time.perf_counter()
    # When the run fires and the queue is drained
    report = fire(aws, period)
    drain(poller)
    elapsed = time.perf_counter() - started

    # Then one SendEmail per subscriber, no more
    ses_calls = len(sent_mail()) - before
    assert report["queued"] == 50 and ses_calls == 50
    assert all(len(digests_to(a)) == 1 for a in addresses)
    with capsys.disabled():
        print(
            f"\n[digest run] 50 subscribers: {ses_calls} SES SendEmail calls, {report['pages']} Due-index "
            f"page(s), {poller.delivered} jobs, {elapsed:.2f} s under in-process moto"
        )


def test_a_throttled_confirmation_email_is_a_503_with_retry_after(aws, fakes):
    from newsdigest.errors import MailUnavailable

    def throttled(n: int) -> None:
        raise MailUnavailable("TooManyRequestsException: Maximum sending rate exceeded.")

    # Given SES refusing to take mail for now
    fakes(mailer=ScriptedMailer(throttled))
    # When someone subscribes
    event = load_event("subscriptions-post.json")
    event["body"] = json.dumps(subscription("ada@example.com"))
    response = aws.invoke("SubscriptionsFunction", event)
    # Then the client is told to retry later, and nothing was sent
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    headers |= {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    assert response["statusCode"] == 503 and int(headers["retry-after"]) > 0
    assert json.loads(response["body"])["error"]["code"] == "mail_unavailable"
    assert mail_to("ada@example.com") == []
    # And the retry the 503 asks for sends the confirmation (the once-per-10-minutes limit was not spent)
    fakes()
    status, _ = call(aws, "subscriptions-post.json", body=subscription("ada@example.com"))
    assert status == 202 and len(mail_to("ada@example.com")) == 1
