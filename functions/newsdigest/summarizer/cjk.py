"""Terms and keywords for Chinese, Japanese and Korean, without a dictionary or a segmenter.

Chinese and Japanese put no space between words; Korean does, but glues particles to them. So the text is
cut into runs of content characters (Han, katakana, Hangul; hiragana, mostly grammar, ends a run), a
Korean word loses one trailing particle, and the index terms are the runs' character bigrams. Keywords
are the longest character n-grams that recur across sentences: a word repeats as a whole, while the
bigrams that straddle two words rarely do.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from newsdigest.summarizer.language import base_language, stopwords

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u30a0-\u30ff\uac00-\ud7af]+")
_ANY = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# Chinese function characters: an n-gram holding one of the first kind anywhere, or starting or ending
# with one of the second, is grammar rather than a word.
_FUNCTION_ANYWHERE = frozenset("的了着们是在和与及把被这那我你他她它")
_FUNCTION_EDGE = frozenset("一不也就都而但并又已于很让个对将为从到说等或其之")
# Korean particles and endings, longest first; one is stripped when two syllables or more remain.
_PARTICLE_LIST = """은 는 이 가 을 를 의 에 도 와 과 로 으로 에서 에게 께서 까지
    부터 처럼 보다 만 이나 라고 이라고 이다 였다 했다 하는 하고 하며
    에는 에도 에서는 으로는 과의 와의 들은 들이 들을 들의"""
_PARTICLES = tuple(sorted(set(_PARTICLE_LIST.split()), key=len, reverse=True))
MAX_NGRAM = 4
MAX_WHOLE_RUN = 6  # a run this short may be one word (a katakana loanword, a Korean noun): counted whole
KEYWORDS_MIN_SENTENCES = 2


def has_cjk(text: str) -> bool:
    return _ANY.search(text) is not None


def _strip_particle(run: str) -> str:
    for p in _PARTICLES:
        if run.endswith(p) and len(run) - len(p) >= 2:
            return run[: -len(p)]
    return run


def runs(text: str, language: str | None) -> list[str]:
    """The runs of content characters of ``text`` (Korean ones without their particle)."""
    found = _RUN.findall(text)
    if base_language(language) == "ko":
        found = [_strip_particle(r) for r in found]
    return found


def _grammar(gram: str) -> bool:
    return not _FUNCTION_ANYWHERE.isdisjoint(gram) or gram[0] in _FUNCTION_EDGE or gram[-1] in _FUNCTION_EDGE


def terms(text: str, language: str | None) -> set[str]:
    """The index terms of a CJK sentence: the character bigrams of its runs, grammar left out."""
    out = set()
    stop = stopwords(language)
    for run in runs(text, language):
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if gram not in stop and not _grammar(gram):
                out.add(gram)
    return out


def _grams(run: str) -> set[str]:
    out = {run[i : i + n] for n in range(2, MAX_NGRAM + 1) for i in range(len(run) - n + 1)}
    if 2 <= len(run) <= MAX_WHOLE_RUN:
        out.add(run)
    return out


def keywords(sentences: list[str], title: str | None, language: str | None, limit: int) -> tuple[str, ...]:
    """The article's recurring words: character n-grams used by two sentences or more (or in the title)
    and not only as part of a longer one (an n-gram one character longer used by as many sentences),
    scored by how many sentences use them, x1.5 in the lead, x2 in the title, x1.25 per character past
    two; none sharing a bigram with one already chosen."""
    stop = stopwords(language)
    per_sentence = [set(chain.from_iterable(map(_grams, runs(s, language)))) for s in sentences]
    sf = Counter(chain.from_iterable(per_sentence))
    title_grams = set(chain.from_iterable(map(_grams, runs(title or "", language))))
    lead = set().union(*per_sentence[:3])
    kept = {g: c for g, c in sf.items() if c >= KEYWORDS_MIN_SENTENCES or g in title_grams}
    # an n-gram is not maximal when one of its one-character extensions is used by as many sentences
    covered = set()
    for gram, count in kept.items():
        if len(gram) > 2:
            for part in (gram[1:], gram[:-1]):
                if kept.get(part) == count:
                    covered.add(part)
    scored = []
    for gram, count in kept.items():
        if gram in covered or gram in stop or _grammar(gram):
            continue
        score = count * (1.5 if gram in lead else 1.0) * (2.0 if gram in title_grams else 1.0)
        scored.append((-score * 1.25 ** (len(gram) - 2), gram))
    scored.sort()
    chosen: list[str] = []
    taken: set[str] = set()  # the bigrams of the chosen keywords
    for _, gram in scored:
        bigrams = {gram[i : i + 2] for i in range(len(gram) - 1)}
        if not taken.isdisjoint(bigrams):
            continue
        chosen.append(gram)
        taken |= bigrams
        if len(chosen) == limit:
            break
    return tuple(chosen)
