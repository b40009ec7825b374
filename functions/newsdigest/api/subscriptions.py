"""Subscription routes (SubscriptionsFunction). Public: the one-click unsubscribe POST comes from mail
providers, and the confirm/unsubscribe links from people's inboxes."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest import subscribers
from newsdigest.api.errors import documented_errors, error_response
from newsdigest.config import get_settings
from newsdigest.dal.mailer import SesMailer
from newsdigest.dal.subscribers import SubscriberStore
from newsdigest.emails.render import render_page
from newsdigest.errors import InvalidToken, SubscriberNotFound
from newsdigest.observability import MetricUnit, metrics
from newsdigest.subscription_models import SubscriptionAccepted, SubscriptionIn
from newsdigest.tokens import MAX_TOKEN_CHARS

router = APIGatewayRouter()
_PAGE: Any = {
    "description": "A small HTML page saying what happened",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
PAGE_RESPONSES: Any = {200: _PAGE, **documented_errors(400, 404, 422)}

Token = Annotated[
    str, Query(min_length=1, max_length=MAX_TOKEN_CHARS, description="The token from the email's link.")
]
HTML = "text/html; charset=utf-8"


@lru_cache(maxsize=1)
def subscriber_store() -> SubscriberStore:
    return SubscriberStore(get_settings().subscribers_table)


@lru_cache(maxsize=1)
def mailer() -> SesMailer:
    settings = get_settings()
    return SesMailer(settings.mail_from, settings.mail_configuration_set)


def _now() -> datetime:
    return datetime.now(UTC)


def _page(title: str, message: str, **kwargs: str) -> Response[str]:
    return Response(
        status_code=200,
        content_type=HTML,
        body=render_page(title, message, **kwargs),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.exception_handler(InvalidToken)
def _invalid_token(exc: InvalidToken) -> Response:
    return error_response(400, "invalid_token", str(exc), [{"field": "token", "message": str(exc)}])


@router.exception_handler(SubscriberNotFound)
def _no_subscriber(exc: SubscriberNotFound) -> Response:
    return error_response(404, "not_found", str(exc))


@router.post(
    "/subscriptions",
    summary="Subscribe to the digest email (a confirmation email is sent first)",
    responses={
        202: {"description": "Accepted", "content": {"application/json": {"model": SubscriptionAccepted}}},
        **documented_errors(400, 413, 415, 422),
    },
)
def post_subscription(subscription: SubscriptionIn) -> Response[dict]:
    accepted = subscribers.subscribe(
        subscription, store=subscriber_store(), mailer=mailer(), settings=get_settings(), now=_now()
    )
    metrics.add_metric(name="SubscriptionRequests", unit=MetricUnit.Count, value=1)
    return Response(status_code=202, content_type="application/json", body=accepted.model_dump(mode="json"))


@router.get(
    "/subscriptions/confirm",
    summary="Confirm a subscription (the link in the confirmation email)",
    responses=PAGE_RESPONSES,
)
def get_confirm(token: Token) -> Response[str]:
    subscriber = subscribers.confirm(token, store=subscriber_store(), settings=get_settings(), now=_now())
    prefs = subscriber.preferences
    when = f"{prefs.frequency}, at {prefs.send_hour:02d}:00 {prefs.timezone}" if prefs else ""
    metrics.add_metric(name="SubscriptionsConfirmed", unit=MetricUnit.Count, value=1)
    return _page("You are subscribed", f"Your news digest will arrive {when}.")


@router.get("/unsubscribe", summary="The unsubscribe page: one button", responses=PAGE_RESPONSES)
def get_unsubscribe(token: Token) -> Response[str]:
    subscribers.check_token(token, "unsubscribe", get_settings(), _now())
    return _page(
        "Unsubscribe",
        "Stop receiving the news digest at this address?",
        form_action=f"{get_settings().public_base_url.rstrip('/')}/unsubscribe?token={quote(token)}",
        button="Unsubscribe",
    )


@router.post(
    "/unsubscribe",
    summary="Unsubscribe (RFC 8058 one-click POST, or the page's button)",
    responses=PAGE_RESPONSES,
)
def post_unsubscribe(token: Token) -> Response[str]:
    subscribers.unsubscribe(token, store=subscriber_store(), settings=get_settings(), now=_now())
    metrics.add_metric(name="Unsubscribes", unit=MetricUnit.Count, value=1)
    return _page("You are unsubscribed", "You will not receive the news digest any more.")
