"""The article's own section headings, recovered from the page around the extracted main text.

Every ``h1``–``h6`` and every short paragraph set wholly in bold is a candidate. A candidate is one of the
article's headings when it sits inside the article — extracted text comes before it, and extracted text
follows it closely — and does not look like a page widget: a link to another page of the same site (a
teaser), a site-wide widget title ("Related", "Most read", "Comments", "Newsletter"...), a bold lead-in
ending like a sentence or a label. The thresholds are ``HeadingRules``; the defaults were chosen by
cross-validation on the development pages (bench/eval_extraction.py) and are measured there on held-out
folds.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

from newsdigest.extraction.dom import Words

LEVELS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = frozenset({"p", "div", "ul", "ol", "table", "blockquote", "pre", "section", "article", "figure"})
_BOLD = ("b", "strong")
_BOLD_MAX_WORDS = 60
# Permalink marks that blogs put beside headings ("Installing #", "Usage ¶").
_MARKS = re.compile(r"^[\s#¶§🔗|]+|[\s#¶§🔗|]+$")
# A bold line that opens with a bracket or ends like a sentence or a label ("Pros:") is a lead-in.
_LEAD_IN = re.compile(r"^[\[(]|[.:!,;]$")
# Titles of site-wide widgets, not of article sections (the whole title, or its start where noted).
_WIDGET = re.compile(
    r"^(?:related(?: (?:articles?|stories|posts|content|coverage|links|reading))?:?|(?:\d+ )?comments?|"
    r"leave a (?:reply|comment).*|join the (?:discussion|conversation)|(?:join )?our newsletter|"
    r"(?:subscribe|sign up)\b.*|join (?:us|our|now)\b.*|newsletters?|"
    r"share(?: this(?: (?:article|story|post|page))?)?:?|"
    r"trending(?: now| stories)?|more (?:stories|from|news|on|in|articles|to read)\b.*|don.t miss|"
    r"most (?:read|popular|viewed|shared|recent)\b.*|popular(?: (?:posts|stories|now))?|recommended(?: .*)?|"
    r"you (?:may|might) (?:also )?like\b.*|read (?:more|next|this next)\b.*|further reading|follow us\b.*|"
    r"advertisement|categories|tags|about the author|(?:also )?see also:?|also see:?|"
    r"latest(?: news| stories)?|top stories|editor.s picks?|what to read next|in (?:this|other) news|"
    r"up next)$",
    re.I,
)


@dataclass(frozen=True)
class HeadingRules:
    """How close to the article a candidate must be, and which kinds count (see bench/eval_extraction.py)."""

    max_gap_words: int = 10  # words not in the article between a heading and the text that follows it
    min_section_share: float = 0.3  # share of the words up to the next heading that are article text
    # A heading that is mostly link text to another page of the same site is a teaser of that page;
    # "internal" drops those, "any" drops every link heading, "none" keeps them.
    teaser_links: str = "internal"
    levels: tuple[str, ...] = ("h1", "h2", "h3", "h4")
    bold: bool = True  # paragraphs set wholly in bold count as headings
    max_words: int = 25


@dataclass
class Candidate:
    element: lxml.html.HtmlElement
    kind: str  # h1..h6 or "bold"
    text: str
    start: int
    end: int
    gap_after: int | None  # None: no article text after it
    article_words_before: int
    section_words: int
    section_article_words: int
    link_share: float  # share of the heading's words that are link text
    internal_links: bool  # its links stay on the page's own site


def _text(element: lxml.html.HtmlElement) -> str:
    return _MARKS.sub("", " ".join(element.text_content().split()))


def _is_bold_paragraph(element: lxml.html.HtmlElement) -> bool:
    if element.tag not in ("p", "div") or not len(element):
        return False
    text = " ".join(element.text_content().split())
    if not text or len(text) > 150:
        return False
    inner = [d for d in element.iterdescendants() if isinstance(d.tag, str)]
    if any(d.tag in LEVELS or d.tag in _BLOCKS for d in inner):
        return False
    bold = " ".join(" ".join(b.text_content().split()) for b in inner if b.tag in _BOLD)
    return " ".join(bold.split()) == text


def _site(host: str | None) -> str:
    host = (host or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _links_stay_on_site(element: lxml.html.HtmlElement, site: str) -> bool:
    anchors = [*element.iter("a"), *element.iterancestors("a")]
    for anchor in anchors:
        href = (anchor.get("href") or "").strip()
        try:
            host = _site(urlsplit(href).hostname)
        except ValueError:
            return False
        if host and host != site and not host.endswith("." + site) and not site.endswith("." + host):
            return False
    return bool(anchors)


def candidates(
    tree: lxml.html.HtmlElement, words: Words, in_article: bytearray, url: str | None = None
) -> list[Candidate]:
    """Heading-like elements in document order, with what surrounds them. ``in_article[i]`` is 1 when word
    ``i`` of the page is part of the extracted article text; ``url`` (or the page's canonical link) tells
    which links stay on the site."""
    try:
        site = _site(urlsplit(url or "").hostname)
    except ValueError:
        site = ""
    if not site:
        canonical = tree.xpath("//link[@rel='canonical']/@href|//meta[@property='og:url']/@content")
        try:
            site = _site(urlsplit(str(canonical[0])).hostname) if canonical else ""
        except ValueError:
            site = ""
    n = len(words.words)
    # next_article[i]: the first article word at or after i (n when none); before[i]: article words before i
    next_article = [n] * (n + 1)
    for i in range(n - 1, -1, -1):
        next_article[i] = i if in_article[i] else next_article[i + 1]
    before = [0] * (n + 1)
    for i in range(n):
        before[i + 1] = before[i] + in_article[i]
    heading_starts = sorted(words.spans[e][0] for e in tree.iter(*LEVELS) if e in words.spans)
    found: list[Candidate] = []
    taken: set[lxml.html.HtmlElement] = set()
    for element in tree.iter(*LEVELS, "p", "div"):
        if element not in words.spans:
            continue
        start, end = words.spans[element]
        if element.tag in LEVELS:
            kind: str | None = element.tag
        else:  # a word count first: text_content() of every big div would cost O(page size x depth)
            kind = "bold" if end - start <= _BOLD_MAX_WORDS and _is_bold_paragraph(element) else None
        if kind is None or any(a in taken for a in element.iterancestors()):
            continue
        taken.add(element)
        text = _text(element)
        if end <= start or not text:
            continue
        following = next_article[end]
        k = bisect.bisect_right(heading_starts, end - 1)
        section_end = heading_starts[k] if k < len(heading_starts) else n
        section_end = max(section_end, end)
        in_link = any(True for _ in element.iterancestors("a"))
        link_words = (
            len(text.split()) if in_link else sum(len(a.text_content().split()) for a in element.iter("a"))
        )
        link_share = link_words / max(1, len(text.split()))
        found.append(
            Candidate(
                element=element,
                kind=kind,
                text=text,
                start=start,
                end=end,
                gap_after=following - end if following < n else None,
                article_words_before=before[start],
                section_words=section_end - end,
                section_article_words=before[section_end] - before[end],
                link_share=link_share,
                internal_links=link_share > 0.5 and _links_stay_on_site(element, site),
            )
        )
    found.sort(key=lambda c: c.start)
    return found


def is_article_heading(candidate: Candidate, rules: HeadingRules, title: str | None = None) -> bool:
    """Whether a candidate is one of the article's own section headings (see the module docstring)."""
    text = candidate.text
    if candidate.kind != "bold" and candidate.kind not in rules.levels:
        return False
    if candidate.kind == "bold" and (not rules.bold or candidate.gap_after or _LEAD_IN.search(text)):
        return False  # a bold lead-in sentence, a label ("Pros:"), a bracketed aside
    if title and _fold(text) == _fold(title):
        return False
    if candidate.gap_after is None or candidate.gap_after > rules.max_gap_words:
        return False
    if candidate.article_words_before == 0:
        return False
    if len(text.split()) > rules.max_words:
        return False
    if candidate.link_share > 0.5 and (
        rules.teaser_links == "any" or (rules.teaser_links == "internal" and candidate.internal_links)
    ):
        return False
    share = candidate.section_article_words / candidate.section_words if candidate.section_words else 1.0
    if share < rules.min_section_share:
        return False
    return not _WIDGET.match(text)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()
