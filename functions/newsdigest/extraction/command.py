"""`newsdigest extract`: the page extractor the service runs, offline.

    newsdigest extract [FILE|-] [--url URL]     # one page (HTML) -> the article as JSON
    newsdigest extract --jsonl [FILE|-]         # lines {id, url, html} -> lines {id, title, text, ...}

``main(argv)`` takes the arguments after ``extract``. Exit status: 0 done; 1 the page has no article text
(single page); 2 unreadable input (a JSON line that is not an object with an ``html`` string names its
line number). In ``--jsonl`` mode a page without article text gives ``{"id", "error", "message"}`` and the
run goes on, so one bad page loses no other result.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Any

from newsdigest.extraction.model import ExtractedPage, NoArticleText
from newsdigest.extraction.page import extract_page

# The JSON fields of one extracted article, in print order.
FIELDS = ("title", "author", "date", "language", "headings", "text", "markdown", "url")


def article_json(page: ExtractedPage, page_id: Any = None) -> dict[str, Any]:
    data = page.as_json()
    out: dict[str, Any] = {} if page_id is None else {"id": page_id}
    out.update((name, data[name]) for name in FIELDS)
    return out


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The `extract` arguments, on a parser of its own or on a CLI's subparser."""
    parser = parser or argparse.ArgumentParser(
        prog="newsdigest extract", description="Extract the article (text, headings, metadata) of a web page."
    )
    parser.add_argument(
        "file", nargs="?", default="-", help="HTML page, or JSON lines with --jsonl (- = stdin)"
    )
    parser.add_argument("--url", default=None, help="the page's URL (helps read its metadata and links)")
    parser.add_argument(
        "--jsonl", action="store_true", help="read JSON lines {id, url, html}, write one article per line"
    )
    return parser


def _open(path: str) -> IO[Any]:
    if path == "-":
        buffer: IO[Any] = getattr(sys.stdin, "buffer", None) or sys.stdin
        return buffer
    return open(path, "rb")


def run(args: argparse.Namespace) -> int:
    try:
        stream = _open(args.file)
    except OSError as error:
        print(f"cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    with stream:
        if args.jsonl:
            return _run_jsonl(stream)
        page = stream.read()
    try:
        article = extract_page(page, args.url)
    except NoArticleText as error:
        print(f"no article text: {error}", file=sys.stderr)
        return 1
    print(json.dumps(article_json(article), indent=2, ensure_ascii=False))
    return 0


def _run_jsonl(stream: IO[Any]) -> int:
    for number, raw in enumerate(stream, 1):
        line: str = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("html"), str):
                raise ValueError('each line must be a JSON object with an "html" string')
            url = item.get("url")
            if url is not None and not isinstance(url, str):
                raise ValueError('"url" must be a string')
        except ValueError as error:
            print(f"line {number}: {error}", file=sys.stderr)
            return 2
        try:
            result = article_json(extract_page(item["html"], url), item.get("id"))
        except NoArticleText as error:
            result = {"id": item.get("id"), "error": "no_article_text", "message": str(error)}
        print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
