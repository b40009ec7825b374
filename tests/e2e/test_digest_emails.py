"""The digest-email acceptance path on the local stack, over HTTP, with `newsdigest schedule fire`:
subscribe -> confirm -> ingest -> fire -> one email per due subscriber (headers, escaping, working
unsubscribe) -> firing again sends nothing -> a crash between sends, then a re-run, mails everyone once."""

from __future__ import annotations

import email
import email.policy
import html
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from newsdigest.config import DELIVERY_LEASE_SECONDS
from newsdigest.subscriptions.models import Preferences
from newsdigest_local.mail import sent_mail
from newsdigest_local.stack import LocalStack

from tests.conftest import ROOT
from tests.digest_helpers import (
    ScriptedMailer,
    digests_to,
    due_time_covering,
    link_token,
    mail_to,
    parts,
    subscription,
)
from tests.e2e.conftest import API_KEY, WRITE, running_stack

pytestmark = pytest.mark.e2e
CLI = [sys.executable, "-m", "newsdigest_local.cli"]
PREFS = Preferences(frequency="daily", timezone="Europe/Paris", send_hour=7)
HOSTILE_TITLE = "Ferries <script>alert('pwned')</script> go electric"


class LambdaCrash(BaseException):
    """The sender's process dies between two sends."""


