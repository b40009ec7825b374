"""Feed documents (bytes already fetched) to a ``ParsedFeed``.

RSS 0.9x/1.0/2.0, Atom 0.3/1.0 (and RDF, CDF) go through feedparser; JSON Feed 1.x through the small
parser below. Nothing here touches the network: feedparser is handed a byte stream (never a URL and
never ``bytes``, which it would try as a file name), external XML entities are off in its SAX parser,
and relative links are resolved against the URL the caller fetched.
"""

from __future__ import annotations

import calendar
import io
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsdigest.feeds.models import FeedEntry, FeedError, ParsedFeed
from newsdigest.feeds.text import html_to_text, plain_text

JSON_TYPES = frozenset({"application/feed+json", "application/json"})
MAX_ENTRIES = 500
"""Entries kept from one document (feeds list the newest first)."""


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (its Content-Type header, if known, picks the charset
    and the format). Raises FeedError when the bytes are not a feed."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type in JSON_TYPES or body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return parse_json_feed(body, url=url)
    return _parse_xml_feed(body, url=url, content_type=content_type)


# ---------------------------------------------------------------- helpers shared by both formats
def _http_url(value: object, base: str) -> str | None:
    """An absolute http(s) URL made from ``value`` (relative ones against ``base``), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        absolute = urljoin(base, value.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c <= " " for c in absolute):
        return None
    return absolute


def _text(value: object, is_html: bool) -> str:
    if not isinstance(value, str):
        return ""
    return html_to_text(value) if is_html else plain_text(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def _without_comments(html: str) -> str:
    """Sanitised HTML minus its comments (old browsers ran script inside conditional comments)."""
    return _COMMENT.sub("", html)


# ---------------------------------------------------------------- XML through feedparser
def _is_html(detail: Any) -> bool:
    kind = (detail or {}).get("type", "") if isinstance(detail, dict) else ""
    return "html" in kind or kind == ""


def _published(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _entry_link(entry: Any, base: str) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and "html" in link.get("type", "text/html"):
            found = _http_url(link.get("href"), base)
            if found:
                return found
    found = _http_url(entry.get("link"), base)
    if found:
        return found
    guid = entry.get("id")
    if entry.get("guidislink") and guid:
        return _http_url(guid, base)
    return None


def _xml_entry(entry: Any, base: str) -> FeedEntry:
    content_html = None
    contents = entry.get("content") or []
    if contents:
        # prefer an HTML body; a feed may give several (text and html)
        best = next((c for c in contents if "html" in c.get("type", "")), contents[0])
        value = best.get("value") or ""
        content_html = _without_comments(value) if "html" in best.get("type", "") else None
        content_text = _text(value, _is_html(best))
    else:
        content_text = ""
    summary = _text(entry.get("summary", ""), _is_html(entry.get("summary_detail")))
    author = _one_line(plain_text(entry.get("author", "") or "")) or None
    guid = entry.get("id")
    return FeedEntry(
        link=_entry_link(entry, base),
        title=_one_line(_text(entry.get("title", ""), _is_html(entry.get("title_detail")))),
        text=content_text or summary,
        summary=summary,
        content_html=content_html,
        author=author,
        published=_published(entry),
        guid=guid.strip() if isinstance(guid, str) and guid.strip() else None,
    )


def _parse_xml_feed(body: bytes, *, url: str, content_type: str | None) -> ParsedFeed:
    import feedparser  # about 0.1 s to import: only paid by code that parses XML feeds

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(
        io.BytesIO(body),  # a stream: feedparser would fetch a URL string, or open a bytes file name
        response_headers=headers,
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    feed = parsed.get("feed") or {}
    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not raw_entries and not version and not (feed.get("title") or feed.get("link")):
        problem = parsed.get("bozo_exception")
        # feedparser's notes on charsets and content types are no reason; a parse error is
        reason = problem and not isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe)
        why = f" ({_one_line(str(problem))})" if reason else ""
        raise FeedError(f"not an RSS, Atom or JSON feed{why}")
    entries = [_xml_entry(entry, url) for entry in raw_entries[:MAX_ENTRIES]]
    return ParsedFeed(
        title=_one_line(_text(feed.get("title", ""), _is_html(feed.get("title_detail")))),
        link=_http_url(feed.get("link"), url),
        format=version or "unknown",
        entries=entries,
    )


# ---------------------------------------------------------------- JSON Feed 1.x
def _json_author(item: dict[str, Any], feed: dict[str, Any]) -> str | None:
    for holder in (item, feed):
        authors = holder.get("authors")
        if not isinstance(authors, list):
            author = holder.get("author")
            authors = [author] if author else []
        names = [
            plain_text(a["name"]) for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
        names = [n for n in names if n]
        if names:
            return ", ".join(names)
    return None


def _json_date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _sanitized(html: str) -> str:
    import feedparser.sanitizer  # the same sanitiser the XML formats get

    return _without_comments(str(feedparser.sanitizer._sanitize_html(html, "utf-8", "text/html")))


def parse_json_feed(body: bytes, *, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1). Raises FeedError when it is not one."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedError("the JSON feed is not UTF-8") from None
    except ValueError as exc:
        raise FeedError(f"the JSON feed does not parse ({exc})") from None
    if not isinstance(document, dict):
        raise FeedError("a JSON feed must be an object")
    version = document.get("version")
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/1"):
        raise FeedError("not a JSON Feed: 'version' must be https://jsonfeed.org/version/1 or /1.1")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("a JSON feed must have an 'items' list")
    base = _http_url(document.get("feed_url"), url) or url
    entries = []
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        html = item.get("content_html") if isinstance(item.get("content_html"), str) else None
        content_html = _sanitized(html) if html else None
        text = html_to_text(content_html) if content_html else _text(item.get("content_text"), False)
        summary = _text(item.get("summary"), False)
        guid = item.get("id")
        entries.append(
            FeedEntry(
                link=_http_url(item.get("url"), base) or _http_url(item.get("external_url"), base),
                title=_one_line(_text(item.get("title"), False)),
                text=text or summary,
                summary=summary,
                content_html=content_html,
                author=_json_author(item, document),
                published=_json_date(item.get("date_published")) or _json_date(item.get("date_modified")),
                guid=str(guid).strip() if isinstance(guid, (str, int)) and str(guid).strip() else None,
            )
        )
    minor = version.rsplit("/", 1)[-1].replace(".", "")
    return ParsedFeed(
        title=_one_line(_text(document.get("title"), False)),
        link=_http_url(document.get("home_page_url"), base),
        format=f"json{minor}" if minor in ("1", "11") else "json1",
        entries=entries,
    )
