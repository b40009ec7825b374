"""Summarize stored articles: run the domain summarizer and describe its result for storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from newsdigest import summarizer
from newsdigest.articles.models import Article, ArticleSummary, OutlineItem, SpanOut
from newsdigest.clock import Clock, utcnow
from newsdigest.errors import StaleWrite


class SummaryWriter(Protocol):
    def save_summary(self, article_id: str, summary: ArticleSummary) -> None: ...


def _span(span: summarizer.Span | None) -> SpanOut | None:
    return SpanOut(text=span.text, start=span.start, end=span.end) if span else None


def make_summary(article: Article, *, sentences: int, now: datetime) -> ArticleSummary:
    """The summary of this version of the article. A summarizer bug becomes status "failed", not a crash:
    retrying the same input cannot help, and the article must not stay "pending" forever."""
    try:
        result = summarizer.summarize(
            article.body,
            article.format,
            title=article.title,
            language=article.language,
            max_sentences=sentences,
        )
    except Exception as exc:
        return ArticleSummary(
            status="failed",
            error=f"{type(exc).__name__}: {exc}"[:500],
            content_hash=article.content_hash,
            summarized_at=now,
        )
    return ArticleSummary(
        status=result.status,
        digest=[SpanOut(text=s.text, start=s.start, end=s.end) for s in result.digest],
        outline=[OutlineItem(heading=o.heading, gist=_span(o.gist)) for o in result.outline],
        keywords=list(result.keywords),
        reading_time_minutes=result.reading_time_minutes,
        language=result.language or article.language,
        content_hash=article.content_hash,
        summarized_at=now,
    )


def summarize_article(
    article: Article, store: SummaryWriter, *, sentences: int, clock: Clock = utcnow
) -> ArticleSummary | None:
    """Summarize one pending article version. Returns None when there was nothing (left) to do."""
    if article.summary_status != "pending":
        return None  # our own summary write, echoed by the stream
    summary = make_summary(article, sentences=sentences, now=clock())
    try:
        store.save_summary(article.id, summary)
    except StaleWrite:
        return None  # a newer version is in the table; its own stream record will be summarized
    return summary
