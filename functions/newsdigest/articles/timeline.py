"""The articles' timeline: how an ingest time becomes a sort key, and a time window a key range.

``ingested_key`` = ``<UTC %Y-%m-%dT%H:%M:%S.%fZ>#<article id>``: fixed width, so keys sort in time order
and a window of time is one BETWEEN on the ``Timeline`` (or ``BySource``) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # an annotation only: the subscriptions functions use the windows without the models
    from newsdigest.articles.models import ArticleHeader


def timeline_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ingested_key(moment: datetime, article_id: str) -> str:
    return f"{timeline_key(moment)}#{article_id}"


def window_bounds(start: datetime, end: datetime) -> tuple[str, str]:
    """Key bounds for the window [start, end): BETWEEN is inclusive, and every key at `end` sorts after it."""
    return timeline_key(start), timeline_key(end - timedelta(microseconds=1)) + "\uffff"


@dataclass(frozen=True)
class Page:
    """One Query's worth of the timeline, newest first, and where the next one starts."""

    items: list[ArticleHeader]
    last_key: dict[str, Any] | None


class TimelineReader(Protocol):
    """What reads the timeline: one Query a call (the DAL's ArticleStore)."""

    def timeline(
        self,
        *,
        limit: int,
        start_key: dict[str, Any] | None = None,
        key_from: str | None = None,
        key_to: str | None = None,
        source: str | None = None,
    ) -> Page: ...
