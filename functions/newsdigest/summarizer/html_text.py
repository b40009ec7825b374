"""The readable blocks of an HTML article (stdlib ``html.parser``; no DOM is built).

Scripts, styles, navigation, figures and their captions, forms and page chrome are dropped, and so is any
element whose class, id or role names boilerplate (share bars, related links, ads, newsletters).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string (long word lists read better that way)."""
    return frozenset(words.split())


_SKIP_TAGS = _word_set(
    "script style nav noscript template figure figcaption footer aside form svg button iframe header "
    "select textarea object embed video audio canvas map dialog menu head title"
)
_VOID = _word_set("area base br col embed hr img input link meta param source track wbr")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
_CODE = frozenset({"pre"})
_BLOCK = _word_set(
    "p div section article main li ul ol dl dd dt blockquote table thead tbody tfoot tr td th caption "
    "h5 h6 address center hr br details summary"
)
_BOILERPLATE_TOKENS = _word_set(
    "ad ads advert adverts advertisement advertising share sharing social related newsletter subscribe "
    "subscription promo promotion comments comment cookie cookies breadcrumb breadcrumbs caption credit "
    "credits sidebar widget popup modal sponsored sponsor outbrain taboola paywall signup byline toolbar "
    "hidden sr-only visually-hidden tags"
)
_BOILERPLATE_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search", "dialog"})
_TOKEN_SPLIT = re.compile(r"[\s_]+|(?<=[a-z])-(?=[a-z])")


def _is_boilerplate(attrs: list[tuple[str, str | None]]) -> bool:
    for name, value in attrs:
        if name == "hidden" or (name == "aria-hidden" and value == "true"):
            return True
        if value is None:
            continue
        if name in ("class", "id"):
            tokens = {t for t in _TOKEN_SPLIT.split(value.lower()) if t}
            if tokens & _BOILERPLATE_TOKENS:
                return True
        elif (name == "role" and value.lower() in _BOILERPLATE_ROLES) or (
            name == "style" and re.search(r"display\s*:\s*none", value, re.IGNORECASE)
        ):
            return True
    return False


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int]] = []  # (text, kind, heading level)
        self._buf: list[str] = []
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._heading = 0
        self._pre = 0
        self._bold = 0
        self._bold_chars = 0  # characters of the open block inside <b>/<strong>

    def _flush(self) -> None:
        raw = "".join(self._buf)
        self._buf = []
        if self._pre:
            lines = [line.rstrip() for line in raw.strip("\n").split("\n")]
            text = "\n".join(line for line in lines if line.strip())
        else:
            text = " ".join(raw.split())
        bold_only = self._bold_chars >= len("".join(text.split()))
        self._bold_chars = 0
        if text:
            kind = "heading" if self._heading else ("code" if self._pre else "prose")
            if kind == "prose" and bold_only:
                kind = "bold"  # a paragraph all in bold: maybe a heading (the caller decides)
            self.blocks.append((text, kind, self._heading))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        if tag in _VOID:
            if tag in ("br", "hr"):
                if self._pre:
                    self._buf.append("\n")
                else:
                    self._flush()
            return
        if tag in _SKIP_TAGS or _is_boilerplate(attrs):
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag in _HEADINGS:
            self._flush()
            self._heading = _HEADINGS[tag]
        elif tag in ("b", "strong"):
            self._bold += 1
        elif tag in _CODE:
            self._flush()
            self._pre += 1
        elif tag in _BLOCK and not self._pre:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip_tag = None
            return
        if tag in _HEADINGS:
            self._flush()
            self._heading = 0
        elif tag in ("b", "strong"):
            self._bold = max(0, self._bold - 1)
        elif tag in _CODE:
            self._flush()
            self._pre = max(0, self._pre - 1)
        elif tag in _BLOCK and not self._pre:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip_tag is None:
            self._buf.append(data)
            if self._bold:
                self._bold_chars += len("".join(data.split()))


def html_blocks(body: str) -> list[tuple[str, str, int]]:
    """(text, kind, level) per readable block, in order; kind is "heading", "prose", "code" or "bold"
    (a paragraph entirely in bold)."""
    parser = _Extractor()
    parser.feed(body)
    parser.close()
    parser._flush()
    return parser.blocks
