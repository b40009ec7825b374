"""Tokens and index terms: how the engine cuts text into words and maps each word to the term it counts.

A word is a whitespace-separated token with punctuation trimmed from its ends; its index term is the
word lower-cased and lightly stemmed (English), or None for stop words, numbers and bare punctuation.
The token -> term map is memoised per language (news vocabulary repeats from article to article).
"""

from __future__ import annotations

import re

from newsdigest.summarizer.language import base_language, stopwords

# Words are whitespace-separated tokens with punctuation trimmed from their ends: str.split is several
# times faster than a regular expression here, and keeps "U.S", "don't" and "well-known" whole.
TRIM = "\"'“”‘’«»„()[]{}<>.,;:!?…—–-*#|/\\`~@%^&+=_$€£"


def trimmed_words(text: str) -> list[str]:
    return [w for w in (t.strip(TRIM) for t in text.split()) if w]


_DIGIT = re.compile(r"\d")
_CONTRACTED = frozenset(("t", "m", "re", "ve", "ll", "d"))
_ELIDED = frozenset(
    ("l", "d", "j", "n", "s", "c", "m", "t", "qu", "jusqu", "lorsqu", "puisqu", "dell", "all")
)
_CACHE_LIMIT = 200_000


class Terms(dict[str, str | None]):
    """Maps a token as written (punctuation and all: "said," or "(CNN)") to its index term: trimmed,
    lower-cased, stemmed (English); None for stop words, numbers and bare punctuation.

    Memoised per language, since news vocabulary repeats from article to article. A token never seen
    before is worked out by ``__missing__``, so lookups run in C (``map(terms.__getitem__, tokens)``)
    and Python code only runs for new tokens; spellings of one word ("Storm," "storm.") share the work
    through a second memo keyed by the trimmed, lower-cased word. (Filing every likely spelling up front
    was tried: the bigger dict made all lookups slower than the misses it saved.)"""

    __slots__ = ("by_word", "english", "stop")

    def __init__(self, language: str | None) -> None:
        super().__init__()
        self.stop = stopwords(language)
        self.english = base_language(language) in ("", "en")
        self.by_word: dict[str, str | None] = {}  # trimmed, lower-cased word -> term

    def __missing__(self, token: str) -> str | None:
        w = token.strip(TRIM).lower().strip("'’-")
        by_word = self.by_word
        term: str | None
        if w in by_word:
            term = by_word[w]
        elif not w or w in self.stop or (len(w) < 2 and w.isascii()):
            term = by_word[w] = None
        elif not w.isalpha() and _DIGIT.search(w):
            term = by_word[w] = None  # numbers, dates, scores: facts, but not what an article is about
        elif "'" in w or "’" in w:
            term = by_word[w] = self._apostrophe(w)
        else:
            term = by_word[w] = stem(w) if self.english else w
        self[token] = term
        return term

    def _apostrophe(self, w: str) -> str | None:
        """Contractions ("don't", "I’m", "we're") are grammar: no term; a possessive is its owner; an
        elided article or preposition ("l'homme", "dell'anno") is left off outside English."""
        head, _, tail = w.replace("’", "'").rpartition("'")
        if tail in _CONTRACTED:
            return None
        if tail == "s":
            return None if head in self.stop or len(head) < 2 else (stem(head) if self.english else head)
        if not self.english and head in _ELIDED:
            return None if tail in self.stop or len(tail) < 2 else tail
        return stem(w) if self.english else w


def stem(w: str) -> str:
    """A light English suffix stripper: enough to match plurals and tenses, never a dictionary."""
    last = w[-1]
    if last == "s":
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        elif len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        last = w[-1:]
    if last == "g":
        if len(w) > 5 and w.endswith("ing"):
            w = w[:-3]
    elif last == "d":
        if len(w) > 4 and w.endswith("ed"):
            w = w[:-2]
    elif last == "y" and len(w) > 5 and w.endswith("ly"):
        w = w[:-2]
    if len(w) > 4 and w[-1] == "e":
        w = w[:-1]  # "divorce" and "divorced" meet at "divorc"
    return w


_TERMS: dict[str | None, Terms] = {}


def terms_for(language: str | None) -> Terms:
    terms = _TERMS.get(language)
    if terms is None:
        terms = _TERMS[language] = Terms(language)
    elif len(terms) > _CACHE_LIMIT:
        # bounded memory in a long-lived process (checked once per article, not once per new token:
        # the memo may pass the limit by one article's tokens)
        terms.clear()
        terms.by_word.clear()
    return terms
