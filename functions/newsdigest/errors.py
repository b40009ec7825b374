"""Domain exceptions. The API maps them to HTTP responses in one place (newsdigest.api.errors)."""


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


class StaleWrite(NewsdigestError):
    """A conditional write lost to a newer version of the same item."""


# ---- digest emails (issue 5)
class InvalidToken(NewsdigestError):
    """A confirm/unsubscribe token that this service did not issue, issued for another purpose, or expired."""

    def __init__(self, reason: str = "the link is not valid; use the latest email's link") -> None:
        super().__init__(reason)


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
