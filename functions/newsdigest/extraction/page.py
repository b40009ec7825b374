"""``extract_page``: a whole web page in, its article out (text, own section headings, metadata)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import lxml.html

from newsdigest.extraction.dom import WORD, Words, parse, visible_words
from newsdigest.extraction.headings import Candidate, HeadingRules, candidates, is_article_heading
from newsdigest.extraction.metadata import declared_language
from newsdigest.extraction.model import ExtractedPage, NoArticleText

DEFAULT_RULES = HeadingRules()
# A precision-mode extraction shorter than this is checked against the balanced mode (only short
# extractions pay for a second pass) and replaced when the balanced mode finds RETRY_RATIO times as many
# words (None: never). Both chosen by cross-validation in bench/eval_extraction.py.
SHORT_WORDS = 150
RETRY_RATIO: float | None = 5.0
# Containers in trafilatura's output tree whose children are blocks of their own.
_CONTAINERS = frozenset({"list", "item", "quote", "div", "body", "main", "section", "article", "figure"})
_LEAF_BLOCKS = frozenset({"p", "head", "item", "quote", "table", "code", "list"})
_BLANK_LINES = re.compile(r"\n\s*\n+")
_MARKDOWN_SYNTAX = re.compile(r"^( {0,3})(#|=+[ \t]*$|-+[ \t]*$|```|~~~)", re.M)
# Words matched at once when placing an extracted block on the page.
_KEY_WORDS = 8
# Page scans for one- and two-word blocks (each scan reads the whole page).
_MAX_RESCANS = 200


@dataclass
class PageAnalysis:
    """Everything ``extract_page`` learns about a page before it picks headings (the eval reuses it to
    choose ``HeadingRules`` by cross-validation without re-extracting)."""

    tree: lxml.html.HtmlElement
    document: Any  # trafilatura's Document (metadata and output tree)
    blocks: list[tuple[str, str]]
    placed: list[int | None]
    candidates: list[Candidate]
    title: str | None


def analyse_page(
    page: str | bytes,
    url: str | None = None,
    *,
    favor_precision: bool = True,
    fast: bool = True,
    retry_ratio: float | None = RETRY_RATIO,
    short_words: int = SHORT_WORDS,
) -> PageAnalysis:
    """Parse ``page``, extract its main text and list its heading candidates (raises ``NoArticleText``).

    ``favor_precision`` and ``fast`` are trafilatura's modes (fast: without its readability/jusText
    fallbacks). Precision mode sometimes keeps only a fragment of an article (a slideshow's first slide, a
    review's spec box): when it finds nothing, or fewer than ``short_words`` words and the balanced mode
    with fallbacks finds ``retry_ratio`` times as many, the balanced extraction is taken instead.
    """
    tree = parse(page, url)
    document = _trafilatura(tree, url, favor_precision, fast)
    size = _word_count(document)
    if (favor_precision or fast) and (size == 0 or (retry_ratio and size < short_words)):
        second = _trafilatura(tree, url, False, False)
        if size == 0 or (retry_ratio and _word_count(second) >= retry_ratio * size):
            document = second
    if document is None or document.body is None:
        raise NoArticleText(url)
    blocks = _blocks(document.body)
    if not blocks:
        raise NoArticleText(url)
    words = visible_words(tree)
    in_article, placed = _place(blocks, words)
    title = " ".join((document.title or "").split()) or None
    return PageAnalysis(tree, document, blocks, placed, candidates(tree, words, in_article, url), title)


def extract_page(
    page: str | bytes,
    url: str | None = None,
    *,
    rules: HeadingRules = DEFAULT_RULES,
    favor_precision: bool = True,
    fast: bool = True,
    retry_ratio: float | None = RETRY_RATIO,
    short_words: int = SHORT_WORDS,
) -> ExtractedPage:
    """The article of ``page`` (the HTML of a whole web page; bytes are decoded by BOM, declared charset,
    UTF-8, then Windows-1252). ``url`` helps resolve metadata. Raises ``NoArticleText`` when the page yields
    no article text. Never runs scripts and never fetches anything."""
    analysis = analyse_page(
        page,
        url,
        favor_precision=favor_precision,
        fast=fast,
        retry_ratio=retry_ratio,
        short_words=short_words,
    )
    return article_of(analysis, rules, url)


def article_of(
    analysis: PageAnalysis, rules: HeadingRules = DEFAULT_RULES, url: str | None = None
) -> ExtractedPage:
    """The article of an analysed page, its headings picked by ``rules``."""
    headings = [c for c in analysis.candidates if is_article_heading(c, rules, analysis.title)]
    markdown, text, heading_texts = _render(analysis.blocks, analysis.placed, headings)
    if not text.strip():
        raise NoArticleText(url)
    document = analysis.document
    return ExtractedPage(
        title=analysis.title,
        author=" ".join((document.author or "").split()) or None,
        published=(document.date or None),
        language=declared_language(analysis.tree) or _guess_language(text),
        markdown=markdown,
        text=text,
        headings=heading_texts,
        url=url,
    )


def _trafilatura(tree: lxml.html.HtmlElement, url: str | None, favor_precision: bool, fast: bool):
    # Imported here: trafilatura (with its date and URL helpers) takes a few hundred ms to import.
    from trafilatura import bare_extraction
    from trafilatura.settings import set_date_params

    try:
        return bare_extraction(
            tree,
            url=url,
            favor_precision=favor_precision,
            fast=fast,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            # only dates the page states (meta tags, JSON-LD, <time>, the URL): no guess from a
            # copyright line or any number that looks like a year
            date_extraction_params=set_date_params(extensive=False),
        )
    except (ValueError, TypeError, RecursionError):
        return None


def _word_count(document: Any) -> int:
    if document is None or document.body is None:
        return 0
    return len(" ".join(document.body.itertext()).split())


def _blocks(body) -> list[tuple[str, str]]:
    """trafilatura's output tree as leaf blocks ``(tag, text)`` in order: list items, paragraphs, headings,
    tables; nested containers are opened so that a heading inside one is a block of its own."""
    from trafilatura.xml import xmltotxt

    out: list[tuple[str, str]] = []

    def visit(element) -> None:
        nested = element.tag in _CONTAINERS and any(child.tag in _LEAF_BLOCKS for child in element)
        if element.tag != "table" and nested:
            if element.text and element.text.strip():
                out.append(("p", element.text.strip()))
            for child in element:
                visit(child)
                if child.tail and child.tail.strip():
                    out.append(("p", child.tail.strip()))
            return
        text = xmltotxt(element, False).strip()
        if text:
            out.append((element.tag, text))

    for child in body:
        visit(child)
    return out


def _place(blocks: list[tuple[str, str]], words: Words) -> tuple[bytearray, list[int | None]]:
    """Find each extracted block on the page by its first words (the first match after the previous block,
    else the first on the page): which page words are article text, and the page word where each block
    starts. Blocks of 3+ words are looked up in an index of the page's word trigrams, so a page of many
    blocks costs linear time, not a page scan per block."""
    page = words.words
    trigrams: dict[tuple[str, str, str], list[int]] = {}
    for i in range(len(page) - 2):
        trigrams.setdefault((page[i], page[i + 1], page[i + 2]), []).append(i)
    in_article = bytearray(len(page) + 1)
    placed: list[int | None] = []
    cursor = 0
    rescans = 0
    for tag, text in blocks:
        block_words = WORD.findall(text.lower())
        if tag == "head" or not block_words:
            placed.append(None)
            continue
        key = block_words[:_KEY_WORDS]
        start: int | None = None
        if len(key) >= 3:
            positions = trigrams.get((key[0], key[1], key[2]), [])
            j = bisect.bisect_left(positions, cursor)
            start = next((p for p in (*positions[j:], *positions[:j]) if page[p : p + len(key)] == key), None)
        elif rescans < _MAX_RESCANS:  # a one- or two-word block: a scan of the page's text
            rescans += 1
            joined_key = " ".join(key)
            from_char = words.offsets[cursor] if cursor < len(words.offsets) else len(words.joined)
            offset = words.joined.find(joined_key, from_char)
            if offset < 0:
                offset = words.joined.find(joined_key)
            start = bisect.bisect_left(words.offsets, offset) if offset >= 0 else None
        if start is None:
            placed.append(None)
            continue
        end = min(start + len(block_words), len(page))
        in_article[start:end] = b"\x01" * (end - start)
        placed.append(start)
        cursor = max(cursor, end)
    return in_article, placed


def _render(blocks, placed, headings) -> tuple[str, str, list[str]]:
    """Markdown and plain text of the article: its blocks in order, each accepted heading placed before the
    first block that starts after it on the page. trafilatura's own headings are replaced by ours."""
    pending = sorted(headings, key=lambda c: c.start)
    md: list[str] = []
    plain: list[str] = []
    kept: list[str] = []
    used = 0
    last_start = -1
    for (tag, text), start in zip(blocks, placed, strict=True):
        if start is not None:
            while used < len(pending) and pending[used].end <= start and pending[used].start >= last_start:
                md.append(f"## {pending[used].text}")
                plain.append(pending[used].text)
                kept.append(pending[used].text)
                used += 1
            while used < len(pending) and pending[used].end <= start:
                used += 1  # a heading behind us (blocks out of page order): skip it
            last_start = start
        if tag == "head":
            continue
        md.append(_escape_markdown(_BLANK_LINES.sub("\n", text)))
        plain.append(_BLANK_LINES.sub("\n", text))
    return "\n\n".join(md), "\n\n".join(plain), kept


def _escape_markdown(text: str) -> str:
    """Article text as Markdown paragraphs: a line that Markdown would read as a heading (``# 1 pick``, a
    ``---`` underline) or a code fence gets a backslash escape, so only our headings are headings."""
    return _MARKDOWN_SYNTAX.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)


def _guess_language(text: str) -> str | None:
    from newsdigest.summarizer.language import detect_language

    return detect_language(text)
