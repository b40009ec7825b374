"""Ingest: validate, identify and store articles, idempotently."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from newsdigest.articles.ids import article_id, canonical_url, content_hash
from newsdigest.articles.models import (
    Article,
    ArticleIn,
    BatchItemResult,
    BatchResult,
    IngestResult,
    IngestStatus,
)
from newsdigest.articles.pages import posted_article
from newsdigest.clock import Clock, utcnow
from newsdigest.config import MAX_ARTICLE_RESPONSE_BYTES
from newsdigest.errors import ArticleTooLarge, NoArticleOnPage
from newsdigest.summarizer import parse_document
from newsdigest.validation import error_details, summary_message

logger = logging.getLogger(__name__)


class ArticleWriter(Protocol):
    def put_article(self, article: Article) -> IngestStatus: ...


def build_article(data: ArticleIn, now: datetime) -> Article:
    """The stored form of a posted article: its stable id, readable text and content fingerprint."""
    fields = data.model_dump(mode="json")
    text = parse_document(data.body, data.format, data.title).text if data.format == "html" else data.body
    # GET /articles/{id} answers body and text as JSON: refuse what could not be answered (escapes count).
    served = len(json.dumps(data.body)) + len(json.dumps(text))
    if served > MAX_ARTICLE_RESPONSE_BYTES:
        raise ArticleTooLarge(
            f"body and its text are {served} bytes as JSON; the limit is {MAX_ARTICLE_RESPONSE_BYTES}"
        )
    return Article(
        id=article_id(url=data.url, title=data.title, body=data.body),
        title=data.title,
        body=data.body,
        text=text,
        format=data.format,
        url=data.url,
        canonical_url=canonical_url(data.url) if data.url else None,
        source=data.source,
        published_at=data.published_at,
        language=data.language,
        content_hash=content_hash(fields),
        ingested_at=now,
        updated_at=now,
    )


def ingest_article(data: ArticleIn, store: ArticleWriter, clock: Clock = utcnow) -> IngestResult:
    """Store one article (a whole web page posted as HTML is stored as its extracted article). Raises
    NoArticleOnPage for a page without article text."""
    article = build_article(posted_article(data), clock())
    status = store.put_article(article)
    return IngestResult(id=article.id, status=status)


def ingest_batch(
    raw_articles: list[dict[str, Any]], store: ArticleWriter, clock: Clock = utcnow
) -> BatchResult:
    """Validate every article before writing any; then write the valid ones. One result per article, in
    order: what was stored, or what is wrong with it - never a 5xx that hides which ones were stored."""
    now = clock()
    results: list[BatchItemResult] = []
    valid: list[tuple[int, Article]] = []
    for index, raw in enumerate(raw_articles):
        try:
            # A whole web page posted as HTML is stored as its extracted article, checked like any other.
            valid.append((index, build_article(posted_article(ArticleIn.model_validate(raw)), now)))
        except ValidationError as exc:
            details = error_details(exc.errors(include_url=False, include_input=False))
            error = {"code": "validation_error", "message": summary_message(details), "details": details}
            results.append(BatchItemResult(index=index, status="error", error=error))
        except ArticleTooLarge as exc:
            error = {"code": "payload_too_large", "message": str(exc)}
            results.append(BatchItemResult(index=index, status="error", error=error))
        except NoArticleOnPage as exc:
            error = {"code": "no_article_text", "message": str(exc)}
            results.append(BatchItemResult(index=index, status="error", error=error))
    for index, article in valid:
        try:
            status = store.put_article(article)
        except Exception:  # the others may still be stored; this one's result says to retry it
            logger.exception("batch item not stored", extra={"article_id": article.id})
            error = {"code": "not_stored", "message": "the article could not be stored now; retry it"}
            results.append(BatchItemResult(index=index, id=article.id, status="error", error=error))
            continue
        results.append(BatchItemResult(index=index, id=article.id, status=status))
    results.sort(key=lambda r: r.index)
    counts = {
        s: sum(1 for r in results if r.status == s) for s in ("created", "updated", "unchanged", "error")
    }
    return BatchResult(
        results=results,
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        failed=counts["error"],
    )
