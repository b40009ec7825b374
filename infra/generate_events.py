"""Regenerate events/*.json: API Gateway (REST proxy) requests for every route, a DynamoDB stream batch, and
the digest-email triggers (an EventBridge Scheduler run, an SQS batch of digest jobs, SNS notifications of
SES bounces and complaints),
shaped like `sam local generate-event` output and consistent with each other (the GET events ask for the
sample article the POST event creates, and the stream event carries that article's real stream record).

    .venv/bin/python infra/generate_events.py
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
SAMPLE_URL = "https://news.example.com/2026/11/harbour-ferries-go-electric"

HEADERS = {
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
    "CloudFront-Forwarded-Proto": "https",
    "CloudFront-Viewer-Country": "US",
    "Host": "1234567890.execute-api.us-east-1.amazonaws.com",
    "User-Agent": "curl/8.5.0",
    "Via": "1.1 08f323deadbeefa7af34d5feb414ce27.cloudfront.net (CloudFront)",
    "X-Amz-Cf-Id": "cDehVQoZnx43VYQb9j2-nvCh-9z396Uhbp027Y2JvkCPNLmGJHqlaA==",
    "X-Forwarded-For": "127.0.0.1, 127.0.0.2",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
}


def api_event(
    method: str,
    resource: str,
    path: str,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
    accept: str | None = None,
    form: str | None = None,
    opml: str | None = None,
) -> dict[str, Any]:
    headers = dict(HEADERS)
    if body is not None:
        headers["Content-Type"] = "application/json"
    if opml is not None:
        headers["Content-Type"] = "text/x-opml"
    if method in {"POST", "DELETE"} and path.startswith(("/articles", "/feeds")):
        headers["x-api-key"] = "local-api-key-example"  # API Gateway checks it before the function runs
    if accept:
        headers["Accept"] = accept
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return {
        "body": json.dumps(body) if body is not None else (form if form is not None else opml),
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "isBase64Encoded": False,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params,
        "stageVariables": None,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "123456",
            "stage": "v1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "28/Nov/2026:12:34:56 +0000",
            "requestTimeEpoch": 1795869296000,
            "identity": {
                "sourceIp": "127.0.0.1",
                "userAgent": "curl/8.5.0",
                "accessKey": None,
                "apiKey": None,
            },
            "path": f"/v1{path}",
            "resourcePath": resource,
            "httpMethod": method,
            "apiId": "1234567890",
            "domainName": "1234567890.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "1234567890",
            "protocol": "HTTP/1.1",
        },
    }


def sample_article() -> dict[str, Any]:
    return {
        "title": "Harbour ferries go electric by next year",
        "format": "text",
        "url": SAMPLE_URL,
        "source": "example-news",
        "published_at": "2026-11-28T07:30:00Z",
        "language": "en",
        "body": (ROOT / "infra" / "samples" / "harbour-ferries.txt").read_text(),
    }


def stream_event(article: dict[str, Any]) -> dict[str, Any]:
    """The stream record the ingest of `article` produces, captured from moto, as Lambda delivers it."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        }
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws
    from newsdigest_local.resources import provision
    from newsdigest_local.runtime import LocalRuntime
    from newsdigest_local.stack import local_function_environment
    from newsdigest_local.streams import StreamPoller
    from newsdigest_local.template import Template

    with mock_aws():
        template = Template.load()
        resolver = provision(template)
        runtime = LocalRuntime(
            template, resolver, log=lambda line: None, overrides=local_function_environment(True)
        )
        runtime.invoke("IngestFunction", api_event("POST", "/articles", "/articles", body=article), "POST")
        source = template.functions["SummarizeFunction"].streams[0]
        captured: list[dict[str, Any]] = []
        poller = StreamPoller(source, resolver.get_att(source.table, "StreamArn"), runtime, None)
        poller.deliver = lambda batch, shard_id, attempts=0: captured.extend(batch)  # type: ignore[method-assign]
        poller.poll_once()
    return {"Records": captured}


