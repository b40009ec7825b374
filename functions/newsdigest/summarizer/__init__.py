"""The extractive summarizer: pure Python, deterministic, offline.

Public interface (everything else in this package is an implementation detail):

* ``parse_document(body, fmt, title=None) -> Document``: the article's readable text and its sections.
* ``summarize(body, fmt, title=None, language=None, max_sentences=3) -> Summary``.
* ``reading_minutes(text, language=None) -> int``: the reading time ``Summary`` reports, for any text
  (words at 230 a minute; Chinese, Japanese and Korean by characters).

Every returned sentence is a ``Span`` whose ``start``/``end`` index ``Document.text``; for the
``text`` and ``markdown`` formats that text *is* the body, so ``body[start:end] == span.text``.
"""

from newsdigest.summarizer.engine import summarize
from newsdigest.summarizer.language import reading_minutes
from newsdigest.summarizer.model import Document, OutlineEntry, Section, Span, Summary
from newsdigest.summarizer.sections import parse_document

__all__ = [
    "Document",
    "OutlineEntry",
    "Section",
    "Span",
    "Summary",
    "parse_document",
    "reading_minutes",
    "summarize",
]
