"""The subscribers table (DynamoDB): one item per subscriber and one per (subscriber, period) delivery.

Keys: ``id`` (the subscriber id: hash of the normalized address) and ``sk``:
- ``sk = "subscriber"``: ``email, status, prefs{frequency,timezone,sources,send_hour}, requested{...}?,
  confirm_request{id, prefs}?, confirmed_request?, confirm_sent_at? (SES accepted the last confirmation
  email), confirm_claim?, confirm_claim_until? (one is being sent), created_at, updated_at, confirmed_at?,
  next_due_at?, due_shard?``. ``confirm_request`` is the request whose confirmation email SES accepted
  last (its link carries the id); confirming removes it (single use), a newer accepted email replaces it,
  unsubscribing drops it. Only active subscribers carry ``next_due_at``/``due_shard``, so the sparse
  ``Due`` index holds exactly the subscribers that may be due.
- ``sk = "delivery#<period key>"``: ``state (sending|sent|empty), claimed_at, finished_at?, message_id?,
  articles?, expires_at`` (TTL). The conditional put of this item is what makes a send happen once.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.dal.dynamodb import TableStore
from newsdigest.errors import ConfirmLinkSuperseded, SubscriberNotFound
from newsdigest.subscriptions.models import (
    ClaimOutcome,
    ConfirmRequest,
    DeliveryState,
    Preferences,
    Subscriber,
)

DUE_INDEX = "Due"
DUE_SHARDS = 4
PROFILE = "subscriber"
DELIVERY_TTL_SECONDS = 90 * 24 * 3600
_CONDITION_FAILED = "ConditionalCheckFailedException"


def iso(instant: datetime) -> str:
    """Fixed-width UTC timestamps, so that string order is time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def due_shard(sid: str) -> str:
    return str(int(sid[:4], 16) % DUE_SHARDS)


def _failed_condition(exc: ClientError) -> bool:
    return bool(exc.response["Error"]["Code"] == _CONDITION_FAILED)


def _prefs_item(prefs: Preferences) -> dict[str, Any]:
    return prefs.model_dump(mode="json", exclude_none=True)


def _prefs(value: Any) -> Preferences | None:
    if not value:
        return None
    data = {k: int(v) if isinstance(v, Decimal) else v for k, v in value.items()}
    return Preferences.model_validate(data)


def subscriber_from_item(item: dict[str, Any]) -> Subscriber:
    pending = item.get("confirm_request")
    prefs = _prefs(pending.get("prefs")) if pending else None
    return Subscriber(
        id=item["id"],
        email=item.get("email", ""),
        status=item["status"],
        preferences=_prefs(item.get("prefs")),
        requested=_prefs(item.get("requested")),
        confirm_request=ConfirmRequest(id=pending["id"], prefs=prefs) if pending and prefs else None,
        confirmed_request=item.get("confirmed_request"),
        next_due_at=item.get("next_due_at"),
    )


