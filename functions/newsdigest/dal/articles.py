"""The articles table (DynamoDB).

One item per article, keyed by ``id``. The item also carries the article's summary, so one GetItem
answers a digest request and one Query on the ``Timeline`` index answers a page of a listing.

Stored shape (attribute names are this module's business, not the domain's):
``id, title, body, text?, format, url?, canonical_url?, source?, published_at?, language?, content_hash,
ingested_at, updated_at, feed, ingested_key, summary_status, summary?``.
``feed``/``ingested_key`` key the ``Timeline`` GSI: ``ingested_key`` = ``<ingested_at ISO>#<id>`` so a
Query newest-first with ``begins_with``/``BETWEEN`` selects a day or a time range.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.articles.models import Article, ArticleHeader, ArticleSummary, IngestStatus
from newsdigest.articles.timeline import Page, ingested_key, timeline_key
from newsdigest.dal.dynamodb import TableStore
from newsdigest.errors import ArticleNotFound, StaleWrite

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


def article_from_item(item: dict[str, Any]) -> Article:
    data = _plain(item)
    data.setdefault("text", data.get("body", ""))
    return Article.model_validate(data)


def _summary_item(summary: ArticleSummary) -> dict[str, Any]:
    return summary.model_dump(mode="json")


class ArticleStore(TableStore):
    def put_article(self, article: Article) -> IngestStatus:
        """Insert or update one article in a single conditional write (no read-then-write race).

        Returns ``created``, ``updated`` or ``unchanged`` (same content hash: nothing written).
        """
        fields = article.model_dump(
            mode="json",
            include={"title", "body", "format", "url", "canonical_url", "source", "published_at", "language"},
        )
        if article.text != article.body:
            fields["text"] = article.text
        present = {k: v for k, v in fields.items() if v is not None}
        absent = [k for k, v in fields.items() if v is None] + ([] if "text" in present else ["text"])
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
                return "unchanged"
            raise
        return "updated" if "content_hash" in response.get("Attributes", {}) else "created"

    def get_article(self, article_id: str) -> Article:
        item = self.table.get_item(Key={"id": article_id}).get("Item")
        if item is None:
            raise ArticleNotFound(article_id)
        return article_from_item(item)

    def delete_article(self, article_id: str) -> None:
        """Remove an article and, with it, its summary (they share the item)."""
        try:
            self.table.delete_item(Key={"id": article_id}, ConditionExpression="attribute_exists(id)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ArticleNotFound(article_id) from exc
            raise

    def save_summary(self, article_id: str, summary: ArticleSummary) -> None:
        """Store the summary of the version whose hash it carries; a newer version wins (StaleWrite)."""
        try:
            self.table.update_item(
                Key={"id": article_id},
                UpdateExpression="SET summary = :summary, summary_status = :status",
                ConditionExpression="content_hash = :hash",
                ExpressionAttributeValues={
                    ":summary": _summary_item(summary),
                    ":status": summary.status,
                    ":hash": summary.content_hash,
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleWrite(
                    f"article {article_id} changed or vanished before its summary was stored"
                ) from exc
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
