"""A followed feed: what clients submit and get back, and what is stored per feed (pydantic, so the same
models make the OpenAPI document). Pure: no AWS, no Powertools."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from newsdigest.articles.ids import ID_LENGTH, canonical_url
from newsdigest.config import MAX_SOURCE_CHARS, MAX_URL_CHARS
from newsdigest.feeds.polling import (
    DEFAULT_POLL_MINUTES,
    MAX_POLL_MINUTES,
    MIN_POLL_MINUTES,
    PollState,
)

FullText = Literal["auto", "always", "never"]
FEED_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")


def feed_id(url: str) -> str:
    """Stable: from the feed's canonical URL (http/https, www., tracking parameters do not matter)."""
    return hashlib.sha256(f"feed\x00{canonical_url(url)}".encode()).hexdigest()[:ID_LENGTH]


class FeedIn(BaseModel):
    """A feed as a client submits it."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_CHARS)] = (
        Field(
            description="The feed's address (RSS, Atom or JSON Feed); checked by the fetcher's rules.",
            json_schema_extra={"pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$"},
        )
    )
    source: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SOURCE_CHARS)]
        | None
    ) = Field(default=None, description="The source its articles are filed under (GET /articles?source=).")
    poll_minutes: int = Field(
        default=DEFAULT_POLL_MINUTES,
        ge=MIN_POLL_MINUTES,
        le=MAX_POLL_MINUTES,
        description="Minutes between polls (the feed's own Cache-Control/Retry-After may ask for longer).",
    )
    full_text: FullText = Field(
        default="auto",
        description="auto: fetch the page behind an entry that is only a teaser; always: fetch every "
        "entry's page; never: use the entry as the feed gives it.",
    )

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, url: str) -> str:
        if not re.match(r"^https?://[^\s/?#]+[^\s]*$", url, re.IGNORECASE):
            raise PydanticCustomError("url_invalid", "url must be an absolute http(s) URL")
        return url


class Feed(BaseModel):
    """A feed as the service keeps it: what was asked for, and its poll state."""

    id: str
    url: str = Field(description="Where it is polled (a permanent redirect updates it).")
    submitted_url: str
    title: str | None = None
    site_url: str | None = None
    source: str | None = None
    poll_minutes: int = DEFAULT_POLL_MINUTES
    full_text: FullText = "auto"
    created_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    entry_fingerprints: list[str] = Field(
        default_factory=list, description="Fingerprints of the entries the last 200 held that are ingested."
    )
    consecutive_errors: int = 0
    last_polled_at: datetime | None = None
    next_poll_at: datetime
    last_status: int | None = None
    last_error: str | None = None
    gone: bool = False
    entries_seen: int = 0
    entries_ingested: int = 0

    def poll_state(self) -> PollState:
        return PollState(
            url=self.url,
            poll_minutes=self.poll_minutes,
            etag=self.etag,
            last_modified=self.last_modified,
            consecutive_errors=self.consecutive_errors,
            last_polled_at=self.last_polled_at,
            next_poll_at=self.next_poll_at,
            last_status=self.last_status,
            last_error=self.last_error,
            gone=self.gone,
        )


class FeedOut(BaseModel):
    id: str
    url: str
    title: str | None
    site_url: str | None
    source: str | None
    poll_minutes: int
    full_text: FullText
    created_at: datetime
    last_polled_at: datetime | None = Field(description="When it was last polled (null: not yet).")
    last_status: int | None = Field(description="HTTP status of the last poll (null: no HTTP answer).")
    next_poll_at: datetime
    consecutive_errors: int
    last_error: str | None = Field(description="What went wrong with the last poll, in words.")
    gone: bool = Field(description="The feed answered 410 Gone (it is still tried once a day).")
    entries_seen: int = Field(description="New or changed entries read from the feed, over all polls.")
    entries_ingested: int = Field(description="Of those, the ones stored as new or updated articles.")

    @classmethod
    def of(cls, feed: Feed) -> FeedOut:
        return cls.model_validate(feed.model_dump())


class FeedPage(BaseModel):
    items: list[FeedOut]
    next_cursor: str | None = Field(
        description="Pass back as ?cursor= for the next page; null on the last page."
    )


class FeedCreated(BaseModel):
    id: str
    status: Literal["created", "exists"] = Field(description="created (201) or exists (200: unchanged).")


class OpmlOutlineResult(BaseModel):
    index: int = Field(description="The outline's position among the outlines that name a feed (xmlUrl).")
    url: str | None
    id: str | None = None
    status: Literal["created", "exists", "error"]
    error: dict[str, object] | None = None


class OpmlImportResult(BaseModel):
    results: list[OpmlOutlineResult]
    created: int
    exists: int
    failed: int


class FeedJob(BaseModel):
    """One poll, queued by the schedule: the feed as the Due index showed it (so the poll needs no read),
    and the ``next_poll_at`` it was due at (the poll's write is conditional on it)."""

    feed: Feed
    scheduled_time: datetime
