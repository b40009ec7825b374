"""The daily digest as an HTML page (pure rendering: Jinja2 with autoescape; article text is untrusted)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from newsdigest.articles.models import DailyDigest

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _environment() -> Environment:
    """Built on the first page rendered: ApiFunction's cold start does not import Jinja2 for JSON."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("newsdigest.articles", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_daily_digest(digest: DailyDigest, *, next_url: str | None, title: str = "newsdigest") -> str:
    return _environment().get_template("daily.html.j2").render(digest=digest, next_url=next_url, site=title)
