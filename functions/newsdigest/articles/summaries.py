"""Summarize stored articles: run the domain summarizer and describe its result for storage."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from newsdigest import summarizer
from newsdigest.articles.models import Article, ArticleSummary, OutlineItem, SpanOut
from newsdigest.clock import Clock, utcnow
from newsdigest.config import (
    MAX_DIGEST_SPAN_CHARS,
    MAX_GIST_CHARS,
    MAX_HEADING_CHARS,
    MAX_KEYWORD_CHARS,
    MAX_KEYWORDS,
    MAX_OUTLINE_ENTRIES,
)
from newsdigest.errors import StaleWrite


class SummaryWriter(Protocol):
    def save_summary(
        self, article_id: str, summary: ArticleSummary, *, only_if_pending: bool = False
    ) -> None: ...


def _span(span: summarizer.Span | None, limit: int) -> SpanOut | None:
    """A sentence, cut to ``limit`` characters: a cut span is a prefix, so ``text[start:end]`` still holds."""
    if span is None:
        return None
    text = span.text[:limit]
    return SpanOut(text=text, start=span.start, end=span.start + len(text))


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
    # Bounded by construction (README "Limits"): the stored item must fit DynamoDB's 400 KB whatever the page.
    outline = [
        OutlineItem(
            heading=o.heading[:MAX_HEADING_CHARS] if o.heading is not None else None,
            gist=_span(o.gist, MAX_GIST_CHARS),
        )
        for o in result.outline[:MAX_OUTLINE_ENTRIES]
    ]
    return ArticleSummary(
        status=result.status,
        digest=[s for s in (_span(d, MAX_DIGEST_SPAN_CHARS) for d in result.digest) if s is not None],
        outline=outline,
        outline_sections=len(result.outline),
        keywords=[k[:MAX_KEYWORD_CHARS] for k in result.keywords[:MAX_KEYWORDS]],
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


def record_failure(
    article_id: str,
    content_hash: str,
    reason: str,
    store: SummaryWriter,
    *,
    clock: Clock = utcnow,
    only_if_pending: bool = False,
) -> ArticleSummary | None:
    """Mark this version of the article ``failed`` with the reason. None when a newer version (or none) is
    in the table - that one is not this failure's business - or, with ``only_if_pending``, when this version
    has a summary already."""
    summary = ArticleSummary(
        status="failed", error=reason[:500], content_hash=content_hash, summarized_at=clock()
    )
    try:
        store.save_summary(article_id, summary, only_if_pending=only_if_pending)
    except StaleWrite:
        return None
    return summary


RETRIES_EXHAUSTED = "summarize retries exhausted"


def give_up(images: list[dict[str, object]], store: SummaryWriter, *, clock: Clock = utcnow) -> list[str]:
    """The stream records of a batch the summarizer's retries were exhausted on: mark each article version
    that is still pending ``failed`` (a redrive puts it back). Versions summarized since, or replaced by a
    newer one, are left alone. Returns the ids marked."""
    marked = []
    for image in images:
        if image.get("summary_status") != "pending" or not image.get("id") or not image.get("content_hash"):
            continue
        article_id, content_hash = str(image["id"]), str(image["content_hash"])
        if record_failure(
            article_id, content_hash, RETRIES_EXHAUSTED, store, clock=clock, only_if_pending=True
        ):
            marked.append(article_id)
    return marked
