"""Split an article into its title, sections and prose paragraphs, for HTML, Markdown and plain text.

``parse_document`` is the public entry; ``layout`` also returns the prose paragraphs the engine draws
sentences from (code, tables, images and headings are not prose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress

from newsdigest.summarizer.model import Document, Format, Section


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string (long word lists read better that way)."""
    return frozenset(words.split())


_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ATX = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$|^ {0,3}(#{1,6})[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$")
_TABLE_LINE = re.compile(r"^\s*\|")


@dataclass(slots=True)
class Layout:
    document: Document
    prose: tuple[tuple[int, int], ...]  # (start, end) of each prose paragraph in document.text


def parse_document(body: str, fmt: Format, title: str | None = None) -> Document:
    return layout(body, fmt, title).document


def layout(body: str, fmt: Format, title: str | None = None) -> Layout:
    if fmt == "html":
        return _html_layout(body, title)
    if fmt == "markdown":
        return _markdown_layout(body, title)
    return _plain_layout(body, title)


# --- shared -------------------------------------------------------------------------------------------


def fold(text: str) -> str:
    return " ".join(text.split())


_TITLE_WORD = re.compile(r"\w+")


def same_as_title(line: str, title: str | None) -> bool:
    """A line repeats the title (exactly, or nearly: site suffixes, punctuation, a short kicker)."""
    if not title or not title.strip():
        return False
    a, b = fold(line).casefold(), fold(title).casefold()
    if a == b:
        return True
    wa, wb = _TITLE_WORD.findall(a), _TITLE_WORD.findall(b)
    if not wa or not wb:
        return False
    if wa == wb or wa[: len(wb)] == wb or (wb[: len(wa)] == wa and len(wa) >= 3):
        return True
    sa, sb = set(wa), set(wb)
    return len(sa & sb) / len(sa | sb) >= 0.75


@dataclass(slots=True)
class _Block:
    start: int
    end: int
    kind: str  # "prose", "heading", "title", "code", "other"
    heading: str | None = None
    level: int = 0  # heading level (1-6), 0 otherwise


def _assemble(text: str, blocks: list[_Block]) -> Layout:
    """Sections run from one heading to the next; the intro starts after the title, if any."""
    sections: list[Section] = []
    intro_start = 0
    for b in blocks:
        if b.kind == "title":
            intro_start = b.end
            break
        if b.kind != "other" or text[b.start : b.end].strip():
            break
    positions = [i for i, b in enumerate(blocks) if b.kind == "heading"]
    headings = [blocks[i] for i in positions]
    first_heading = headings[0].start if headings else len(text)
    intro_has_content = any(b.kind in ("prose", "code", "other") and b.start < first_heading for b in blocks)
    if intro_has_content or not headings:
        sections.append(Section(None, min(intro_start, first_heading), first_heading))
    for i, (at, h) in enumerate(zip(positions, headings, strict=True)):
        # the content starts at the next block (blocks are in text order)
        content_start = blocks[at + 1].start if at + 1 < len(blocks) else h.end
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        sections.append(Section(h.heading, min(content_start, end), end))
    prose = tuple((b.start, b.end) for b in blocks if b.kind == "prose")
    return Layout(Document(text=text, sections=tuple(sections)), prose)


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


# --- plain text -----------------------------------------------------------------------------------------

_SENTENCE_INSIDE = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"'“‘(\[]*[A-Z]")
_CODE_CHARS = re.compile(
    r"[{}<>=;|`\\»›→]|\$(?!\d)|\./|(?:^|\s)--?[a-zA-Z]|^\s*(?:#|//|>>>|\$|-|\*|•|\(|\[|\d+\)\s)|https?://|www\.|@\w"
)
# Lines that open like a credit ("Photo: ...") are not headings; nor, optionally, lines that continue a
# thought ("But ...").
_CREDIT = re.compile(
    r"^(?:by|photo|photos|image|images|picture|credit|credits|source|caption|video|watch|read more|related|"
    r"advertisement|sponsored|getty images)\b(?!\s+(?:of|and|to|for)\b)",
    re.IGNORECASE,
)
_CONNECTIVE = re.compile(
    r"^(?:and|but|so|or|yet|because|although|though|then|also|plus|oh|well)\b[\s,]", re.IGNORECASE
)
_SPEECH = re.compile(r"[,!?][\"'”’]\s|:\s*[\"“‘]|\b(?:said|says|told|asked):?\s*[\"“‘]")
_OPEN_QUOTES = "\"'“‘«"
_CLOSE_QUOTES = "\"'”’»"
_MINOR_WORDS = _word_set("a an the and or but nor for of to in on at by as is vs via with from into per")


