"""Stop-word lists (package data) and a cheap language guess from stop-word hits."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")
_WORD = re.compile(r"[^\W\d_]+")
# A guess needs this many words and this share of them in the winning list.
_MIN_WORDS = 20
_MIN_SHARE = 0.15


@lru_cache(maxsize=len(LANGUAGES) + 1)
def stopwords(language: str | None) -> frozenset[str]:
    """The stop words of ``language`` ("en", "de-AT", ...); empty when no list ships for it."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        return frozenset()
    text = resources.files("newsdigest.summarizer").joinpath(f"stopwords/{code}.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def _languages_of_word() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code in LANGUAGES:
        for word in stopwords(code):
            index.setdefault(word, []).append(code)
    return {w: tuple(codes) for w, codes in index.items()}


def detect_language(text: str, sample_chars: int = 800) -> str | None:
    """The shipped language whose stop words cover most of a sample of ``text``; None when unsure."""
    words = _WORD.findall(text[:sample_chars].lower())
    if len(words) < _MIN_WORDS:
        return None
    index = _languages_of_word()
    hits = dict.fromkeys(LANGUAGES, 0)
    for w, c in Counter(words).items():
        for code in index.get(w, ()):
            hits[code] += c
    best = max(LANGUAGES, key=lambda c: (hits[c], -LANGUAGES.index(c)))
    return best if hits[best] >= _MIN_SHARE * len(words) else None
