"""Split an article body into its sections (first version: the summarizer issue refines the heuristics)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from newsdigest.summarizer.model import Document, Format, Section

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def parse_document(body: str, fmt: Format, title: str | None = None) -> Document:
    if fmt == "html":
        text, headings = _html_to_text(body)
        return _sections_from_known_headings(text, headings, title)
    if fmt == "markdown":
        return _markdown_sections(body, title)
    return _plain_sections(body, title)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank paragraph, with surrounding whitespace trimmed."""
    spans = []
    pos = 0
    for match in [*_BLANK_LINE.finditer(text), None]:
        end = match.start() if match else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            s = pos + (len(chunk) - len(chunk.lstrip()))
            spans.append((s, s + len(stripped)))
        if match:
            pos = match.end()
    return spans


def _same_as_title(line: str, title: str | None) -> bool:
    return bool(title) and " ".join(line.split()).casefold() == " ".join(str(title).split()).casefold()


def _looks_like_heading(line: str) -> bool:
    if "\n" in line or len(line) > 90 or len(line.split()) > 12:
        return False
    return not line.endswith((".", ",", ";", "\u2026"))


def _build(text: str, marks: list[tuple[str, int, int]]) -> Document:
    """marks: (heading, heading_start, content_start) in order."""
    sections: list[Section] = []
    first_content = marks[0][1] if marks else len(text)
    if text[:first_content].strip() or not marks:
        sections.append(Section(None, 0, first_content))
    for i, (heading, _hs, cs) in enumerate(marks):
        end = marks[i + 1][1] if i + 1 < len(marks) else len(text)
        sections.append(Section(heading, cs, end))
    return Document(text=text, sections=tuple(sections))


def _plain_sections(body: str, title: str | None) -> Document:
    paras = _paragraphs(body)
    marks: list[tuple[str, int, int]] = []
    for i, (s, e) in enumerate(paras):
        line = body[s:e]
        if i == 0 and _same_as_title(line, title):
            continue
        if i + 1 < len(paras) and _looks_like_heading(line):
            marks.append((line, s, paras[i + 1][0]))
    return _build(body, marks)


def _markdown_sections(body: str, title: str | None) -> Document:
    marks: list[tuple[str, int, int]] = []
    lines = body.splitlines(keepends=True)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    in_fence = False
    for i, line in enumerate(lines):
        raw = line.rstrip("\r\n")
        if raw.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = None
        start = offsets[i]
        content = offsets[i] + len(line)
        atx = _ATX.match(raw)
        if atx:
            heading = atx.group(2).strip()
        elif i > 0 and _SETEXT.match(raw) and lines[i - 1].strip() and not _ATX.match(lines[i - 1]):
            prev_blank = i < 2 or not lines[i - 2].strip()
            if prev_blank:
                heading = lines[i - 1].strip()
                start = offsets[i - 1]
        if heading is None:
            continue
        if not marks and not body[:start].strip() and _same_as_title(heading, title):
            continue
        if not marks and not body[:start].strip() and title is None and atx and len(atx.group(1)) == 1:
            continue  # a leading "# Title" is the article's title, not a section
        marks.append((heading, start, content))
    return _build(body, marks)


_SKIP = {"script", "style", "nav", "noscript", "template", "figcaption", "footer", "aside", "form", "svg",
         "button", "iframe", "header", "figure"}
_HEADINGS = {"h1", "h2", "h3", "h4"}
_BLOCK = {"p", "div", "section", "article", "li", "ul", "ol", "blockquote", "pre", "table", "tr", "br",
          "h5", "h6", "dd", "dt", "main", *_HEADINGS}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []  # (text, is_heading)
        self._buf: list[str] = []
        self._skip = 0
        self._heading = False

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.blocks.append((text, self._heading))
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip += 1
        elif not self._skip and tag in _BLOCK:
            self._flush()
            if tag in _HEADINGS:
                self._heading = True

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
        elif not self._skip and tag in _BLOCK:
            self._flush()
            if tag in _HEADINGS:
                self._heading = False

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data)


def _html_to_text(body: str) -> tuple[str, list[int]]:
    parser = _TextExtractor()
    parser.feed(body)
    parser.close()
    parser._flush()
    parts: list[str] = []
    heading_idx = []
    for i, (text, is_heading) in enumerate(parser.blocks):
        if is_heading:
            heading_idx.append(i)
        parts.append(text)
    return "\n\n".join(parts), heading_idx


def _sections_from_known_headings(text: str, heading_blocks: list[int], title: str | None) -> Document:
    paras = _paragraphs(text)
    marks: list[tuple[str, int, int]] = []
    wanted = set(heading_blocks)
    for i, (s, e) in enumerate(paras):
        if i not in wanted:
            continue
        if i == 0 and (title is None or _same_as_title(text[s:e], title)):
            continue  # a leading <h1> is the title
        content = paras[i + 1][0] if i + 1 < len(paras) else e
        marks.append((text[s:e], s, content))
    return _build(text, marks)
