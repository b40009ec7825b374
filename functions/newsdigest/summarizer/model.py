"""Value objects of the summarizer (plain dataclasses: no I/O, no framework)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["text", "markdown", "html"]
Status = Literal["ready", "too_short"]


@dataclass(frozen=True, slots=True)
class Span:
    """A sentence of the document: ``document.text[start:end] == text``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Section:
    """A run of the document under one heading (``None`` for the intro before the first heading).

    ``start``/``end`` delimit the section's content (after its heading line) in ``Document.text``.
    """

    heading: str | None
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """The readable text of an article and its sections, in order."""

    text: str
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    heading: str | None
    gist: Span | None


@dataclass(frozen=True, slots=True)
class Summary:
    status: Status
    digest: tuple[Span, ...] = ()
    outline: tuple[OutlineEntry, ...] = ()
    keywords: tuple[str, ...] = ()
    reading_time_minutes: int = 0
    language: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
