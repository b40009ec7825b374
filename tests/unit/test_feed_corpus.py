"""Every file of the feedparser test corpus (../shared/feeds/feedparser-corpus, ~2,100 documents):
no crash; each gives a feed (with entries, or a valid feed without any) or a FeedError with a reason;
the ``sanitize`` cases put no executable markup in any text field nor in the kept entry HTML; and
nothing in the corpus makes the parser open a file or a connection. The whole run takes a few seconds.
"""

from __future__ import annotations

import os
import re
import socket
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from newsdigest.feeds.models import FeedError, ParsedFeed
from newsdigest.feeds.parse import parse_feed

ROOT = Path(__file__).resolve().parents[2]


def corpus_dir() -> Path | None:
    candidates = [os.environ.get("NEWSDIGEST_FEEDS_DIR", "")]
    candidates += [str(base / "shared" / "feeds") for base in (ROOT.parent, ROOT.parent.parent)]
    for candidate in candidates:
        if candidate and (Path(candidate) / "feedparser-corpus").is_dir():
            return Path(candidate) / "feedparser-corpus"
    return None


CORPUS = corpus_dir()
pytestmark = pytest.mark.skipif(
    CORPUS is None, reason="../shared/feeds/feedparser-corpus is not on this machine"
)

# The corpus files say the Content-Type they were served with in a "Header:" comment line.
HEADER = re.compile(rb"^Header:\s*Content-type:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
# What would run if a field were ever put into a page unescaped.
EXECUTABLE = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|applet|frame|frameset|style|link|meta|base|svg|math)\b"
    r"|<[^>]*\son[a-z]+\s*="
    r"|<[^>]*\b(?:href|src|action|formaction|data|xlink:href|background|dynsrc|lowsrc)\s*=\s*[\"']?\s*"
    r"(?:javascript|vbscript|livescript|data)\s*:"
    r"|expression\s*\(|-moz-binding|behavior\s*:",
    re.IGNORECASE,
)


def corpus_files() -> list[Path]:
    assert CORPUS is not None
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))


def parse_corpus_file(path: Path) -> ParsedFeed:
    assert CORPUS is not None
    body = path.read_bytes()
    header = HEADER.search(body[:4096])
    content_type = header.group(1).decode("latin-1") if header else None
    return parse_feed(
        body, url=f"http://127.0.0.1:8097/{path.relative_to(CORPUS)}", content_type=content_type
    )


@pytest.fixture
def no_io(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) any file open by feedparser and any connection or lookup in the process."""
    import feedparser.api
    import feedparser.http

    attempts: list[str] = []

    def refuse(what: str):
        def refused(*args: object, **kwargs: object) -> None:
            attempts.append(f"{what}: {args[:2]!r}")
            raise OSError(f"no {what} while parsing")

        return refused

    monkeypatch.setattr(feedparser.api, "open", refuse("open"), raising=False)
    monkeypatch.setattr(feedparser.http, "get", refuse("http"))
    monkeypatch.setattr(urllib.request, "urlopen", refuse("urlopen"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    return attempts


def test_every_corpus_file_parses_or_is_a_clear_feed_error(no_io):
    files = corpus_files()
    assert len(files) > 2000
    outcomes: Counter[str] = Counter()
    crashes: list[str] = []
    for path in files:
        try:
            feed = parse_corpus_file(path)
        except FeedError as error:
            assert str(error), path  # a reason in words
            outcomes["feed error"] += 1
        except Exception as exc:  # the one thing that must never happen
            crashes.append(f"{path}: {exc!r}")
        else:
            outcomes["entries" if feed.entries else "valid feed, no entries"] += 1
            for entry in feed.entries:
                assert entry.link is None or entry.link.startswith(("http://", "https://")), path
    assert crashes == []
    assert no_io == []
    # Most of the corpus is entry-level cases; the error count stays small (empty and non-feed documents)
    assert outcomes["entries"] > 1000 and outcomes["feed error"] < 20, outcomes


def test_the_corpus_catches_a_crash(monkeypatch):
    # The crash check above can fail: a parser that raises anything but FeedError is caught.
    import newsdigest.feeds.parse as parse_module

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(parse_module, "_xml_entry", broken)
    rss = next(p for p in corpus_files() if p.name == "item_title.xml" and "rss" in p.parts)
    with pytest.raises(KeyError):
        parse_corpus_file(rss)


def test_sanitize_cases_put_no_executable_markup_into_text_or_kept_html(no_io):
    assert CORPUS is not None
    cases = sorted((CORPUS / "wellformed" / "sanitize").glob("*.xml"))
    assert len(cases) > 700
    unsafe: list[str] = []
    checked = 0
    for path in cases:
        try:
            feed = parse_corpus_file(path)
        except FeedError:
            continue
        texts = [feed.title]
        for entry in feed.entries:
            texts += [entry.title, entry.text, entry.summary, entry.author or "", entry.content_html or ""]
        checked += 1
        unsafe += [f"{path.name}: {t[:120]!r}" for t in texts if EXECUTABLE.search(t)]
    assert checked > 700
    assert unsafe == []


def test_the_markup_check_would_see_executable_markup():
    for bad in (
        "<script>x()</script>",
        '<img src=x onerror="x()">',
        '<a href="javascript:x()">a</a>',
        '<p style="width: expression(alert(1))">',
        "<IFRAME src=//evil>",
    ):
        assert EXECUTABLE.search(bad), bad
    assert not EXECUTABLE.search("The script was a success; see the online docs.")
