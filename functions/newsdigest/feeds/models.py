"""What a feed is once parsed: plain data, no behaviour, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsdigest.errors import FeedError

__all__ = ["FeedEntry", "FeedError", "ParsedFeed"]


@dataclass(frozen=True)
class FeedEntry:
    """One entry. Text fields (``title``, ``summary``, ``text``, ``author``) are plain text, never markup;
    ``content_html`` is the entry's HTML after feedparser's sanitiser, kept only to extract from."""

    link: str | None
    """The entry's own page: an absolute http(s) URL, or None when the entry names none."""
    title: str
    text: str
    """The entry's content as plain text (its full content if the feed has it, else its summary)."""
    summary: str
    content_html: str | None
    author: str | None
    published: datetime | None
    """When the entry was published (or, failing that, updated), in UTC."""
    guid: str | None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    link: str | None
    """The site the feed belongs to (absolute http(s) URL), when the feed says it."""
    format: str
    """What the document was: ``rss20``, ``rss10``, ``rss091u``, ``atom10``, ``atom03``, ``json11``, ..."""
    entries: list[FeedEntry] = field(default_factory=list)
