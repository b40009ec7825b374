"""What the page extractor returns, and the one error it raises."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


class NoArticleText(ValueError):
    """The page holds no article text (an empty page, a login wall, a page of links only)."""

    def __init__(self, url: str | None = None, reason: str = "no article text was found on the page") -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{reason}{f': {url}' if url else ''}")


@dataclass(frozen=True)
class ExtractedPage:
    """The article of a web page.

    ``markdown`` is what the service stores and summarizes (format "markdown"): the article's own section
    headings as ``## `` lines, paragraphs separated by blank lines. ``text`` is the same article as plain
    text (each heading a bare line). ``published`` is an ISO date (YYYY-MM-DD) when the page says one.
    """

    title: str | None
    author: str | None
    published: str | None
    language: str | None
    markdown: str
    text: str
    headings: list[str] = field(default_factory=list)
    url: str | None = None

    def as_json(self) -> dict[str, object]:
        """The JSON shape of ``newsdigest extract``."""
        data = asdict(self)
        data["date"] = data.pop("published")
        return data
