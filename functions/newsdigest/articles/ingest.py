"""Ingest: validate, identify and store articles, idempotently."""

from __future__ import annotations

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
from newsdigest.errors import NoArticleOnPage
from newsdigest.summarizer import parse_document
from newsdigest.validation import error_details, summary_message


class ArticleWriter(Protocol):
    def put_article(self, article: Article) -> IngestStatus: ...


def build_article(data: ArticleIn, now: datetime) -> Article:
    """The stored form of a posted article: its stable id, readable text and content fingerprint."""
    fields = data.model_dump(mode="json")
    text = parse_document(data.body, data.format, data.title).text if data.format == "html" else data.body
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
    results: list[BatchItemResult] = []
    for index, raw in enumerate(raw_articles):
        try:
            data = ArticleIn.model_validate(raw)
        except ValidationError as exc:
            details = error_details(exc.errors(include_url=False, include_input=False))
            error = {"code": "validation_error", "message": summary_message(details), "details": details}
            results.append(BatchItemResult(index=index, status="error", error=error))
            continue
        try:
            outcome = ingest_article(data, store, clock)
        except NoArticleOnPage as exc:
            error = {"code": "no_article_text", "message": str(exc)}
            results.append(BatchItemResult(index=index, status="error", error=error))
            continue
        results.append(BatchItemResult(index=index, id=outcome.id, status=outcome.status))
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
