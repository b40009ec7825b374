"""Parse a page into an lxml tree, whatever it is, and read its visible words in document order."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from newsdigest.extraction.model import NoArticleText

WORD = re.compile(r"\w+")
# Never visible as article text: their words are not part of the page's reading order.
INVISIBLE = frozenset(
    {"script", "style", "noscript", "template", "svg", "math", "head", "title", "select", "option",
     "textarea", "button", "iframe", "object", "embed", "canvas"}
)  # fmt: skip
_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
# Characters libxml2 refuses (C0 controls other than tab/newline/return, lone surrogates, U+FFFE/F).
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def decode(page: bytes) -> str:
    """Bytes of a page as text: a byte-order mark, else the charset the page declares, else UTF-8, else
    Windows-1252 (which decodes any byte; a wrong guess garbles letters but never fails)."""
    for bom, encoding in _BOMS:
        if page.startswith(bom):
            return page[len(bom) :].decode(encoding, errors="replace")
    declared = _DECLARED.search(page[:4096])
    if declared:
        name = declared.group(1).decode("ascii", errors="ignore")
        try:
            return page.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return page.decode("utf-8")
    except UnicodeDecodeError:
        return page.decode("cp1252", errors="replace")


def parse(page: str | bytes, url: str | None = None) -> lxml.html.HtmlElement:
    """The page's tree. Malformed markup is repaired the way browsers do (libxml2's HTML parser); a page
    with nothing in it raises ``NoArticleText``."""
    text = decode(page) if isinstance(page, bytes) else page
    text = _INVALID.sub("", _XML_DECLARATION.sub("", text, count=1))
    if not text.strip():
        raise NoArticleText(url, "the page is empty")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        tree = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise NoArticleText(url, f"the page could not be read as HTML ({error})") from error
    if tree is None:
        raise NoArticleText(url, "the page could not be read as HTML")
    _drop_inert(tree)
    return tree


_INERT = ("script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "frameset", "svg")


def _drop_inert(tree: lxml.html.HtmlElement) -> None:
    """Remove what a reader never sees as text (scripts, styles, templates, embedded frames) before any
    extractor looks at the page; JSON-LD blocks stay (they are data: title, author, date)."""
    doomed = [
        element
        for element in tree.iter(*_INERT)
        if not (
            element.tag == "script" and (element.get("type") or "").strip().lower() == "application/ld+json"
        )
    ]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the tail text, which belongs to the parent


@dataclass
class Words:
    """The page's visible words in reading order, and the word span [start, end) of every element."""

    words: list[str]
    spans: dict[lxml.html.HtmlElement, tuple[int, int]]
    joined: str  # the words joined by single spaces, for substring search
    offsets: list[int]  # character offset of each word in ``joined``


def visible_words(tree: lxml.html.HtmlElement) -> Words:
    """Walk the tree (lxml's iterwalk: no Python recursion, pages nest deeply) and record each element's
    word span."""
    words: list[str] = []
    spans: dict[lxml.html.HtmlElement, tuple[int, int]] = {}
    starts: list[int] = []
    findall = WORD.findall
    walker = etree.iterwalk(tree, events=("start", "end"))
    for event, element in walker:
        if event == "start":
            if not isinstance(element.tag, str) or element.tag in INVISIBLE:
                walker.skip_subtree()
                starts.append(-1)
                continue
            starts.append(len(words))
            if element.text:
                words.extend(findall(element.text.lower()))
        else:
            start = starts.pop()
            if start >= 0:
                spans[element] = (start, len(words))
            if element.tail:
                words.extend(findall(element.tail.lower()))
    offsets: list[int] = []
    position = 0
    for word in words:
        offsets.append(position)
        position += len(word) + 1
    return Words(words, spans, " ".join(words), offsets)