def _unbalanced_quote(line: str) -> bool:
    if line.count('"') % 2 or line.count("“") != line.count("”") or line.count("«") != line.count("»"):
        return True
    return line.endswith("’") and "‘" not in line


def _title_case(words: list[str]) -> bool:
    major = [w for w in words if w.lower() not in _MINOR_WORDS]
    capitalized = sum(1 for w in major if w.lstrip(_OPEN_QUOTES + "(")[:1].isupper())
    return capitalized >= 0.8 * len(major)


# Shape rules that a few pages once suggested. Each is switched on only where cross-validation shows it
# helps on held-out articles (bench/eval.py; off wins a tie): only the pull-quote rule does today.
REJECT_LONG_LOWER_CASE = False  # lower-case lines of more than 8 words or with digits
REJECT_SPEECH = False  # lines with quoted speech in them
REJECT_CONNECTIVE = False  # lines opening with "But", "So", "And"...
REJECT_UNBALANCED_QUOTE = False  # the head or tail of a quotation
REJECT_PULL_QUOTE = True  # a line in quotation marks

_NUMBERED = re.compile(r"^\d{1,2}[.)]\s+\S")
MAX_HEADING_WORDS = 22
MAX_SENTENCE_CASE_WORDS = 12  # longer, a line in sentence case is a sentence without its full stop
MAX_HEADING_CHARS = 130


_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_PUNCTUATION = "。，、；：！…．,;:!"
MAX_CJK_HEADING_CHARS = 20


def _cjk_heading_shape(line: str) -> bool:
    """Chinese, Japanese or Korean: a short line with no sentence or clause mark in it (a question
    mark may end it)."""
    return (
        len(line) <= MAX_CJK_HEADING_CHARS
        and not any(ch in _CJK_PUNCTUATION for ch in line)
        and not line.rstrip("？?").endswith(("」", "”", "）"))
        and not _CODE_CHARS.search(line)
    )


def _heading_shape(line: str) -> bool:
    """A line that could be a heading on its own: short, no markup, not a sentence or a fragment."""
    if "\n" in line or not line or len(line) > MAX_HEADING_CHARS:
        return False
    if _CJK_CHAR.search(line):
        return _cjk_heading_shape(line)
    words = line.split()
    if len(words) > MAX_HEADING_WORDS:
        return False
    first = line.lstrip("\"'“‘«")[:1]
    if not first or not (first.isdigit() or first.isalpha()):
        return False
    if REJECT_LONG_LOWER_CASE and first.islower() and (len(words) > 8 or any(ch.isdigit() for ch in line)):
        return False  # lower-case headings exist ("wrapping up") but only short, plain ones
    if _CODE_CHARS.search(line) or (REJECT_SPEECH and _SPEECH.search(line)):
        return False
    if (_CREDIT.match(line) or (REJECT_CONNECTIVE and _CONNECTIVE.match(line))) and not _title_case(words):
        return False
    if REJECT_UNBALANCED_QUOTE and _unbalanced_quote(line):
        return False  # the tail (or head) of a quotation
    if REJECT_PULL_QUOTE and line[:1] in _OPEN_QUOTES and line[-1:] in _CLOSE_QUOTES:
        return False  # a pull quote
    numbered = bool(_NUMBERED.match(line))
    bare = line.rstrip(_CLOSE_QUOTES + ")]")
    if bare.endswith((",", ";", ":", "…", "...", "-", "–", "—", "(")) or line.endswith("("):
        return False
    if bare.endswith(".") and not (numbered and len(words) <= 8 and bare == line):
        return False
    if len(words) > MAX_SENTENCE_CASE_WORDS and not bare.endswith("?") and not _title_case(words):
        return False  # a long line in sentence case is a sentence without its full stop
    body = line[line.index(" ") + 1 :] if numbered and " " in line else line
    if _SENTENCE_INSIDE.search(body):
        return False  # two sentences: "Oh well. It was fun while it lasted."
    return any(ch.isalpha() for ch in line)


_SENTENCE_ENDS = (".", "!", "?", "…", ":", '."', ".”", "!”", "?”", ".'", ".’", ".)")


