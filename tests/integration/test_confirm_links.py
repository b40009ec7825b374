"""Confirmation by people only (issue 11, item 4): GET of a confirm link shows a page with a button and
confirms nothing (mail scanners follow links); the POST confirms; each link is good for the one subscription
request its email was sent for, once; a newer email voids older links; an old link cannot re-activate an
address that unsubscribed and was subscribed again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
from newsdigest.subscriptions.links import issue_token
from newsdigest.subscriptions.models import subscriber_id

from tests.conftest import load_event
from tests.digest_helpers import link_token, mail_to, subscription

ADA = "ada@example.com"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def call(aws, event_name: str, *, token: str | None = None, body: dict | None = None) -> tuple[int, str]:
    event = load_event(event_name)
    if body is not None:
        event["body"] = json.dumps(body)
    if token is not None:
        event["queryStringParameters"] = {"token": token}
        event["multiValueQueryStringParameters"] = {"token": [token]}
    response = aws.invoke("SubscriptionsFunction", event)
    return response["statusCode"], response["body"]


def status(aws, address: str = ADA) -> str:
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    return str(table.get_item(Key={"id": subscriber_id(address), "sk": "subscriber"})["Item"]["status"])


def subscribe(aws, address: str = ADA, **extra) -> str:
    """Subscribe; the token of the newest confirmation email to the address."""
    assert call(aws, "subscriptions-post.json", body=subscription(address, **extra))[0] == 202
    return link_token(mail_to(address)[-1], "/subscriptions/confirm")


def test_opening_the_link_shows_a_button_and_confirms_nothing(aws):
    token = subscribe(aws)
    # When a mail scanner (or a person) opens the link
    code, page = call(aws, "subscriptions-confirm.json", token=token)
    # Then it is a page whose button POSTs the same link, and the subscription still waits for a person
    assert code == 200 and '<form method="post"' in page and "/subscriptions/confirm?token=" in page
    assert status(aws) == "pending"
    # When the person presses the button
    code, page = call(aws, "subscriptions-confirm-post.json", token=token)
    assert code == 200 and "You are subscribed" in page and status(aws) == "active"


def test_a_forged_link_gets_no_page(aws):
    secret = aws.resolver.secrets[aws.environment["NEWSDIGEST_SIGNING_SECRET_ARN"]]  # read at run time
    unbound = issue_token("confirm", subscriber_id(ADA), secret, expires_at=2**40)  # no request id
    assert call(aws, "subscriptions-confirm.json", token="not-a-token")[0] == 400
    assert call(aws, "subscriptions-confirm.json", token=unbound)[0] == 400


def test_a_newer_confirmation_email_voids_the_older_link(aws, fakes):
    clock = Clock()
    fakes(clock=clock)
    first = subscribe(aws, frequency="daily")
    clock.now += timedelta(minutes=11)  # past the once-per-10-minutes limit: a second email goes out
    second = subscribe(aws, frequency="weekly")
    assert first != second
    code, body = call(aws, "subscriptions-confirm-post.json", token=first)
    assert code == 400 and json.loads(body)["error"]["code"] == "invalid_token"
    assert status(aws) == "pending"
    code, page = call(aws, "subscriptions-confirm-post.json", token=second)
    assert code == 200 and "weekly" in page and status(aws) == "active"


def test_a_link_is_used_once_a_second_click_changes_nothing(aws, fakes):
    clock = Clock()
    fakes(clock=clock)
    token = subscribe(aws)
    assert call(aws, "subscriptions-confirm-post.json", token=token)[0] == 200
    assert call(aws, "subscriptions-confirm-post.json", token=token)[0] == 200  # the same answer
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    item = table.get_item(Key={"id": subscriber_id(ADA), "sk": "subscriber"})["Item"]
    assert "confirm_request" not in item and item["status"] == "active"


def test_an_old_link_cannot_reactivate_an_address_unsubscribed_and_subscribed_again(aws, fakes):
    clock = Clock()
    fakes(clock=clock)
    # Given an address that confirmed, then unsubscribed
    old = subscribe(aws)
    assert call(aws, "subscriptions-confirm-post.json", token=old)[0] == 200
    secret = aws.resolver.secrets[aws.environment["NEWSDIGEST_SIGNING_SECRET_ARN"]]  # read at run time
    unsubscribe = issue_token("unsubscribe", subscriber_id(ADA), secret)
    assert call(aws, "unsubscribe-one-click.json", token=unsubscribe)[0] == 200
    # When someone subscribes it again (within the email interval: no new email; and after it)
    call(aws, "subscriptions-post.json", body=subscription(ADA))
    assert status(aws) == "pending"
    # Then the old link confirms nothing
    assert call(aws, "subscriptions-confirm-post.json", token=old)[0] == 400
    clock.now += timedelta(minutes=11)
    new = subscribe(aws)
    assert call(aws, "subscriptions-confirm-post.json", token=old)[0] == 400
    assert status(aws) == "pending"
    # only the new email's link does
    assert call(aws, "subscriptions-confirm-post.json", token=new)[0] == 200 and status(aws) == "active"


class UnavailableMailer:
    """SES throttles every send: nothing goes out."""

    def send(self, raw: bytes) -> str:
        from newsdigest.errors import MailUnavailable

        raise MailUnavailable("Maximum sending rate exceeded")


def test_a_newer_request_whose_email_did_not_go_out_voids_no_link(aws, fakes):
    clock = Clock()
    fakes(clock=clock)
    first = subscribe(aws, frequency="daily")
    # When the address is subscribed again past the interval, but SES does not take the email
    clock.now += timedelta(minutes=11)
    fakes(clock=clock, mailer=UnavailableMailer())
    code, _ = call(aws, "subscriptions-post.json", body=subscription(ADA, frequency="weekly"))
    assert code == 503 and len(mail_to(ADA)) == 1
    # Then the email that did go out still confirms (its own request: daily), and the claim is gone
    table = boto3.resource("dynamodb").Table(aws.environment["SUBSCRIBERS_TABLE"])
    item = table.get_item(Key={"id": subscriber_id(ADA), "sk": "subscriber"})["Item"]
    assert "confirm_claim" not in item
    code, page = call(aws, "subscriptions-confirm-post.json", token=first)
    assert code == 200 and "daily" in page and status(aws) == "active"
