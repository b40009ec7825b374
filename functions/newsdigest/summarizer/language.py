"""Stop-word lists (package data) and a cheap language guess from stop-word hits."""

from __future__ import annotations

import os
import re
from functools import lru_cache

_STOPWORDS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stopwords")
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl")
_WORD = re.compile(r"[^\W\d_]+")
# A guess needs this many words and this share of them in the winning list.
_MIN_WORDS = 20
_MIN_SHARE = 0.15
_SURELY_ENGLISH = 0.25  # other languages' texts never get near this share of English stop words


@lru_cache(maxsize=len(LANGUAGES) + 1)
def stopwords(language: str | None) -> frozenset[str]:
    """The stop words of ``language`` ("en", "de-AT", ...); empty when no list ships for it."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    if code not in LANGUAGES:
        return frozenset()
    # package data next to this module (a plain path: importlib.resources would cost ~10 ms of import)
    with open(os.path.join(_STOPWORDS_DIR, f"{code}.txt"), encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def detect_language(text: str, sample_chars: int = 800) -> str | None:
    """The shipped language whose stop words cover most of a sample of ``text``; None when unsure."""
    return detect_language_of_words(_WORD.findall(text[:sample_chars]))


def detect_language_of_words(words: list[str], sample: int = 200) -> str | None:
    """``detect_language`` for text already cut into words (the first ``sample`` are looked at; capitalised
    or punctuated stop words just miss, which costs little against the thresholds)."""
    if len(words) < _MIN_WORDS:
        return None
    head = words[:sample]
    n = len(head)
    # Most articles are English: no need to try the other lists, nor usually to count the whole sample
    # (the count only grows: once it reaches the threshold the answer is known). Each count runs in C.
    english = stopwords("en").__contains__
    need = _SURELY_ENGLISH * n
    english_hits = 0
    for at in range(0, n, 50):
        english_hits += sum(map(english, map(str.lower, head[at : at + 50])))
        if english_hits >= need:
            return "en"
    lowered = list(map(str.lower, head))  # words hold no whitespace
    hits = {code: sum(map(stopwords(code).__contains__, lowered)) for code in LANGUAGES}
    best = max(LANGUAGES, key=lambda c: (hits[c], -LANGUAGES.index(c)))
    return best if hits[best] >= _MIN_SHARE * n else None
