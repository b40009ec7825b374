"""OPML 1.0/2.0 in and out: the feed list format every feed reader imports and exports.

OPML arrives from strangers, so it is read with expat and **no DTD at all**: a document with a DOCTYPE is
refused before any entity can be declared (so no billion laughs, no external entities, no quadratic
blowup), and an entity reference other than XML's five is an error. Pure: no AWS, no Powertools.
"""

from __future__ import annotations

import xml.parsers.expat
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from newsdigest.errors import InvalidQuery


@dataclass(frozen=True)
class Outline:
    """An outline that names a feed (``xmlUrl``), with the name the reader gave it."""

    url: str
    title: str | None


class _Refused(Exception):
    pass


def parse_opml(data: bytes | str, *, max_outlines: int) -> list[Outline]:
    """The feed outlines of an OPML document, in document order (nested folders flattened).
    Raises InvalidQuery (field ``body``) saying what is wrong with the document."""
    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    outlines: list[Outline] = []
    root: list[str] = []

    def refuse_doctype(*_: object) -> None:
        raise _Refused("a DOCTYPE is not allowed in OPML (no DTDs, no entities)")

    def refuse_entity(*_: object) -> None:
        raise _Refused("entity declarations are not allowed in OPML")

    def start(name: str, attrs: dict[str, str]) -> None:
        if not root:
            root.append(name)
            if name.lower() != "opml":
                raise _Refused(f"the root element is <{name}>, not <opml>")
        if name.lower() != "outline":
            return
        lowered = {k.lower(): v for k, v in attrs.items()}
        url = (lowered.get("xmlurl") or "").strip()
        if not url:
            return  # a folder, or a link outline: not a feed
        if len(outlines) >= max_outlines:
            raise _Refused(f"more than {max_outlines} feed outlines; import them in several parts")
        title = (lowered.get("title") or lowered.get("text") or "").strip() or None
        outlines.append(Outline(url=url, title=" ".join(title.split())[:300] if title else None))

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_entity
    parser.StartElementHandler = start
    try:
        if isinstance(data, str):
            parser.Parse(data.encode("utf-8"), True)
        else:
            parser.Parse(data, True)
    except _Refused as exc:
        raise InvalidQuery("body", f"OPML refused: {exc}") from None
    except xml.parsers.expat.ExpatError as exc:
        raise InvalidQuery(
            "body",
            f"the body is not well-formed OPML: {xml.parsers.expat.errors.messages[exc.code]} "
            f"(line {exc.lineno}, column {exc.offset})",
        ) from None
    if not root:
        raise InvalidQuery("body", "the body is empty; send an OPML document")
    return outlines


@dataclass(frozen=True)
class ExportedFeed:
    url: str
    title: str | None
    site_url: str | None
    source: str | None


def render_opml(feeds: list[ExportedFeed], *, title: str) -> str:
    """An OPML 2.0 document listing ``feeds`` (every attribute escaped)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{escape(title)}</title>",
        "  </head>",
        "  <body>",
    ]
    for feed in feeds:
        name = feed.source or feed.title or feed.url
        attrs = f'type="rss" text={quoteattr(name)} title={quoteattr(feed.title or name)}'
        attrs += f" xmlUrl={quoteattr(feed.url)}"
        if feed.site_url:
            attrs += f" htmlUrl={quoteattr(feed.site_url)}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)
