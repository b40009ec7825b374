"""The articles table (DynamoDB).

One item per article, keyed by ``id``. The item also carries the article's summary, so one GetItem
answers a digest request and one Query on the ``Timeline`` index answers a page of a listing.

Stored shape (attribute names are this module's business, not the domain's):
``id, title, body?, text?, content_key?, content_sha256?, format, url?, canonical_url?, source?,
published_at?, language?, content_hash, ingested_at, updated_at, feed, ingested_key, summary_status,
summary?``. The body (and, for HTML, its text) is inline up to ``MAX_INLINE_CONTENT_BYTES``; above that it
is one JSON object ``{"body", "text"}`` in the content bucket and the item holds ``content_key`` and
``content_sha256`` instead (never both: the source is kept once).
``feed``/``ingested_key`` key the ``Timeline`` GSI: ``ingested_key`` = ``<ingested_at ISO>#<id>`` so a
Query newest-first with ``begins_with``/``BETWEEN`` selects a day or a time range.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.articles.models import Article, ArticleHeader, ArticleSummary, IngestStatus
from newsdigest.articles.timeline import Page, ingested_key, timeline_key
from newsdigest.config import MAX_INLINE_CONTENT_BYTES
from newsdigest.dal.content import ContentStore
from newsdigest.dal.dynamodb import TableStore
from newsdigest.errors import ArticleNotFound, ContentUnavailable, StaleWrite

logger = logging.getLogger(__name__)

TIMELINE_INDEX = "Timeline"
SOURCE_INDEX = "BySource"
FEED = "articles"


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: turn them into ints/floats for pydantic."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def article_from_item(item: dict[str, Any], content: ContentStore | None = None) -> Article:
    """The article an item (or a stream image) holds, its offloaded content read back from ``content``."""
    data = _plain(item)
    key = data.pop("content_key", None)
    sha256 = data.pop("content_sha256", None)
    if key is not None:
        if content is None:
            raise ContentUnavailable(
                f"article {data.get('id')} has offloaded content and no store to read it"
            )
        data |= json.loads(content.get(key, sha256))
    data.setdefault("text", data.get("body", ""))
    return Article.model_validate(data)


def content_bytes(article: Article) -> bytes:
    """The content as the bucket keeps it (and the size that decides whether it stays inline)."""
    return json.dumps({"body": article.body, "text": article.text}, ensure_ascii=False).encode()


def _summary_item(summary: ArticleSummary) -> dict[str, Any]:
    return summary.model_dump(mode="json")


class ArticleStore(TableStore):
    def __init__(
        self, table_name: str, table: Any | None = None, content: ContentStore | None = None
    ) -> None:
        super().__init__(table_name, table)
        self.content = content

    def put_article(self, article: Article) -> IngestStatus:
        """Insert or update one article in a single conditional write (no read-then-write race).

        Returns ``created``, ``updated`` or ``unchanged`` (same content hash: nothing written). Content over
        the inline limit is written to the bucket first; the item then points at it.
        """
        fields = article.model_dump(
            mode="json",
            include={"title", "format", "url", "canonical_url", "source", "published_at", "language"},
        )
        data = content_bytes(article)
        offloaded: tuple[str, str] | None = None
        if len(data) > MAX_INLINE_CONTENT_BYTES:
            if self.content is None:
                raise ContentUnavailable("no content bucket for an article over the inline limit")
            offloaded = self.content.put(article.id, data)  # before the pointer: it never dangles
            fields |= {
                "content_key": offloaded[0],
                "content_sha256": offloaded[1],
                "body": None,
                "text": None,
            }
        else:
            fields |= {"body": article.body, "content_key": None, "content_sha256": None}
            fields["text"] = article.text if article.text != article.body else None
        present = {k: v for k, v in fields.items() if v is not None}
        absent = [k for k, v in fields.items() if v is None]
        names = {f"#{k}": k for k in present}
        values = {f":{k}": v for k, v in present.items()}
        sets = [f"#{k} = :{k}" for k in present]
        sets += [
            "content_hash = :hash",
            "summary_status = :pending",
            "updated_at = :now",
            "ingested_at = if_not_exists(ingested_at, :now)",
            "feed = :feed",
            "ingested_key = if_not_exists(ingested_key, :ikey)",
        ]
        now = timeline_key(article.updated_at)
        values |= {
            ":hash": article.content_hash,
            ":pending": "pending",
            ":now": now,
            ":feed": FEED,
            ":ikey": ingested_key(article.updated_at, article.id),
        }
        removes = [f"#{k}" for k in absent] + ["summary"]
        names |= {f"#{k}": k for k in absent}
        try:
            response = self.table.update_item(
                Key={"id": article.id},
                UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
                ConditionExpression="attribute_not_exists(id) OR content_hash <> :hash",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="UPDATED_OLD",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                if offloaded:  # nothing points at it; left tagged, the lifecycle rule expires it
                    self._forget(offloaded[0])
                return "unchanged"
            raise
        old = response.get("Attributes", {})
        if offloaded and self.content is not None:
            self.content.referenced(offloaded[0])
        if old.get("content_key") and old["content_key"] != (offloaded or ("",))[0]:
            self._forget(str(old["content_key"]))  # the previous version's object
        return "updated" if "content_hash" in old else "created"

    def _forget(self, key: str) -> None:
        """Best effort: an object nothing points at (a failure leaves it to the lifecycle rule, if tagged)."""
        if self.content is None:
            return
        try:
            self.content.delete(key)
        except Exception:
            logger.warning("content object not deleted", extra={"key": key}, exc_info=True)

    def get_article(self, article_id: str) -> Article:
        item = self.table.get_item(Key={"id": article_id}).get("Item")
        if item is None:
            raise ArticleNotFound(article_id)
        return article_from_item(item, self.content)

    def get_header(self, article_id: str) -> ArticleHeader:
        """The article without its body and text (its summary included): no content bucket read."""
        names = ["id", "title", "url", "source", "published_at", "language", "format", "ingested_at"]
        names += ["summary_status", "summary"]
        item = self.table.get_item(
            Key={"id": article_id},
            ProjectionExpression=", ".join(f"#{n}" for n in names),
            ExpressionAttributeNames={f"#{n}": n for n in names},
        ).get("Item")
        if item is None:
            raise ArticleNotFound(article_id)
        return ArticleHeader.model_validate(_plain(item))

    def from_image(self, image: dict[str, Any]) -> Article:
        """The article a stream record's new image describes (its offloaded content read back)."""
        return article_from_item(image, self.content)

    def delete_article(self, article_id: str) -> None:
        """Remove an article and, with it, its summary (they share the item) and its offloaded content."""
        try:
            response = self.table.delete_item(
                Key={"id": article_id}, ConditionExpression="attribute_exists(id)", ReturnValues="ALL_OLD"
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ArticleNotFound(article_id) from exc
            raise
        key = response.get("Attributes", {}).get("content_key")
        if key:
            self._forget(str(key))

    def save_summary(
        self, article_id: str, summary: ArticleSummary, *, only_if_pending: bool = False
    ) -> None:
        """Store the summary of the version whose hash it carries; a newer version wins (StaleWrite), and
        with ``only_if_pending`` so does a summary already stored for this one."""
        condition = "content_hash = :hash"
        values = {
            ":summary": _summary_item(summary),
            ":status": summary.status,
            ":hash": summary.content_hash,
        }
        if only_if_pending:
            condition += " AND summary_status = :pending"
            values[":pending"] = "pending"
        try:
            self.table.update_item(
                Key={"id": article_id},
                UpdateExpression="SET summary = :summary, summary_status = :status",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleWrite(
                    f"article {article_id} changed or vanished before its summary was stored"
                ) from exc
            raise

    def request_summary(self, article_id: str, now: datetime) -> None:
        """Put the article back in the summarizer's way: pending again, its summary dropped. The write is a
        stream MODIFY whose new image is pending, which the summarizer's event source mapping delivers."""
        try:
            self.table.update_item(
                Key={"id": article_id},
                UpdateExpression="SET summary_status = :pending, summary_requested_at = :now REMOVE summary",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeValues={":pending": "pending", ":now": timeline_key(now)},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ArticleNotFound(article_id) from exc
            raise

    def timeline(
        self,
        *,
        limit: int,
        start_key: dict[str, Any] | None = None,
        key_from: str | None = None,
        key_to: str | None = None,
        source: str | None = None,
    ) -> Page:
        """One Query, newest first, optionally within [key_from, key_to]: of the Timeline index, or of the
        BySource index when a source is given."""
        from boto3.dynamodb.conditions import Key

        condition = Key("source").eq(source) if source is not None else Key("feed").eq(FEED)
        if key_from is not None and key_to is not None:
            condition &= Key("ingested_key").between(key_from, key_to)
        kwargs: dict[str, Any] = {
            "IndexName": SOURCE_INDEX if source is not None else TIMELINE_INDEX,
            "KeyConditionExpression": condition,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        response = self.table.query(**kwargs)
        items = [ArticleHeader.model_validate(_plain(item)) for item in response.get("Items", [])]
        return Page(items=items, last_key=response.get("LastEvaluatedKey"))