class SubscriberStore(TableStore):
    # ---------------------------------------------------------------- subscribers
    def get(self, sid: str) -> Subscriber | None:
        item = self.table.get_item(Key={"id": sid, "sk": PROFILE}, ConsistentRead=True).get("Item")
        return subscriber_from_item(item) if item else None

    def request(self, sid: str, email: str, prefs: Preferences, now: datetime) -> str:
        """Record a subscription request; returns the subscriber's status it was made against
        (``pending`` for new/pending/unsubscribed, ``active``, or ``suppressed``). Never a second item."""
        values = {":prefs": _prefs_item(prefs), ":now": iso(now)}
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="SET email = :email, #status = :pending, requested = :prefs, "
                "created_at = if_not_exists(created_at, :now), updated_at = :now "
                "REMOVE next_due_at, due_shard",
                ConditionExpression="attribute_not_exists(id) OR #status IN (:pending, :unsubscribed)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values
                | {":email": email, ":pending": "pending", ":unsubscribed": "unsubscribed"},
            )
            return "pending"
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
        try:
            # Active: keep sending under the current preferences until the new ones are confirmed.
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="SET requested = :prefs, updated_at = :now",
                ConditionExpression="#status = :active",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values | {":active": "active"},
            )
            return "active"
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
        return "suppressed"

    def activate(
        self,
        sid: str,
        prefs: Preferences,
        next_due_at: datetime,
        now: datetime,
        *,
        request_id: str | None = None,
    ) -> None:
        """Make the subscriber active with ``prefs``. With ``request_id`` (a confirm link), only while that
        request is the one awaiting confirmation, and it is used up (ConfirmLinkSuperseded otherwise)."""
        condition = "attribute_exists(id) AND #status <> :suppressed"
        values: dict[str, Any] = {
            ":active": "active",
            ":suppressed": "suppressed",
            ":prefs": _prefs_item(prefs),
            ":now": iso(now),
            ":due": iso(next_due_at),
            ":shard": due_shard(sid),
        }
        sets = "SET #status = :active, prefs = :prefs, confirmed_at = :now, updated_at = :now, "
        sets += "next_due_at = :due, due_shard = :shard"
        if request_id is not None:
            condition += " AND confirm_request.id = :rid"
            sets += ", confirmed_request = :rid"
            values[":rid"] = request_id
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression=f"{sets} REMOVE requested, confirm_request",
                ConditionExpression=condition,
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            if request_id is not None and (found := self.get(sid)) and found.status != "suppressed":
                raise ConfirmLinkSuperseded() from exc
            raise SubscriberNotFound() from exc

    def claim_confirmation(
        self, sid: str, now: datetime, min_interval_seconds: int, lease_seconds: int
    ) -> str | None:
        """Claim the sending of a confirmation email: a claim id, or None when one was accepted by SES less
        than the interval ago (so the subscribe endpoint cannot flood an inbox) or another request holds a
        live claim. The interval itself is recorded only by ``confirmation_sent``."""
        cutoff = datetime.fromtimestamp(now.timestamp() - min_interval_seconds, UTC)
        claim = uuid.uuid4().hex
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="SET confirm_claim = :claim, confirm_claim_until = :until",
                ConditionExpression="(attribute_not_exists(confirm_sent_at) OR confirm_sent_at < :cutoff)"
                " AND (attribute_not_exists(confirm_claim_until) OR confirm_claim_until < :now)",
                ExpressionAttributeValues={
                    ":claim": claim,
                    ":until": iso(datetime.fromtimestamp(now.timestamp() + lease_seconds, UTC)),
                    ":now": iso(now),
                    ":cutoff": iso(cutoff),
                },
            )
            return claim
        except ClientError as exc:
            if _failed_condition(exc):
                return None
            raise

    def confirmation_sent(self, sid: str, claim: str, now: datetime, request: ConfirmRequest) -> None:
        """SES accepted the confirmation email for ``request``: the interval starts now, and ``request`` is
        the one awaiting confirmation (its id is in the email's link; older links stop working only now
        that this one really went out); our claim, if still ours, ends."""
        values = {
            ":now": iso(now),
            ":request": {"id": request.id, "prefs": _prefs_item(request.prefs)},
        }
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="SET confirm_sent_at = :now, confirm_request = :request "
                "REMOVE confirm_claim, confirm_claim_until",
                ConditionExpression="confirm_claim = :claim",
                ExpressionAttributeValues=values | {":claim": claim},
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            # Our claim expired and another request holds one now: record the send, leave its claim (unless
            # a newer email was recorded meanwhile: the newest accepted email's link is the one that works).
            try:
                self.table.update_item(
                    Key={"id": sid, "sk": PROFILE},
                    UpdateExpression="SET confirm_sent_at = :now, confirm_request = :request",
                    ConditionExpression="attribute_not_exists(confirm_sent_at) OR confirm_sent_at <= :now",
                    ExpressionAttributeValues=values,
                )
            except ClientError as again:
                if not _failed_condition(again):
                    raise

    def release_confirmation(self, sid: str, claim: str) -> None:
        """Nothing went out: drop our claim (only ours), so that a retry sends."""
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="REMOVE confirm_claim, confirm_claim_until",
                ConditionExpression="confirm_claim = :claim",
                ExpressionAttributeValues={":claim": claim},
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise

    def unsubscribe(self, sid: str, now: datetime) -> None:
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="SET #status = :unsubscribed, updated_at = :now "
                "REMOVE next_due_at, due_shard, requested, confirm_request",
                ConditionExpression="attribute_exists(id) AND #status <> :suppressed",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":unsubscribed": "unsubscribed",
                    ":suppressed": "suppressed",
                    ":now": iso(now),
                },
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
            if self.get(sid) is None:
                raise SubscriberNotFound() from exc
            # suppressed: it already gets no mail, and stays suppressed

    def suppress(self, sid: str, email: str, reason: str, now: datetime) -> None:
        """Never mail this address again (bounce, complaint); creates the item if there is none."""
        self.table.update_item(
            Key={"id": sid, "sk": PROFILE},
            UpdateExpression="SET #status = :suppressed, email = if_not_exists(email, :email), "
            "suppressed_reason = :reason, updated_at = :now, created_at = if_not_exists(created_at, :now) "
            "REMOVE next_due_at, due_shard, requested, confirm_request",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":suppressed": "suppressed",
                ":email": email,
                ":reason": reason,
                ":now": iso(now),
            },
        )

    def due_page(
        self, shard: str, now: datetime, *, limit: int = 100, start_key: dict[str, Any] | None = None
    ) -> tuple[list[str], dict[str, Any] | None]:
        """One Query of the ``Due`` index: ids of active subscribers whose next digest is due by ``now``."""
        kwargs: dict[str, Any] = {
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": "due_shard = :shard AND next_due_at <= :now",
            "ExpressionAttributeValues": {":shard": shard, ":now": iso(now)},
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = self.table.query(**kwargs)
        return [item["id"] for item in response.get("Items", [])], response.get("LastEvaluatedKey")

    def advance(self, sid: str, next_due_at: datetime) -> None:
        """Move the subscriber's next due instant forward (never back); a no-op if it already moved or the
        subscriber left."""
        try:
            self.table.update_item(
                Key={"id": sid, "sk": PROFILE},
                UpdateExpression="SET next_due_at = :next",
                ConditionExpression="#status = :active AND next_due_at < :next",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":active": "active", ":next": iso(next_due_at)},
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise

    # ---------------------------------------------------------------- deliveries
    def claim_delivery(self, sid: str, period_key: str, now: datetime, lease_seconds: int) -> ClaimOutcome:
        """Claim the (subscriber, period) send before sending. ``claimed``: go ahead; ``done``: it was sent
        (or found empty) already; ``busy``: another sender holds a claim younger than the lease."""
        stale_before = datetime.fromtimestamp(now.timestamp() - lease_seconds, UTC)
        key = {"id": sid, "sk": f"delivery#{period_key}"}
        try:
            self.table.put_item(
                Item=key
                | {
                    "state": "sending",
                    "claimed_at": iso(now),
                    "expires_at": int(time.time()) + DELIVERY_TTL_SECONDS,
                },
                ConditionExpression="attribute_not_exists(id) OR (#state = :sending AND claimed_at < :stale)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":sending": "sending", ":stale": iso(stale_before)},
            )
            return "claimed"
        except ClientError as exc:
            if not _failed_condition(exc):
                raise
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
        return "busy" if item.get("state") == "sending" else "done"

    def release_delivery(self, sid: str, period_key: str) -> None:
        """Drop a claim whose send SES explicitly refused (nothing was sent), so a retry need not wait for
        the lease. Only a claim still ``sending`` is dropped."""
        try:
            self.table.delete_item(
                Key={"id": sid, "sk": f"delivery#{period_key}"},
                ConditionExpression="#state = :sending",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={":sending": "sending"},
            )
        except ClientError as exc:
            if not _failed_condition(exc):
                raise

    def finish_delivery(
        self,
        sid: str,
        period_key: str,
        state: DeliveryState,
        now: datetime,
        *,
        message_id: str | None = None,
        articles: int = 0,
    ) -> None:
        values: dict[str, Any] = {":state": state, ":now": iso(now), ":articles": articles}
        sets = "#state = :state, finished_at = :now, articles = :articles"
        if message_id:
            sets += ", message_id = :mid"
            values[":mid"] = message_id
        self.table.update_item(
            Key={"id": sid, "sk": f"delivery#{period_key}"},
            UpdateExpression=f"SET {sets}",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values,
        )

    def delivery_state(self, sid: str, period_key: str) -> str | None:
        item = self.table.get_item(Key={"id": sid, "sk": f"delivery#{period_key}"}, ConsistentRead=True)
        return (item.get("Item") or {}).get("state")
