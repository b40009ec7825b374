"""Entry HTML (from strangers) to plain text, and whether an entry is only a teaser.

``html_to_text`` keeps text nodes only: no tag survives, the content of script, style and other
non-text elements is dropped whole (even when never closed), entities are decoded, blocks become
paragraphs. The result is text: whoever shows it escapes it like any text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Elements whose content is not text a reader sees (or is code).
_SKIP = _words(
    "script style noscript template iframe object embed applet svg math head title select textarea "
    "canvas audio video noembed noframes frameset frame xmp plaintext button"
)
_BLOCK = _words(
    "p div section article main aside header footer nav li ul ol dl dd dt blockquote pre table thead "
    "tbody tfoot tr td th caption figure figcaption h1 h2 h3 h4 h5 h6 address center hr details summary "
    "form fieldset"
)
_VOID = _words("area base br col embed hr img input link meta param source track wbr")
_SPACE = re.compile(r"[^\S\n]+")
_ANY_SPACE = re.compile(r"[ \t\r\n\f]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b\ufeff]")


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP and tag not in _VOID:
            self.skipping.append(tag)
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")
            self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:  # close it (and anything left open inside it)
                del self.skipping[len(self.skipping) - 1 - self.skipping[::-1].index(tag) :]
            return
        if tag in _BLOCK:
            self.parts.append("\n\n")
            if tag == "pre" and self.pre:
                self.pre -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            # source line breaks are spaces in HTML, except inside <pre>
            self.parts.append(data if self.pre else _ANY_SPACE.sub(" ", data))


def html_to_text(html: str) -> str:
    """The text a reader sees in an HTML fragment: paragraphs separated by a blank line, spaces
    collapsed, entities decoded, no markup and no script/style text."""
    if not html:
        return ""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    text = _CONTROL.sub("", "".join(parser.parts)).replace("\xa0", " ")
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [_SPACE.sub(" ", line).strip() for line in block.split("\n")]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def plain_text(value: str) -> str:
    """A text field (already text, not HTML): control characters out, whitespace collapsed."""
    return _SPACE.sub(" ", _CONTROL.sub("", value).replace("\xa0", " ").replace("\n", " ")).strip()


# ---- teasers
TEASER_WORDS = 120
"""Entries shorter than this many words are taken for teasers (a round default, not tuned on data)."""

_TEASER_END = re.compile(
    r"(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\))\s*[\"'”’»)]*\s*$",
)
_TEASER_LAST_LINE = re.compile(
    r"\b(?:read\s+more|continue\s+reading|keep\s+reading|read\s+on|read\s+the\s+(?:full|rest|whole|entire)"
    r"|full\s+(?:story|article|post)|more\s*(?:»|›|→|>>)|weiterlesen|lire\s+la\s+suite|leer\s+más|"
    r"continua\s+a\s+leggere|lees\s+verder)\b",
    re.IGNORECASE,
)
# WordPress appends this to excerpts and full posts alike: it says nothing about the length.
_WORDPRESS_FOOTER = re.compile(r"\n*\s*The post .{1,300} appeared first on .{1,200}$", re.IGNORECASE)


def is_teaser(text: str, *, min_words: int = TEASER_WORDS) -> bool:
    """Whether an entry's text (plain text, see ``html_to_text``) is only a teaser of the page behind
    its link: it is short, or it ends the way excerpts end ("…", "[…]", "Read more", "Continue
    reading")."""
    body = _WORDPRESS_FOOTER.sub("", text.strip()).strip()
    if len(body.split()) < min_words:
        return True
    if _TEASER_END.search(body):
        return True
    last_line = body.rsplit("\n", 1)[-1]
    return len(last_line.split()) <= 20 and bool(_TEASER_LAST_LINE.search(last_line))
