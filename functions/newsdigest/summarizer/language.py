"""Stop-word lists (package data) and a cheap language guess from stop-word hits."""

from __future__ import annotations

import re
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


def detect_language(text: str, sample_chars: int = 4000) -> str | None:
    """The shipped language whose stop words cover most of a sample of ``text``; None when unsure."""
    words = [w.lower() for w in _WORD.findall(text[:sample_chars])]
    if len(words) < _MIN_WORDS:
        return None
    best, best_hits = None, 0
    for code in LANGUAGES:
        stop = stopwords(code)
        hits = sum(1 for w in words if w in stop)
        if hits > best_hits:
            best, best_hits = code, hits
    return best if best_hits >= _MIN_SHARE * len(words) else None