@pytest.fixture(scope="module")
def mail_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    # A failed job comes back after 1 s here, not after the template's 180 s VisibilityTimeout.
    with running_stack(
        state_dir=tmp_path_factory.mktemp("state"), api_key=API_KEY, queue_visibility_timeout=1
    ) as local:
        yield local


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT", "NEWSDIGEST_"))}
    return subprocess.run(
        [*CLI, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def fire(stack: LocalStack, at: datetime) -> dict:
    at_text = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    result = cli("schedule", "fire", "HourlyDigest", "--at", at_text, "--state-dir", str(stack.state_dir))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def wait_until(predicate, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def settle(stack: LocalStack) -> None:
    """Wait for the digest queue to drain (jobs that failed come back after the stack's 1 s visibility)."""
    import boto3

    sqs = boto3.client("sqs", endpoint_url=stack.aws_endpoint)
    url = stack.resolver.refs["DigestQueue"]

    def empty() -> bool:
        attrs = sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return not int(attrs["ApproximateNumberOfMessages"]) + int(
            attrs["ApproximateNumberOfMessagesNotVisible"]
        )

    wait_until(empty, timeout=20)


def subscribe_and_confirm(stack: LocalStack, address: str) -> None:
    response = requests.post(f"{stack.api_url}/subscriptions", json=subscription(address), timeout=5)
    assert response.status_code == 202
    wait_until(lambda: mail_to(address))
    (confirmation,) = mail_to(address)
    # As a person does: open the link (a page with a button; opening it confirms nothing), press the button
    page = requests.get(
        f"{stack.api_url}/subscriptions/confirm",
        params={"token": link_token(confirmation, "/subscriptions/confirm")},
        timeout=5,
    )
    assert page.status_code == 200 and "You are subscribed" not in page.text
    action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
    confirm = requests.post(action, timeout=5)
    assert confirm.status_code == 200 and "You are subscribed" in confirm.text


@pytest.fixture(scope="module")
def run_time(mail_stack: LocalStack) -> datetime:
    """Articles ingested over HTTP and summarized by the stream; the run time whose digest covers them."""
    ids = []
    for title, path in [(HOSTILE_TITLE, "hostile"), ("New ferry timetable", "timetable")]:
        article = {
            "title": title,
            "format": "text",
            "url": f"https://news.example.com/e2e-mail/{path}",
            "source": "example-news",
            "body": (ROOT / "infra" / "samples" / "harbour-ferries.txt").read_text(),
        }
        response = requests.post(f"{mail_stack.api_url}/articles", json=article, headers=WRITE, timeout=5)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    for article_id in ids:
        wait_until(
            lambda article_id=article_id: (
                requests.get(f"{mail_stack.api_url}/articles/{article_id}/digest", timeout=5).json()["status"]
                == "ready"
            )
        )
    return due_time_covering(PREFS, datetime.now(UTC))


def test_schedule_list_prints_the_schedule_names(mail_stack):
    result = cli("schedule", "list")
    assert result.returncode == 0 and sorted(result.stdout.splitlines()) == ["FeedPolls", "HourlyDigest"]


def test_subscribe_confirm_fire_gives_one_email_with_working_unsubscribe(mail_stack, run_time):
    # Given two confirmed subscribers and summarized articles
    subscribe_and_confirm(mail_stack, "ada@example.com")
    subscribe_and_confirm(mail_stack, "grace@example.com")

    # When the schedule is fired by hand
    assert fire(mail_stack, run_time)["queued"] == 2
    settle(mail_stack)
    wait_until(lambda: digests_to("grace@example.com"))

    # Then each got exactly one digest, with one-click unsubscribe and the hostile title escaped
    for address in ("ada@example.com", "grace@example.com"):
        (digest,) = digests_to(address)
        assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        _, html = parts(digest)
        assert "Ferries &lt;script&gt;alert(" in html and "<script>" not in html

    # And the List-Unsubscribe URL works as a mail provider uses it (RFC 8058 POST)
    (digest,) = digests_to("ada@example.com")
    url = digest["List-Unsubscribe"].strip("<>")
    assert url.startswith(mail_stack.api_url)
    response = requests.post(
        url,
        data="List-Unsubscribe=One-Click",
        timeout=5,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and "unsubscribed" in response.text

    # And every accepted email is saved as an .eml file under the state folder
    mail_dir = Path(mail_stack.state_dir) / "mail"
    archived = len(sent_mail()) - mail_stack.mail_archive.skipped
    wait_until(lambda: len(list(mail_dir.glob("*.eml"))) == archived)
    saved = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in mail_dir.glob("*.eml")
    ]
    assert sum(1 for m in saved if m["List-Unsubscribe"] and m["To"] == "grace@example.com") == 1

    # When the schedule fires again (same hour, and the next hour)
    before = len(sent_mail())
    fire(mail_stack, run_time)
    fire(mail_stack, run_time + timedelta(hours=1))
    settle(mail_stack)
    # Then nothing more is sent
    assert len(sent_mail()) == before


def test_a_crash_between_sends_then_a_rerun_mails_each_due_subscriber_once(mail_stack, run_time, fakes):
    addresses = [f"crash{i}@example.com" for i in range(4)]
    for address in addresses:
        subscribe_and_confirm(mail_stack, address)

    def crash_on_second(n: int) -> None:
        if n == 2:
            raise LambdaCrash()

    # Given a sender that dies after its first send of the run
    mailer = ScriptedMailer(crash_on_second)
    fakes(mailer=mailer)
    fire(mail_stack, run_time)
    wait_until(lambda: mailer.sends >= 2)

    # When the crashed claim's lease has passed and the schedule runs again (Scheduler retry)
    later = datetime.now(UTC) + timedelta(seconds=DELIVERY_LEASE_SECONDS + 1)
    fakes(mailer=mailer, clock=lambda: later)
    fire(mail_stack, run_time)
    settle(mail_stack)

    # Then every due subscriber got exactly one digest
    assert [len(digests_to(a)) for a in addresses] == [1, 1, 1, 1]


def test_a_bounce_published_by_ses_suppresses_the_address(mail_stack):
    import boto3

    subscribe_and_confirm(mail_stack, "bouncy@example.com")
    notification = json.loads(
        json.loads((ROOT / "events" / "mail-bounce-sns.json").read_text())["Records"][0]["Sns"]["Message"]
    )
    notification["bounce"]["bouncedRecipients"][0]["emailAddress"] = "bouncy@example.com"
    sns = boto3.client("sns", endpoint_url=mail_stack.aws_endpoint)
    sns.publish(TopicArn=mail_stack.resolver.refs["MailEventsTopic"], Message=json.dumps(notification))
    table = boto3.resource("dynamodb", endpoint_url=mail_stack.aws_endpoint).Table(
        mail_stack.resolver.refs["SubscribersTable"]
    )
    from newsdigest.subscriptions.models import subscriber_id

    key = {"id": subscriber_id("bouncy@example.com"), "sk": "subscriber"}
    wait_until(lambda: table.get_item(Key=key)["Item"]["status"] == "suppressed")
