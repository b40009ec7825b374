"""Subscription routes (SubscriptionsFunction). Public: the one-click unsubscribe POST comes from mail
providers, and the confirm/unsubscribe links from people's inboxes."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest import wiring
from newsdigest.api.errors import documented_errors
from newsdigest.observability import MetricUnit, metrics
from newsdigest.subscriptions import subscribers
from newsdigest.subscriptions.emails import render_page
from newsdigest.subscriptions.links import MAX_TOKEN_CHARS, check_token, link_base
from newsdigest.subscriptions.models import SubscriptionAccepted, SubscriptionIn

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


def public_base_url(event: Any, configured: str) -> str:
    """The base URL of links in emails: the configured one (PublicBaseUrl, e.g. a custom domain), else the
    URL this request came in on. API Gateway's ``requestContext.path`` is the path as the client called it
    (with the stage, or a custom domain's base path), ``path`` the resource path: the base is the prefix."""
    if configured:
        return configured.rstrip("/")
    context = event.request_context
    domain = context.domain_name
    if not domain:
        return ""  # not behind API Gateway (a direct invoke): the link code refuses to guess
    called = str(event.raw_event.get("requestContext", {}).get("path") or "")
    if called and called.endswith(event.path):
        prefix = called[: len(called) - len(event.path)]
    else:
        prefix = f"/{context.stage}" if context.stage else ""
    return f"https://{domain}{prefix.rstrip('/')}"


def _page(title: str, message: str, **kwargs: str) -> Response[str]:
    return Response(
        status_code=200,
        content_type=HTML,
        body=render_page(title, message, **kwargs),
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.post(
    "/subscriptions",
    summary="Subscribe to the digest email (a confirmation email is sent first)",
    responses={
        202: {"description": "Accepted", "content": {"application/json": {"model": SubscriptionAccepted}}},
        **documented_errors(400, 413, 415, 422, 502, 503),
    },
)
def post_subscription(subscription: SubscriptionIn) -> Response[dict]:
    services = wiring.services
    accepted = subscribers.subscribe(
        subscription,
        store=services.subscriber_store,
        mailer=services.mailer,
        settings=services.settings,
        keys=services.signing_keys,
        base_url=public_base_url(router.current_event, services.settings.public_base_url),
        now=services.clock(),
    )
    metrics.add_metric(name="SubscriptionRequests", unit=MetricUnit.Count, value=1)
    return Response(status_code=202, content_type="application/json", body=accepted.model_dump(mode="json"))


@router.get(
    "/subscriptions/confirm",
    summary="The confirmation page (the link in the confirmation email): one button",
    description="Confirms nothing by itself - mail scanners follow links; the page's button POSTs.",
    responses=PAGE_RESPONSES,
)
def get_confirm(token: Token) -> Response[str]:
    services = wiring.services
    subscribers.check_confirm_link(token, keys=services.signing_keys, now=services.clock())
    base = public_base_url(router.current_event, services.settings.public_base_url)
    return _page(
        "Confirm your subscription",
        "Receive the news digest at this address?",
        form_action=f"{link_base(base)}/subscriptions/confirm?token={quote(token)}",
        button="Confirm subscription",
    )


@router.post(
    "/subscriptions/confirm",
    summary="Confirm a subscription (the confirmation page's button)",
    description="Good for the one subscription request the email was sent for, once; a newer confirmation "
    "email, or an unsubscribe since, makes the link invalid (400).",
    responses=PAGE_RESPONSES,
)
def post_confirm(token: Token) -> Response[str]:
    services = wiring.services
    subscriber = subscribers.confirm(
        token, store=services.subscriber_store, keys=services.signing_keys, now=services.clock()
    )
    prefs = subscriber.preferences
    when = f"{prefs.frequency}, at {prefs.send_hour:02d}:00 {prefs.timezone}" if prefs else ""
    metrics.add_metric(name="SubscriptionsConfirmed", unit=MetricUnit.Count, value=1)
    return _page("You are subscribed", f"Your news digest will arrive {when}.")


@router.get("/unsubscribe", summary="The unsubscribe page: one button", responses=PAGE_RESPONSES)
def get_unsubscribe(token: Token) -> Response[str]:
    services = wiring.services
    check_token(token, "unsubscribe", services.signing_keys, services.clock())
    base = public_base_url(router.current_event, services.settings.public_base_url)
    return _page(
        "Unsubscribe",
        "Stop receiving the news digest at this address?",
        form_action=f"{link_base(base)}/unsubscribe?token={quote(token)}",
        button="Unsubscribe",
    )


@router.post(
    "/unsubscribe",
    summary="Unsubscribe (RFC 8058 one-click POST, or the page's button)",
    responses=PAGE_RESPONSES,
)
def post_unsubscribe(token: Token) -> Response[str]:
    services = wiring.services
    subscribers.unsubscribe(
        token, store=services.subscriber_store, keys=services.signing_keys, now=services.clock()
    )
    metrics.add_metric(name="Unsubscribes", unit=MetricUnit.Count, value=1)
    return _page("You are unsubscribed", "You will not receive the news digest any more.")
