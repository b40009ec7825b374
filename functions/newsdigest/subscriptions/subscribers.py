"""Subscriptions: subscribe (double opt-in), confirm, unsubscribe, and suppression after bounces/complaints.

Answers never reveal whether an address is subscribed: subscribing always gets the same reply, and an
unsubscribe link works only with a token this service signed for that one subscriber.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from newsdigest.config import CONFIRMATION_CLAIM_SECONDS, CONFIRMATION_INTERVAL_SECONDS, Settings
from newsdigest.errors import ConfirmLinkSuperseded, SubscriberNotFound
from newsdigest.signing import Keys
from newsdigest.subscriptions.emails import build_mime, render_confirmation
from newsdigest.subscriptions.links import check_confirm_token, check_token, confirm_url
from newsdigest.subscriptions.models import (
    ConfirmRequest,
    Preferences,
    Subscriber,
    SubscriptionAccepted,
    SubscriptionIn,
    normalize_email,
    subscriber_id,
)
from newsdigest.subscriptions.periods import next_due_after


class SubscriberRepository(Protocol):
    def get(self, sid: str) -> Subscriber | None: ...
    def request(self, sid: str, email: str, prefs: Preferences, now: datetime) -> str: ...
    def activate(
        self,
        sid: str,
        prefs: Preferences,
        next_due_at: datetime,
        now: datetime,
        *,
        request_id: str | None = None,
    ) -> None: ...
    def unsubscribe(self, sid: str, now: datetime) -> None: ...
    def suppress(self, sid: str, email: str, reason: str, now: datetime) -> None: ...
    def claim_confirmation(
        self, sid: str, now: datetime, min_interval_seconds: int, lease_seconds: int
    ) -> str | None: ...
    def confirmation_sent(self, sid: str, claim: str, now: datetime, request: ConfirmRequest) -> None: ...
    def release_confirmation(self, sid: str, claim: str) -> None: ...


class Mailer(Protocol):
    def send(self, raw: bytes) -> str: ...


def subscribe(
    request: SubscriptionIn,
    *,
    store: SubscriberRepository,
    mailer: Mailer,
    settings: Settings,
    keys: Keys,
    base_url: str,
    now: datetime,
) -> SubscriptionAccepted:
    email = normalize_email(request.email)
    sid = subscriber_id(email)
    prefs = request.preferences()
    status = store.request(sid, email, prefs, now)
    if status == "suppressed":
        # A bounced or complaining address gets nothing, not even this (the same answer: it reveals nothing).
        return SubscriptionAccepted()
    # At most one confirmation email per interval. The interval starts when SES has *accepted* a message:
    # until then a short claim only keeps concurrent requests from sending twice. Every failure releases the
    # claim (a crash leaves it to expire), so the client's retry sends.
    claim = store.claim_confirmation(sid, now, CONFIRMATION_INTERVAL_SECONDS, CONFIRMATION_CLAIM_SECONDS)
    if claim is None:
        return SubscriptionAccepted()  # one went out less than the interval ago, or is going out now
    # Each email's link confirms the one request it was sent for (a random id). It becomes the request
    # awaiting confirmation only once SES accepted the email: then, and not before, older links stop working.
    awaiting = ConfirmRequest(id=secrets.token_urlsafe(12), prefs=prefs)
    try:
        rendered = render_confirmation(
            confirm_url=confirm_url(base_url, keys, sid, awaiting.id, now),
            frequency=prefs.frequency,
            timezone=prefs.timezone,
            send_hour=prefs.send_hour,
        )
        mailer.send(build_mime(rendered, sender=settings.mail_from, to=email))
    except Exception:  # any failure we live through (a killed process leaves the claim to expire)
        store.release_confirmation(sid, claim)
        raise
    store.confirmation_sent(sid, claim, now, awaiting)
    return SubscriptionAccepted()


def check_confirm_link(token: str, *, keys: Keys, now: datetime) -> None:
    """GET of a confirm link (a person, or a mail scanner following links): only check it; the page's
    button POSTs, and only the POST confirms."""
    check_confirm_token(token, keys, now)


def confirm(token: str, *, store: SubscriberRepository, keys: Keys, now: datetime) -> Subscriber:
    """Confirm the one request the link was sent for, once. A second click on the same link answers the
    same (nothing changes); a link a newer email replaced, or whose address unsubscribed since, confirms
    nothing."""
    sid, request_id = check_confirm_token(token, keys, now)
    subscriber = store.get(sid)
    if subscriber is None or subscriber.status == "suppressed":
        raise SubscriberNotFound()
    pending = subscriber.confirm_request
    if pending is None or pending.id != request_id:
        if subscriber.status == "active" and subscriber.confirmed_request == request_id:
            return subscriber  # a second click on the same link
        raise ConfirmLinkSuperseded()
    store.activate(sid, pending.prefs, next_due_after(pending.prefs, now), now, request_id=request_id)
    return subscriber.model_copy(
        update={
            "status": "active",
            "preferences": pending.prefs,
            "requested": None,
            "confirm_request": None,
            "confirmed_request": request_id,
        }
    )


def unsubscribe(token: str, *, store: SubscriberRepository, keys: Keys, now: datetime) -> None:
    sid = check_token(token, "unsubscribe", keys, now)
    store.unsubscribe(sid, now)


# ---------------------------------------------------------------- bounces and complaints
def addresses_to_suppress(notification: dict[str, Any]) -> list[tuple[str, str]]:
    """(address, reason) pairs from one SES notification - event publishing (``eventType``) or identity
    feedback (``notificationType``). Permanent bounces and complaints suppress; transient bounces do not."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients = bounce.get("bouncedRecipients") or []
        reason = f"bounce:{bounce.get('bounceSubType', 'General')}"
    elif kind == "Complaint":
        recipients = (notification.get("complaint") or {}).get("complainedRecipients") or []
        reason = "complaint"
    else:
        return []
    return [
        (normalize_email(str(r["emailAddress"])), reason)
        for r in recipients
        if isinstance(r, dict) and r.get("emailAddress")
    ]


def suppress(pairs: Iterable[tuple[str, str]], *, store: SubscriberRepository, now: datetime) -> int:
    count = 0
    for email, reason in pairs:
        store.suppress(subscriber_id(email), email, reason, now)
        count += 1
    return count
