"""First, honest version of the summarizer: lead sentences for the digest, first sentence per section."""

from __future__ import annotations

import math
import re
from collections import Counter

from newsdigest.summarizer.model import Format, OutlineEntry, Span, Summary
from newsdigest.summarizer.sections import parse_document

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]\u201d\u2019]*\s+(?=[\"'(\[\u201c\u2018]?[A-Z0-9])")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*", re.UNICODE)
_STOP = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this that "
    "these those he she they we you i his her their our your them him us not no so than then there here "
    "has have had do does did will would can could should may might must said says say about after before "
    "over into out up down more most also just one two new who what when where which while how all any".split()
)
MIN_SENTENCES = 3
WORDS_PER_MINUTE = 230


def split_sentences(text: str, start: int, end: int) -> list[Span]:
    spans: list[Span] = []
    pos = start
    chunk = text[start:end]
    for match in [*_SENTENCE_END.finditer(chunk), None]:
        stop = start + (match.start() + len(match.group(0).rstrip()) if match else len(chunk))
        if match:
            stop = start + match.end()
        piece = text[pos:stop]
        stripped = piece.strip()
        if stripped:
            s = pos + (len(piece) - len(piece.lstrip()))
            spans.append(Span(stripped, s, s + len(stripped)))
        pos = stop
    return spans


def summarize(
    body: str,
    fmt: Format = "text",
    *,
    title: str | None = None,
    language: str | None = None,
    max_sentences: int = 3,
) -> Summary:
    doc = parse_document(body, fmt, title)
    outline: list[OutlineEntry] = []
    sentences: list[Span] = []
    for section in doc.sections:
        section_sentences = []
        for para in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]+)*", doc.text[section.start : section.end]):
            a = section.start + para.start()
            section_sentences.extend(split_sentences(doc.text, a, section.start + para.end()))
        sentences.extend(section_sentences)
        outline.append(OutlineEntry(section.heading, section_sentences[0] if section_sentences else None))
    words = _WORD.findall(doc.text)
    reading = max(1, math.ceil(len(words) / WORDS_PER_MINUTE)) if words else 0
    if len(sentences) < MIN_SENTENCES:
        return Summary(status="too_short", reading_time_minutes=reading, language=language)
    counts = Counter(w.lower() for w in words if w.lower() not in _STOP and len(w) > 2)
    keywords = tuple(w for w, _ in counts.most_common(5))
    return Summary(
        status="ready",
        digest=tuple(sentences[:max_sentences]),
        outline=tuple(outline),
        keywords=keywords,
        reading_time_minutes=reading,
        language=language,
    )
