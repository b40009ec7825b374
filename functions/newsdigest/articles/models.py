"""The service's data: what clients send, what is stored, what the API answers (pydantic v2).

The same models generate the OpenAPI document, so the document cannot drift from the code.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
)
from pydantic_core import PydanticCustomError

from newsdigest.articles.ids import url_problem
from newsdigest.config import MAX_BODY_BYTES, MAX_SOURCE_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS
from newsdigest.validation import NoLoneSurrogates

ArticleFormat = Literal["text", "markdown", "html"]
SummaryStatus = Literal["pending", "ready", "too_short", "failed"]
IngestStatus = Literal["created", "updated", "unchanged"]

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

# A day is ISO 8601 YYYY-MM-DD and nothing else: no timestamps, no year 0000, no month 00 (a calendar check
# follows: 2026-02-30 is refused too). The same pattern is in the OpenAPI document.
DAY_PATTERN = (
    r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
)
_DAY = re.compile(DAY_PATTERN)
# A URL is absolute http(s) with no whitespace or control characters, not even around it (the document
# says the same).
URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#\x00-\x1f\x7f-\x9f\ufeff]+[^\s\x00-\x1f\x7f-\x9f\ufeff]*$"


def parse_day(value: Any) -> date:
    """A calendar day from its ISO form only (pydantic would also take a number of seconds)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DAY.match(value):
        raise PydanticCustomError("date_format", "use a day as YYYY-MM-DD, e.g. 2026-11-28")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_invalid", "no such day; use YYYY-MM-DD, e.g. 2026-11-28") from None


Day = Annotated[
    date,
    BeforeValidator(parse_day),
    Field(json_schema_extra={"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]


class ArticleIn(BaseModel):
    """An article as a client posts it."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS),
        NoLoneSurrogates,
    ] = Field(description=f"Headline, 1-{MAX_TITLE_CHARS} characters.")
    body: Annotated[str, NoLoneSurrogates] = Field(
        description=f"The article text, at most {MAX_BODY_BYTES} bytes of UTF-8.",
        json_schema_extra={"pattern": r"\S", "maxLength": MAX_BODY_BYTES},
    )
    format: ArticleFormat = Field(description="How the body is written: text, markdown or html.")
    url: Annotated[str, StringConstraints(max_length=MAX_URL_CHARS), NoLoneSurrogates] | None = Field(
        default=None,
        description="Canonical address; the article id derives from it.",
        json_schema_extra={"pattern": URL_PATTERN},
    )
    source: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SOURCE_CHARS),
            NoLoneSurrogates,
        ]
        | None
    ) = None
    published_at: datetime | None = Field(default=None, description="ISO 8601; without a zone, UTC.")
    language: Annotated[str, NoLoneSurrogates] | None = Field(
        default=None,
        description="BCP 47 tag such as 'en' or 'pt-BR'.",
        json_schema_extra={"pattern": _LANGUAGE.pattern},
    )

    @field_validator("body")
    @classmethod
    def _body_fits(cls, body: str) -> str:
        if not body.strip():
            raise PydanticCustomError("body_empty", "body is empty; send the article text")
        size = len(body.encode("utf-8", "surrogatepass"))
        if size > MAX_BODY_BYTES:
            raise PydanticCustomError(
                "body_too_large",
                "body is {size} bytes; the limit is {limit} bytes of UTF-8",
                {"size": size, "limit": MAX_BODY_BYTES},
            )
        return body

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, url: str | None) -> str | None:
        if url is None:
            return None
        if not re.match(URL_PATTERN, url):
            raise PydanticCustomError("url_invalid", "url must be an absolute http(s) URL")
        if problem := url_problem(url):
            raise PydanticCustomError(
                "url_invalid", "url is not a valid URL: {problem}", {"problem": problem}
            )
        return url

    @field_validator("published_at", mode="before")
    @classmethod
    def _iso_text(cls, value: Any) -> Any:
        # pydantic alone would take a number as seconds since 1970; the API takes ISO 8601 text only.
        if value is not None and not isinstance(value, str | datetime):
            raise PydanticCustomError("datetime_type", "published_at must be an ISO 8601 date-time string")
        return value

    @field_validator("published_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        if value is not None and not _LANGUAGE.match(value):
            raise PydanticCustomError(
                "language_invalid", "language must be a BCP 47 tag such as 'en' or 'pt-BR'"
            )
        return value


class PageIn(BaseModel):
    """``POST /articles`` with a URL and no body: the service fetches the page and extracts its article."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_URL_CHARS),
        NoLoneSurrogates,
    ] = Field(
        description="The page to fetch (every rule of the safe fetcher applies); the article id derives "
        "from it.",
        json_schema_extra={"pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$"},
    )
    title: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS),
            NoLoneSurrogates,
        ]
        | None
    ) = Field(default=None, description="Headline; default: the page's own title.")
    source: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SOURCE_CHARS),
            NoLoneSurrogates,
        ]
        | None
    ) = None
    published_at: datetime | None = Field(default=None, description="ISO 8601; default: the page's date.")
    language: Annotated[str, NoLoneSurrogates] | None = Field(
        default=None,
        description="BCP 47 tag; default: the page's language.",
        json_schema_extra={"pattern": _LANGUAGE.pattern},
    )

    _url_is_http = field_validator("url")(ArticleIn._url_is_http.__func__)  # type: ignore[attr-defined]
    _iso_text = field_validator("published_at", mode="before")(ArticleIn._iso_text.__func__)  # type: ignore[attr-defined]
    _aware = field_validator("published_at")(ArticleIn._aware.__func__)  # type: ignore[attr-defined]
    _language_tag = field_validator("language")(ArticleIn._language_tag.__func__)  # type: ignore[attr-defined]


