"""The feeds table (DynamoDB): one item per followed feed, keyed by ``id`` (the feed id).

Stored shape: ``id, url, submitted_url, title?, site_url?, source?, poll_minutes, full_text, created_at,
etag?, last_modified?, entry_fingerprints, consecutive_errors, last_polled_at?, next_poll_at, last_status?,
last_error?, gone, entries_seen, entries_ingested`` plus the index keys:

- ``Due`` GSI: ``due_shard`` (``"0"``..``"3"``, from the id) + ``next_poll_at`` (fixed-width UTC, so string
  order is time order). The schedule asks each shard for ``next_poll_at <= now``: one Query per shard and
  page, never a Scan. Projection ALL: the job carries the feed as the index shows it, so a poll reads
  nothing before it fetches.
- ``Listing`` GSI: ``listing`` (the constant ``"feeds"``) + ``created_key`` (``<created_at>#<id>``):
  ``GET /feeds`` and ``GET /feeds.opml``, newest first.

The poll's one write, ``save_poll``, is conditional on the ``next_poll_at`` the job saw: a duplicate job,
or a poll of a feed deleted meanwhile, writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.dal.dynamodb import TableStore
from newsdigest.errors import FeedNotFound
from newsdigest.feeds.feed import Feed
from newsdigest.feeds.polling import PollState

DUE_INDEX = "Due"
LISTING_INDEX = "Listing"
DUE_SHARDS = 4
LISTING = "feeds"
_CONDITION_FAILED = "ConditionalCheckFailedException"


def iso(instant: datetime) -> str:
    """Fixed-width UTC timestamps (whole seconds), so that string order is time order."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def due_shard(feed_id: str) -> str:
    return str(int(feed_id[:4], 16) % DUE_SHARDS)


def _failed_condition(exc: ClientError) -> bool:
    return bool(exc.response["Error"]["Code"] == _CONDITION_FAILED)


def feed_from_item(item: dict[str, Any]) -> Feed:
    data = {k: int(v) if isinstance(v, Decimal) else v for k, v in item.items()}
    for key in ("due_shard", "listing", "created_key"):
        data.pop(key, None)
    return Feed.model_validate(data)


def feed_item(feed: Feed) -> dict[str, Any]:
    item = {k: v for k, v in feed.model_dump(mode="json").items() if v is not None}
    for key in ("created_at", "next_poll_at", "last_polled_at"):
        value = getattr(feed, key)
        if value is not None:
            item[key] = iso(value)
    item |= {
        "due_shard": due_shard(feed.id),
        "listing": LISTING,
        "created_key": f"{item['created_at']}#{feed.id}",
    }
    return item


class FeedStore(TableStore):
    def __init__(self, table_name: str, table: Any | None = None) -> None:
        super().__init__(table_name, table)
        self.calls = 0  # DynamoDB requests made: the cost measurements count them

    def add(self, feed: Feed) -> bool:
        """Store a new feed; False (and nothing written) when a feed with its id is already followed."""
        self.calls += 1
        try:
            self.table.put_item(Item=feed_item(feed), ConditionExpression="attribute_not_exists(id)")
        except ClientError as exc:
            if _failed_condition(exc):
                return False
            raise
        return True

    def get(self, feed_id: str) -> Feed:
        self.calls += 1
        item = self.table.get_item(Key={"id": feed_id}).get("Item")
        if item is None:
            raise FeedNotFound(feed_id)
        return feed_from_item(item)

    def delete(self, feed_id: str) -> None:
        self.calls += 1
        try:
            self.table.delete_item(Key={"id": feed_id}, ConditionExpression="attribute_exists(id)")
        except ClientError as exc:
            if _failed_condition(exc):
                raise FeedNotFound(feed_id) from exc
            raise

    def page(
        self, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Feed], dict[str, Any] | None]:
        """One Query of the ``Listing`` index, newest first."""
        kwargs: dict[str, Any] = {
            "IndexName": LISTING_INDEX,
            "KeyConditionExpression": "listing = :listing",
            "ExpressionAttributeValues": {":listing": LISTING},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        self.calls += 1
        response = self.table.query(**kwargs)
        feeds = [feed_from_item(item) for item in response.get("Items", [])]
        return feeds, response.get("LastEvaluatedKey")

    def due_page(
        self, shard: str, now: datetime, *, limit: int = 100, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Feed], dict[str, Any] | None]:
        """One Query of the ``Due`` index: the feeds of one shard whose next poll is due by ``now``."""
        kwargs: dict[str, Any] = {
            "IndexName": DUE_INDEX,
            "KeyConditionExpression": "due_shard = :shard AND next_poll_at <= :now",
            "ExpressionAttributeValues": {":shard": shard, ":now": iso(now)},
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        self.calls += 1
        response = self.table.query(**kwargs)
        return [feed_from_item(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")

    def save_poll(
        self,
        feed_id: str,
        state: PollState,
        *,
        due_at: datetime,
        title: str | None = None,
        site_url: str | None = None,
        fingerprints: list[str] | None = None,
        seen: int = 0,
        ingested: int = 0,
    ) -> bool:
        """The poll's one write: the new poll state (and, after a 200, the feed's title and counts), in a
        single UpdateItem conditional on the feed still being due at ``due_at``. False when that no longer
        holds (a duplicate job already polled it, or the feed was deleted): nothing is written."""
        assert state.next_poll_at is not None and state.last_polled_at is not None
        values: dict[str, Any] = {
            ":url": state.url,
            ":errors": state.consecutive_errors,
            ":polled": iso(state.last_polled_at),
            ":next": iso(state.next_poll_at),
            ":gone": state.gone,
            ":due": iso(due_at),
            ":seen": seen,
            ":ingested": ingested,
            ":minutes": state.poll_minutes,
        }
        sets = [
            "#url = :url",
            "consecutive_errors = :errors",
            "last_polled_at = :polled",
            "next_poll_at = :next",
            "gone = :gone",
            "poll_minutes = :minutes",
        ]
        removes: list[str] = []
        optional = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "last_status": state.last_status,
            "last_error": state.last_error,
        }
        for name, value in optional.items():
            if value is None:
                removes.append(name)
            else:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = value
        if fingerprints is not None:
            sets.append("entry_fingerprints = :fingerprints")
            values[":fingerprints"] = fingerprints
        for name, value in (("title", title), ("site_url", site_url)):
            if value:
                sets.append(f"{name} = :{name}")
                values[f":{name}"] = value
        expression = f"SET {', '.join(sets)}"
        if removes:
            expression += f" REMOVE {', '.join(removes)}"
        expression += " ADD entries_seen :seen, entries_ingested :ingested"
        self.calls += 1
        try:
            self.table.update_item(
                Key={"id": feed_id},
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(id) AND next_poll_at = :due",
                ExpressionAttributeNames={"#url": "url"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if _failed_condition(exc):
                return False
            raise
        return True