_CJK_SENTENCE_ENDS = ("。", "！", "？", "」", "』", "”", "）")
MIN_CJK_PROSE_CHARS = 30


def _prose_like(text: str) -> bool:
    """A paragraph of running text: ends like a sentence, or is long (and not code)."""
    stripped = text.rstrip()
    words = stripped.split(None, 14)
    if len(words) >= 4 and stripped.endswith(_SENTENCE_ENDS):
        return True
    if len(words) >= 14:
        return not _looks_like_code(stripped[:600])  # the opening tells code from prose
    # Chinese and Japanese have no spaces to count: a run of characters ending like a sentence
    return stripped.endswith(_CJK_SENTENCE_ENDS) and len(_CJK_CHAR.findall(stripped, 0, 200)) >= (
        MIN_CJK_PROSE_CHARS
    )


_CODE_SYMBOL = re.compile(r"[{}<>=;()\[\]$#_/\\|`]")


def _looks_like_code(text: str) -> bool:
    return len(_CODE_SYMBOL.findall(text)) > max(4, len(text) // 25)


def _plain_layout(body: str, title: str | None) -> Layout:
    paras = _paragraphs(body)
    blocks: list[_Block] = []
    texts = [body[s:e] for s, e in paras]
    start_index = 0
    if paras:
        first = texts[0]
        if same_as_title(first, title) or (
            (not title or not title.strip())
            and len(paras) > 1
            and "\n" not in first
            and len(first.split()) <= 30
            and not _SENTENCE_INSIDE.search(first)
            and not first.endswith((".", ",", ";", ":"))
        ):
            blocks.append(_Block(paras[0][0], paras[0][1], "title"))
            start_index = 1
    shapes = [_heading_shape(t) for t in texts]
    for i in compress(range(len(texts)), shapes):
        if texts.count(texts[i]) >= 3:
            shapes[i] = False  # a line repeated through the article is page furniture, not a heading
    prose = [_prose_like(t) for t in texts]
    is_heading = [
        i >= start_index and shapes[i] and _heading_context(i, texts, shapes, prose, start_index)
        for i in range(len(paras))
    ]
    if sum(is_heading) == 1:
        i = is_heading.index(True)
        is_heading[i] = _lone_heading(i, texts, prose, start_index)
    for i in range(start_index, len(paras)):
        s, e = paras[i]
        text = texts[i]
        if is_heading[i]:
            blocks.append(_Block(s, e, "heading", text))
        elif not prose[i] and _looks_like_code(text):
            blocks.append(_Block(s, e, "code"))
        else:
            blocks.append(_Block(s, e, "prose"))
    return _assemble(body, blocks)


# A lone stand-alone line is more often a pull quote, a rhetorical question, a caption or a related-article
# link than the only heading of an article; it is one when it is short, follows prose and opens a real
# section (prose paragraphs with this many words before the end). Chosen by cross-validation (bench/eval.py).
LONE_MAX_WORDS = 6
LONE_MIN_SECTION_WORDS = 40
LONE_QUESTION = False  # a lone question is rhetorical more often than a heading


def _lone_heading(i: int, texts: list[str], prose: list[bool], first: int) -> bool:
    words = texts[i].split()
    if _title_case(words) and len(words) > 1:
        return True  # shaped like a title
    if len(words) > LONE_MAX_WORDS or (not LONE_QUESTION and texts[i].rstrip().endswith("?")):
        return False
    if i <= first or not prose[i - 1]:
        return False
    following = 0
    for j in range(i + 1, len(texts)):
        if prose[j]:
            following += len(texts[j].split())
    return following >= LONE_MIN_SECTION_WORDS


# A block of several lines (a list, code, a table) may open a heading's section as prose does: reference
# pages and engineering posts put lists and code straight under their headings.
FOLLOWED_BY_BLOCK = True


def _heading_context(i: int, texts: list[str], shapes: list[bool], prose: list[bool], first: int) -> bool:
    """A heading stands alone between paragraphs: prose or a list (or a sub-heading over them) follows it, and
    what precedes it is not a lead-in (a line ending in ':') nor part of a run of short lines."""
    if i + 1 >= len(texts):
        return False
    # prose next, maybe after sub-headings or short caption/label lines
    for j in range(i + 1, min(i + 4, len(texts))):
        if prose[j] or (FOLLOWED_BY_BLOCK and "\n" in texts[j]):
            break
        if not (shapes[j] or len(texts[j].split()) <= 8):
            return False
    else:
        return False
    line = texts[i]
    if line.lstrip("\"'“‘«")[:1].islower():
        # a lower-case heading only between two paragraphs of prose
        return i > first and prose[i - 1] and not texts[i - 1].rstrip().endswith(":") and prose[i + 1]
    return True


# --- markdown ---------------------------------------------------------------------------------------------


def _markdown_layout(body: str, title: str | None) -> Layout:
    lines = body.splitlines(keepends=True)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)
    blocks: list[_Block] = []
    para: list[int] = []  # line indexes of the open paragraph
    fence: str | None = None
    fence_start = 0

    def close_para() -> None:
        if not para:
            return
        first, last = para[0], para[-1]
        s = offsets[first] + (len(lines[first]) - len(lines[first].lstrip()))
        e = offsets[last] + len(lines[last].rstrip())
        raw = [lines[j] for j in para]
        if all(_TABLE_LINE.match(r) for r in raw) or all(_MD_IMAGE.match(r) for r in raw):
            kind = "other"
        elif all(r.startswith(("    ", "\t")) for r in raw):
            kind = "code"
        else:
            kind = "prose"
        blocks.append(_Block(s, e, kind))
        para.clear()

    for i, line in enumerate(lines):
        raw = line.rstrip("\r\n")
        if fence is not None:
            if raw.strip().startswith(fence):
                blocks.append(_Block(fence_start, offsets[i] + len(raw), "code"))
                fence = None
            continue
        fence_match = _FENCE.match(raw)
        if fence_match:
            close_para()
            fence = fence_match.group(1)[0] * 3
            fence_start = offsets[i] + (len(raw) - len(raw.lstrip()))
            continue
        if not raw.strip():
            close_para()
            continue
        atx = _ATX.match(raw)
        if atx:
            close_para()
            level = len(atx.group(1) or atx.group(3))
            text = (atx.group(2) or "").strip()
            s = offsets[i] + (len(raw) - len(raw.lstrip()))
            if text:
                blocks.append(_Block(s, offsets[i] + len(raw), "heading", text, level))
            else:
                blocks.append(_Block(s, offsets[i] + len(raw), "other"))
            continue
        setext = _SETEXT.match(raw)
        if setext and not para:  # a thematic break
            blocks.append(_Block(offsets[i], offsets[i] + len(raw), "other"))
            continue
        if setext and len(para) == 1 and not _ATX.match(lines[para[0]]):
            j = para[0]
            para.clear()
            s = offsets[j] + (len(lines[j]) - len(lines[j].lstrip()))
            level = 1 if setext.group(1).startswith("=") else 2
            blocks.append(_Block(s, offsets[i] + len(raw), "heading", lines[j].strip(), level))
            continue
        para.append(i)
    close_para()
    if fence is not None:  # an unclosed fence runs to the end
        blocks.append(_Block(fence_start, len(body.rstrip()), "code"))
    _leading_title(blocks, title)
    return _assemble(body, blocks)