# Tags of the two shapes POST /articles takes (validation.field_path drops them from error locations).
WITH_BODY, BY_URL = "with_body", "by_url"


def _article_shape(value: object) -> str:
    if isinstance(value, dict) and "body" not in value and "url" in value:
        return BY_URL
    return WITH_BODY


ArticlePost = Annotated[
    Annotated[ArticleIn, Tag(WITH_BODY)] | Annotated[PageIn, Tag(BY_URL)], Discriminator(_article_shape)
]
"""An article with its body, or ``{"url": ...}`` alone (the page is fetched)."""


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Items are validated one by one so one bad article does not sink the others.
    articles: list[dict[str, object]] = Field(min_length=1, max_length=25)


class SpanOut(BaseModel):
    """A sentence of the article: ``text[start:end]`` of the stored article text."""

    text: str
    start: int
    end: int


class OutlineItem(BaseModel):
    heading: str | None
    gist: SpanOut | None


class ArticleSummary(BaseModel):
    """What the summarizer stored for one version of an article."""

    status: SummaryStatus
    digest: list[SpanOut] = []
    outline: list[OutlineItem] = []
    outline_sections: int = Field(
        default=0, description="Sections the article has; the outline holds the first MAX_OUTLINE_ENTRIES"
    )
    keywords: list[str] = []
    reading_time_minutes: int = 0
    language: str | None = None
    error: str | None = None
    content_hash: str | None = None
    summarized_at: datetime | None = None


class Article(BaseModel):
    """An article as the service keeps it."""

    id: str
    title: str
    body: str
    text: str = Field(description="The readable text digest offsets index (the body itself unless html).")
    format: ArticleFormat
    url: str | None = None
    canonical_url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    content_hash: str
    ingested_at: datetime
    updated_at: datetime
    summary_status: SummaryStatus = "pending"
    summary: ArticleSummary | None = None


class IngestResult(BaseModel):
    id: str
    status: IngestStatus = Field(description="created (201), updated or unchanged (200).")


class SummarizeRequested(BaseModel):
    id: str
    status: Literal["pending"] = "pending"


class BatchItemResult(BaseModel):
    index: int
    id: str | None = None
    status: IngestStatus | Literal["error"]
    error: dict[str, object] | None = None


class BatchResult(BaseModel):
    results: list[BatchItemResult]
    created: int
    updated: int
    unchanged: int
    failed: int


class ArticleOut(BaseModel):
    id: str
    title: str
    body: str
    text: str
    format: ArticleFormat
    url: str | None
    source: str | None
    published_at: datetime | None
    language: str | None
    ingested_at: datetime
    updated_at: datetime
    summary_status: SummaryStatus


class ArticleListItem(BaseModel):
    id: str
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    ingested_at: datetime
    summary_status: SummaryStatus


class ArticlePage(BaseModel):
    items: list[ArticleListItem]
    next_cursor: str | None = Field(
        description="Pass back as ?cursor= for the next page; null on the last page."
    )


class DigestOut(BaseModel):
    article_id: str
    status: SummaryStatus
    digest: list[SpanOut]
    outline: list[OutlineItem]
    outline_sections: int = Field(
        default=0, description="How many sections the article has; the outline shows the first 40 at most."
    )
    keywords: list[str]
    reading_time_minutes: int
    error: str | None = None


class ArticleHeader(BaseModel):
    """The part of an article a listing carries (what the Timeline index projects)."""

    id: str
    title: str
    url: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    format: ArticleFormat = "text"
    ingested_at: datetime
    summary_status: SummaryStatus = "pending"
    summary: ArticleSummary | None = None


# Summaries with a digest to show (too_short: the article is short enough to be its own digest).
SUMMARIZED: frozenset[SummaryStatus] = frozenset({"ready", "too_short"})


def current_summary(article: Article | ArticleHeader) -> ArticleSummary:
    """The one rule for which summary counts, for readers (API, daily page) and emails alike: the summary
    stored for the current version. None yet (or one of an older version) reads as pending."""
    summary = article.summary
    if summary is None or article.summary_status == "pending":
        return ArticleSummary(status="pending")
    return summary


class DigestEntry(BaseModel):
    """One article of a daily digest: what it is, and its digest and outline."""

    id: str
    title: str
    url: str | None
    source: str | None
    published_at: datetime | None
    ingested_at: datetime
    status: SummaryStatus
    digest: list[SpanOut]
    outline: list[OutlineItem]
    keywords: list[str]
    reading_time_minutes: int


class DailyDigest(BaseModel):
    date: str = Field(description="The day, YYYY-MM-DD, in `timezone`.")
    timezone: str
    items: list[DigestEntry]
    next_cursor: str | None
