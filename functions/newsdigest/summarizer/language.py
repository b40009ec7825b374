"""Stop-word lists (package data), a cheap language guess (the script for Chinese, Japanese and Korean,
stop-word hits for the others) and reading time."""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache

_STOPWORDS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stopwords")
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "pl", "sv", "tr", "ar")
# Languages written without spaces between words (Korean has spaces, but its words carry particles):
# their terms and keywords come from character n-grams, their reading time from characters.
CJK = ("zh", "ja", "ko")
_WORD = re.compile(r"[^\W\d_]+")
# A guess needs this many words and this share of them in the winning list.
_MIN_WORDS = 20
_MIN_SHARE = 0.15
_SURELY_ENGLISH = 0.25  # other languages' texts never get near this share of English stop words


def base_language(language: str | None) -> str:
    """ "de" for "de-AT" or "de_AT"; "" for None."""
    return (language or "").split("-")[0].split("_")[0].lower()


@lru_cache(maxsize=len(LANGUAGES) + len(CJK) + 1)
def stopwords(language: str | None) -> frozenset[str]:
    """The stop words of ``language`` ("en", "de-AT", ...); empty when no list ships for it."""
    code = base_language(language)
    if code not in LANGUAGES and code not in CJK:
        return frozenset()
    # package data next to this module (a plain path: importlib.resources would cost ~10 ms of import)
    with open(os.path.join(_STOPWORDS_DIR, f"{code}.txt"), encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def detect_language(text: str, sample_chars: int = 800) -> str | None:
    """The shipped language whose stop words cover most of a sample of ``text``; None when unsure."""
    return cjk_language(text[:sample_chars]) or detect_language_of_words(_WORD.findall(text[:sample_chars]))


# Han (with extension A and compatibility ideographs), kana, Hangul syllables.
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_OTHER_WORD = re.compile(r"\S*[^\W_]\S*")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_CJK_SHARE = 0.3  # of the letters: enough to call a text Chinese, Japanese or Korean


def cjk_language(sample: str) -> str | None:
    """ "ja" (kana), "ko" (Hangul) or "zh" (Han only) when that script makes up a good share of the
    sample's letters; None otherwise. Cheap: a text without any such character costs one search."""
    if not sample or not _CJK_CHAR.search(sample):
        return None
    han, kana, hangul = (len(p.findall(sample)) for p in (_HAN, _KANA, _HANGUL))
    letters = sum(1 for ch in sample if ch.isalpha())
    if han + kana + hangul < _CJK_SHARE * letters:
        return None
    if hangul >= max(han, kana):
        return "ko"
    return "ja" if kana else "zh"


# Reading speeds. Words per minute for alphabetic text; characters per minute for CJK (Chinese 255 and
# Japanese 357 characters a minute: Trauzettel-Klosinski et al., IReST, 2012; Korean has no IReST figure:
# about 200 eojeol (space-separated words) a minute at 2.5 syllables each).
WORDS_PER_MINUTE = 230
CHARACTERS_PER_MINUTE = {"zh": 255, "ja": 357, "ko": 500}


def reading_minutes(text: str, language: str | None = None, words: int | None = None) -> int:
    """Whole minutes to read ``text`` (0 for no text, else at least 1). CJK characters count at the
    language's characters per minute (Chinese when the language is not one of the three), every other
    word at ``WORDS_PER_MINUTE``. ``words``, when given, says the text is not CJK and holds that many
    words (saving a pass over it)."""
    if words is None and (base_language(language) in CJK or _CJK_CHAR.search(text)):
        cjk = len(_CJK_CHAR.findall(text))
        per_minute = CHARACTERS_PER_MINUTE.get(base_language(language), CHARACTERS_PER_MINUTE["zh"])
        other = len(_OTHER_WORD.findall(_CJK_CHAR.sub(" ", text)))  # Latin names, numbers
        minutes = cjk / per_minute + other / WORDS_PER_MINUTE
    else:
        minutes = (len(text.split()) if words is None else words) / WORDS_PER_MINUTE
    return max(1, math.ceil(minutes)) if minutes else 0


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