def _leading_title(blocks: list[_Block], title: str | None) -> None:
    """A leading level-1 heading (or one repeating the title) is the article's title."""
    if not blocks:
        return
    first = blocks[0]
    if first.kind == "heading" and (first.level == 1 or same_as_title(first.heading or "", title)):
        first.kind = "title"
        first.heading = None


# --- html ---------------------------------------------------------------------------------------------------


def _html_layout(body: str, title: str | None) -> Layout:
    from newsdigest.summarizer.html_text import html_blocks  # html.parser only when HTML comes in

    raw = html_blocks(body)
    parts: list[str] = []
    blocks: list[_Block] = []
    pos = 0
    for i, (text, kind, level) in enumerate(raw):
        if kind == "bold":
            # a bold paragraph is a heading when it is shaped like one and prose follows it
            nxt = raw[i + 1] if i + 1 < len(raw) else None
            is_heading = (
                _heading_shape(text) and nxt is not None and nxt[1] == "prose" and _prose_like(nxt[0])
            )
            kind = "heading" if is_heading else "prose"
        if parts:
            pos += 2
        start = pos
        parts.append(text)
        pos += len(text)
        block = _Block(start, pos, kind, fold(text) if kind == "heading" else None)
        blocks.append(block)
        if kind == "heading" and len(blocks) == 1 and (level == 1 or same_as_title(text, title)):
            block.kind = "title"
            block.heading = None
    return _assemble("\n\n".join(parts), blocks)
