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


class StaleWrite(NewsdigestError):
    """A conditional write lost to a newer version of the same item."""