def failure_destination_event() -> dict[str, Any]:
    """What the summarizer's on-failure destination (SQS) delivers to SummarizeFailuresFunction: Lambda's
    record of a stream batch whose retries were exhausted (a shard and a sequence range, no article ids)."""
    record = {
        "requestContext": {
            "requestId": "316aa6d0-8154-4d0d-9a2d-4f6c8bdeadbe",
            "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:newsdigest-SummarizeFunction",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 4,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": "2026-11-28T12:35:10.000Z",
        "DDBStreamBatchInfo": {
            "shardId": "shardId-00000001795869296000-abcdef12",
            "startSequenceNumber": "1100000000017454423010",
            "endSequenceNumber": "1100000000017454423010",
            "approximateArrivalOfFirstRecord": "2026-11-28T12:34:56Z",
            "approximateArrivalOfLastRecord": "2026-11-28T12:34:56Z",
            "batchSize": 1,
            "streamArn": "arn:aws:dynamodb:us-east-1:123456789012:table/newsdigest-ArticlesTable/stream/"
            "2026-11-28T00:00:00.000",
        },
    }
    body = json.dumps(record)
    return {
        "Records": [
            {
                "messageId": "7b1f6f7e-3c1a-4f2e-9f0b-0a1c2d3e4f50",
                "receiptHandle": "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq...",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795869310000",
                    "SenderId": "AROAIWPX5BD2BHG722MW4:newsdigest-SummarizeFunction",
                    "ApproximateFirstReceiveTimestamp": "1795869310100",
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:newsdigest-SummarizeFailureQueue-1A",
                "awsRegion": "us-east-1",
            }
        ]
    }


# Digest emails. Tokens are signed with the stack's secret, so the events carry a placeholder that tests
# (and a developer, from the confirmation email) replace.
SUBSCRIBER_EMAIL = "ada@example.com"
TOKEN_PLACEHOLDER = "REPLACE-WITH-THE-TOKEN-FROM-THE-EMAIL"
SCHEDULED_TIME = "2026-11-29T07:00:00Z"


def ses_notification(kind: str) -> dict[str, Any]:
    """An SES event-publishing record (configuration set -> SNS) for a bounce or a complaint."""
    mail = {
        "timestamp": "2026-11-29T06:00:02.123Z",
        "source": "digest@newsdigest.example.com",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/newsdigest.example.com",
        "sendingAccountId": "123456789012",
        "messageId": "0100019a-ses-message-id-000000",
        "destination": [SUBSCRIBER_EMAIL],
        "headersTruncated": False,
        "tags": {"ses:configuration-set": ["newsdigest-digest"]},
    }
    if kind == "Bounce":
        detail: dict[str, Any] = {
            "bounce": {
                "feedbackId": "0100019a-bounce-feedback-000000",
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "bouncedRecipients": [
                    {
                        "emailAddress": SUBSCRIBER_EMAIL,
                        "action": "failed",
                        "status": "5.1.1",
                        "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                    }
                ],
                "timestamp": "2026-11-29T06:00:03.456Z",
                "reportingMTA": "dns; a8-70.smtp-out.amazonses.com",
            }
        }
    else:
        detail = {
            "complaint": {
                "feedbackId": "0100019a-complaint-feedback-000000",
                "complainedRecipients": [{"emailAddress": SUBSCRIBER_EMAIL}],
                "timestamp": "2026-11-29T06:10:00.000Z",
                "userAgent": "Mail provider feedback loop",
                "complaintFeedbackType": "abuse",
                "arrivalDate": "2026-11-29T06:09:58.000Z",
            }
        }
    return {"eventType": kind, **detail, "mail": mail}


def sns_event(message: dict[str, Any]) -> dict[str, Any]:
    topic = "arn:aws:sns:us-east-1:123456789012:newsdigest-MailEventsTopic-1A2B3C4D5E6F"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": topic,
                    "Subject": None,
                    "Message": json.dumps(message),
                    "Timestamp": "2026-11-29T06:00:04.000Z",
                    "SignatureVersion": "1",
                    "Signature": "EXAMPLE",
                    "SigningCertUrl": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem",
                    "UnsubscribeUrl": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def digest_events() -> dict[str, Any]:
    from newsdigest.subscriptions.models import subscriber_id

    token = {"token": TOKEN_PLACEHOLDER}
    job = {
        "subscriber_id": subscriber_id(SUBSCRIBER_EMAIL),
        "scheduled_time": SCHEDULED_TIME,
        "run_id": "b3c6d1f0-4f4e-4a55-9a43-6d2f1f6b7c21",
    }
    return {
        "subscriptions-post.json": api_event(
            "POST",
            "/subscriptions",
            "/subscriptions",
            body={
                "email": SUBSCRIBER_EMAIL,
                "frequency": "daily",
                "timezone": "Europe/Paris",
                "sources": ["example-news"],
                "send_hour": 7,
            },
        ),
        "subscriptions-post-invalid.json": api_event(
            "POST",
            "/subscriptions",
            "/subscriptions",
            body={"email": "not-an-address", "frequency": "hourly", "timezone": "Mars/Olympus_Mons"},
        ),
        # The confirmation email's link: a page with a button (GET confirms nothing: mail scanners follow
        # links); the button POSTs.
        "subscriptions-confirm.json": api_event(
            "GET", "/subscriptions/confirm", "/subscriptions/confirm", query=token
        ),
        "subscriptions-confirm-post.json": api_event(
            "POST", "/subscriptions/confirm", "/subscriptions/confirm", query=token, form=""
        ),
        "unsubscribe-page.json": api_event("GET", "/unsubscribe", "/unsubscribe", query=token),
        # RFC 8058: what a mail provider POSTs when the reader clicks its unsubscribe button.
        "unsubscribe-one-click.json": api_event(
            "POST", "/unsubscribe", "/unsubscribe", query=token, form="List-Unsubscribe=One-Click"
        ),
        # EventBridge Scheduler delivers the schedule's Input with its context attributes filled in.
        "digest-schedule.json": {
            "scheduled_time": SCHEDULED_TIME,
            "execution_id": "0f9ad9e4-2f5a-4d8e-9f53-3c0c2d4f8a77",
        },
        # A schedule with no Input (or an EventBridge rule) delivers the raw event: its "time" is the run's.
        "digest-schedule-raw.json": {
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": "123456789012",
            "time": SCHEDULED_TIME,
            "region": "us-east-1",
            "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/newsdigest-DigestRun"],
            "detail": {},
        },
        "digest-send-sqs.json": {
            "Records": [
                {
                    "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
                    "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
                    "body": json.dumps(job),
                    "attributes": {
                        "ApproximateReceiveCount": "1",
                        "SentTimestamp": "1795849200000",
                        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                        "ApproximateFirstReceiveTimestamp": "1795849200100",
                    },
                    "messageAttributes": {},
                    "md5OfBody": hashlib.md5(json.dumps(job).encode()).hexdigest(),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:newsdigest-DigestQueue-1A2B3C",
                    "awsRegion": "us-east-1",
                }
            ]
        },
        "mail-bounce-sns.json": sns_event(ses_notification("Bounce")),
        "mail-complaint-sns.json": sns_event(ses_notification("Complaint")),
    }


SAMPLE_FEED_URL = "https://news.example.com/feeds/all.atom"
SAMPLE_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News">
      <outline type="rss" text="Example News" xmlUrl="https://news.example.com/feeds/all.atom"/>
      <outline type="rss" text="Example Blog" xmlUrl="https://blog.example.org/feed.json"/>
    </outline>
  </body>
</opml>
"""


def feed_events() -> dict[str, Any]:
    from datetime import datetime

    from newsdigest.feeds.feed import Feed, FeedJob, feed_id

    fid = feed_id(SAMPLE_FEED_URL)
    at = datetime.fromisoformat(SCHEDULED_TIME.replace("Z", "+00:00"))
    feed = Feed(
        id=fid,
        url=SAMPLE_FEED_URL,
        submitted_url=SAMPLE_FEED_URL,
        source="example-news",
        poll_minutes=30,
        created_at=at,
        next_poll_at=at,
    )
    job = FeedJob(feed=feed, scheduled_time=at).model_dump_json()
    return {
        "ingest-post-feed.json": api_event(
            "POST",
            "/feeds",
            "/feeds",
            body={"url": SAMPLE_FEED_URL, "source": "example-news", "poll_minutes": 30, "full_text": "auto"},
        ),
        "ingest-post-feed-refused.json": api_event(
            "POST", "/feeds", "/feeds", body={"url": "http://169.254.169.254/latest/meta-data/"}
        ),
        "ingest-import-opml.json": api_event("POST", "/feeds/import", "/feeds/import", opml=SAMPLE_OPML),
        "ingest-delete-feed.json": api_event(
            "DELETE", "/feeds/{feed_id}", f"/feeds/{fid}", path_params={"feed_id": fid}
        ),
        "api-list-feeds.json": api_event("GET", "/feeds", "/feeds", query={"limit": "10"}),
        "api-get-feed.json": api_event(
            "GET", "/feeds/{feed_id}", f"/feeds/{fid}", path_params={"feed_id": fid}
        ),
        "api-get-feeds-opml.json": api_event("GET", "/feeds.opml", "/feeds.opml", accept="text/x-opml"),
        "ingest-post-article-url.json": api_event(
            "POST", "/articles", "/articles", body={"url": SAMPLE_URL, "source": "example-news"}
        ),
        # EventBridge Scheduler delivers the schedule's Input with its context attributes filled in.
        "feed-schedule.json": {
            "scheduled_time": SCHEDULED_TIME,
            "execution_id": "6a1f3c2e-9b7d-4e1a-8c55-2f0d9e3b7a14",
        },
        "feed-poll-sqs.json": {
            "Records": [
                {
                    "messageId": "7b2c9f1e-3d4a-4b6c-9e8f-1a2b3c4d5e6f",
                    "receiptHandle": "AQEBz4Fq3mR8pLkT2vX9nYc...",
                    "body": job,
                    "attributes": {
                        "ApproximateReceiveCount": "1",
                        "SentTimestamp": "1795849200000",
                        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                        "ApproximateFirstReceiveTimestamp": "1795849200100",
                    },
                    "messageAttributes": {},
                    "md5OfBody": hashlib.md5(job.encode()).hexdigest(),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:newsdigest-FeedQueue-4D5E6F",
                    "awsRegion": "us-east-1",
                }
            ]
        },
    }


def main() -> None:
    from newsdigest.articles.ids import article_id

    article = sample_article()
    aid = article_id(url=SAMPLE_URL, title="", body="")
    second = dict(
        article,
        url="https://news.example.com/2026/11/ferry-timetable",
        title="New ferry timetable",
        body="The winter timetable starts on Monday. Boats will leave every twenty minutes. "
        "Night services are unchanged.",
    )
    events = {
        "ingest-post-article.json": api_event("POST", "/articles", "/articles", body=article),
        "ingest-post-article-invalid.json": api_event(
            "POST", "/articles", "/articles", body={"body": "No title here.", "format": "pdf"}
        ),
        "ingest-post-batch.json": api_event(
            "POST", "/articles/batch", "/articles/batch", body={"articles": [article, second]}
        ),
        "api-list-articles.json": api_event("GET", "/articles", "/articles", query={"limit": "10"}),
        "api-get-article.json": api_event(
            "GET", "/articles/{article_id}", f"/articles/{aid}", path_params={"article_id": aid}
        ),
        "api-get-digest.json": api_event(
            "GET", "/articles/{article_id}/digest", f"/articles/{aid}/digest", path_params={"article_id": aid}
        ),
        "ingest-delete-article.json": api_event(
            "DELETE", "/articles/{article_id}", f"/articles/{aid}", path_params={"article_id": aid}
        ),
        "ingest-redrive-article.json": api_event(
            "POST",
            "/articles/{article_id}/summarize",
            f"/articles/{aid}/summarize",
            path_params={"article_id": aid},
        ),
        "api-get-daily-digest.json": api_event(
            "GET",
            "/digests/{day}",
            "/digests/2026-11-28",
            path_params={"day": "2026-11-28"},
            query={"tz": "Europe/Lisbon"},
        ),
        "api-get-daily-digest-html.json": api_event(
            "GET",
            "/digests/{day}",
            "/digests/2026-11-28.html",
            path_params={"day": "2026-11-28.html"},
            accept="text/html",
        ),
        "api-health.json": api_event("GET", "/health", "/health"),
        "summarize-stream.json": stream_event(article),
        "summarize-failures-sqs.json": failure_destination_event(),
        **digest_events(),
        **feed_events(),
    }
    EVENTS.mkdir(exist_ok=True)
    for name, event in events.items():
        (EVENTS / name).write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote events/{name}")


if __name__ == "__main__":
    main()
