"""Domain exceptions. The API maps them to HTTP responses in one place (newsdigest.api.errors)."""


class NewsdigestError(Exception):
    """Base class of every error the service raises on purpose."""


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
    """SES refused the message (not retryable as is: bad address, unverified sender...)."""


class MailUnavailable(NewsdigestError):
    """SES could not take the message now (throttled, sending paused): retry later."""
