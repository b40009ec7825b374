"""Domain exceptions. The API maps them to HTTP responses in one place (newsdigest.api.errors)."""

from __future__ import annotations

from typing import Any


class NewsdigestError(Exception):
    """Base class of every error the service raises on purpose."""


class MissingConfiguration(RuntimeError):
    """The deployment lacks something it must provide (a secret, a URL): fail closed, never guess.
    Not a NewsdigestError: nothing a client can do about it (an API answers 500 and logs it)."""


class ArticleNotFound(NewsdigestError):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"no article with id {article_id!r}")
        self.article_id = article_id


class InvalidCursor(NewsdigestError):
    def __init__(self, reason: str = "the cursor is not one this API issued") -> None:
        super().__init__(reason)


class InvalidQuery(NewsdigestError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ContentUnavailable(NewsdigestError):
    """An article's offloaded content is missing or does not match its checksum."""


class StreamRangeGone(NewsdigestError):
    """A failed stream batch that can no longer be read back (the stream keeps records 24 hours)."""


class ArticleTooLarge(NewsdigestError):
    """An article whose body and text, as JSON, would not fit in a response."""


class StaleWrite(NewsdigestError):
    """A conditional write lost to a newer version of the same item."""


# ---- digest emails (issue 5)
class InvalidToken(NewsdigestError):
    """A confirm/unsubscribe token that this service did not issue, issued for another purpose, or expired."""

    def __init__(self, reason: str = "the link is not valid; use the latest email's link") -> None:
        super().__init__(reason)


class ConfirmLinkSuperseded(NewsdigestError):
    """A confirm link whose request is no longer the one awaiting confirmation: a newer email was sent, the
    address unsubscribed or was confirmed through another link since."""

    def __init__(self) -> None:
        super().__init__(
            "this confirmation link is no longer valid (a newer one was sent, or the subscription changed "
            "since); use the latest confirmation email, or subscribe again"
        )


class SubscriberNotFound(NewsdigestError):
    """A validly signed token whose subscriber is gone. The message never names the address."""

    def __init__(self) -> None:
        super().__init__("no such subscription")


class DeliveryBusy(NewsdigestError):
    """Another sender holds a fresh claim on this (subscriber, period): retry after its lease."""


class MailRejected(NewsdigestError):
    """SES refused this message for a reason of its own (not retryable as is)."""


class MailUnavailable(NewsdigestError):
    """SES could not take the message now (throttled, briefly unavailable): retry later."""


class MailNotAllowed(MailUnavailable):
    """SES refuses mail from this account for now: a sandbox account and an unverified recipient, an
    unverified sender, sending paused or the account suspended. An operator must act (README "Sending
    email"); a retry after that works, so it is "unavailable", for longer."""


# ---- fetching feeds and pages (issue 9): raised by newsdigest.fetcher, the one safe fetcher
class FetchError(NewsdigestError):
    """The URL could not be fetched. ``url`` is the URL being fetched when it happened."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class FetchRefused(FetchError):
    """A safety rule refused the URL, an address, a redirect or the response. ``rule`` names the rule."""

    def __init__(self, message: str, rule: str, url: str = "") -> None:
        super().__init__(f"refused: {message} (rule: {rule})", url)
        self.rule = rule


class FetchTimeout(FetchError):
    """The connect or the total timeout ran out."""


class FetchFailed(FetchError):
    """The network said no: the name does not resolve, the connection or TLS failed, a broken response."""


class HTTPStatusError(FetchError):
    """The server answered with a status that carries no body for us (4xx, 5xx, odd 2xx/3xx).
    ``headers`` is the fetcher's ResponseHeaders (Retry-After, Cache-Control...)."""

    def __init__(self, status: int, url: str, headers: Any) -> None:
        super().__init__(f"HTTP {status} from {url}", url)
        self.status = status
        self.headers = headers

    @property
    def retry_after(self) -> str | None:
        value = self.headers.retry_after
        return None if value is None else str(value)


# ---- feeds and pages (issue 9)
class FeedError(NewsdigestError):
    """The document is not a feed we can read. The message says why, in words a feed owner can act on."""


class FeedNotFound(NewsdigestError):
    def __init__(self, feed_id: str) -> None:
        super().__init__(f"no feed with id {feed_id!r}")
        self.feed_id = feed_id


class NoArticleOnPage(NewsdigestError):
    """A web page (fetched from ``url`` or posted as HTML) in which the extractor found no article."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
