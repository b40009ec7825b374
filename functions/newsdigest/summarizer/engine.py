"""The extractive summarizer: score sentences, pick a digest, a gist per section and keywords.

A sentence's score combines a position prior (news puts the point first), its similarity to the article's
centroid (each term weighted by how many sentences use it: what the article keeps talking about), its
overlap with the title (terms weighted by inverse sentence frequency), a length prior, and penalties for
quotes, captions and page boilerplate. The digest takes the best sentences that fit a word budget and are
not near-duplicates, in article order. Everything is linear in the number of sentences except one sort
(n log n); no sentence is ever compared with all the others.
"""

from __future__ import annotations

import heapq
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, repeat
from operator import mul

from newsdigest.summarizer.cjk import has_cjk as cjk_has_cjk
from newsdigest.summarizer.cjk import keywords as cjk_keywords
from newsdigest.summarizer.cjk import runs as cjk_runs
from newsdigest.summarizer.cjk import terms as cjk_terms
from newsdigest.summarizer.language import (
    CJK,
    base_language,
    cjk_language,
    detect_language_of_words,
    reading_minutes,
)
from newsdigest.summarizer.model import Format, OutlineEntry, Span, Summary
from newsdigest.summarizer.sections import layout
from newsdigest.summarizer.sentences import sentence_offsets
from newsdigest.summarizer.terms import TRIM, Terms, stem, terms_for, trimmed_words


def _word_set(words: str) -> frozenset[str]:
    """A set of words written as one string (long word lists read better that way)."""
    return frozenset(words.split())


MIN_SENTENCES = 3
_LANGUAGE_SAMPLE = 200  # tokens looked at to guess the language
_CJK_SAMPLE = 400  # characters of the first paragraph looked at for Chinese, Japanese or Korean
KEYWORDS = 6
NAME_BOOST = 1.5  # a keyword spelled with a capital (a name) counts this much more
# Digest word budget per sentence asked for: keeps a digest about as long as the lead it competes with.
WORDS_PER_DIGEST_SENTENCE = 27
# When > 0, the budget is instead this share of the words of the article's first k sentences (its lead):
# a digest then never runs longer than the lead it competes with, however long the article's sentences.
LEAD_BUDGET = 1.0
ONE_SENTENCE_WORDS = 45
MAX_SINGLE_SENTENCE_WORDS = 55
MIN_DIGEST_SENTENCE_WORDS = 6
NEAR_DUPLICATE = 0.55  # cosine above which two sentences say the same thing

# Score weights (see _score).
W_POSITION = 5.0
W_POSITION_ONE = 0.1  # one-sentence mode: the sentence stands for the whole article, centrality leads
W_TITLE = 0.5
POSITION_HALF_LIFE = 8.0
LENGTH_EXPONENT = 0.7
CENTROID_MIN_SF = 2


# Page furniture and wire boilerplate, looked for in the lower-cased sentence (plain substring tests are
# several times cheaper than one regular expression with as many alternatives).
_BOILERPLATE = (
    "click here",
    "scroll down",
    "follow us",
    "follow @",
    "read more",
    "sign up",
    "subscribe",
    "copyright",
    "all rights reserved",
    "share this",
    "last updated",
    "published:",
    "updated:",
    "getty images",
    "e-mail us",
    "email us",
    "newsletter",
    "for confidential support",
    "this article",
)
_PHONE = re.compile(r"\bcall \d")
_BOILERPLATE_START = re.compile(r"\W*(?:by \.|photo\b|image\b|video\b|watch\b)")
_CLOSERS = "\"'”’)]» "
_OPEN_QUOTES = "\"“‘'«"
# First-person words as tokens appear in text: bare or with trailing punctuation ("us," "me.").
_FIRST_PERSON = frozenset(
    word + tail
    for word in _word_set("I I'm I’m I've I’ve I'd I’d me my we We our Our us")
    for tail in ("", ",", ".", ";", ":", "!", "?", '"', "”", "’", "'")
)
_OPENER_CAPS = _word_set("The He She They His Her It This")
_FUSED_CAPTION = re.compile(r"\b[a-z]+[’']? (?:The|He|She|They|His|Her|It|This) [a-z]")
QUOTE_PENALTY = 0.85
LONG_SENTENCE = 40
LONG_EXPONENT = 1.0
FUSED_PENALTY = 0.7


def summarize(
    body: str,
    fmt: Format = "text",
    *,
    title: str | None = None,
    language: str | None = None,
    max_sentences: int = 3,
) -> Summary:
    """Summarize one article; see the package docstring for the contract."""
    lay = layout(body or "", fmt, title)
    doc = lay.document
    text = doc.text

    art = _sentences(text, lay.prose, [s.start for s in doc.sections], language)
    lang = art.language
    if art.cjk:
        words_total = len(text.split())
        reading = reading_minutes(text, lang)
    else:
        words_total = _word_count(text, lay.prose, art.lengths)
        reading = reading_minutes(text, lang, words_total)
    n = len(art.texts)
    if n < MIN_SENTENCES:
        return Summary(status="too_short", reading_time_minutes=reading, language=lang)

    k = max(1, max_sentences)
    title_terms = {t for t in map(art.to_term.__getitem__, trimmed_words(title or "")) if t}
    if art.cjk:
        title_terms |= cjk_terms(title or "", lang)
    sentence_freq, centroid = _score(art, title_terms, k)
    if art.cjk:
        keywords = cjk_keywords(art.texts, title, lang, KEYWORDS)
    else:
        keywords = _keywords(art, sentence_freq, centroid, title_terms)
    return Summary(
        status="ready",
        digest=tuple(map(art.span, _select(art, k))),
        outline=tuple(_outline(doc.sections, art)),
        keywords=keywords,
        reading_time_minutes=reading,
        language=lang,
        extra={"sentences": n, "words": words_total},
    )


def _word_count(text: str, prose: tuple[tuple[int, int], ...], sentence_lengths: list[int]) -> int:
    """``len(text.split())``, without splitting the prose again: its sentences cover every token of the
    prose paragraphs, each token once, since sentences and paragraphs end at whitespace (except after a
    CJK end mark, where the long way is taken)."""
    if "。" in text or "！" in text or "？" in text:
        return len(text.split())
    count = sum(sentence_lengths)
    pos = 0
    for a, b in prose:
        if a < pos:
            return len(text.split())  # never happens: paragraphs come in order
        if a > pos:
            count += len(text[pos:a].split())
        pos = b
    return count + len(text[pos:].split())


@dataclass(slots=True)
class _Article:
    """An article's prose sentences as parallel lists indexed by sentence number (article order): no
    object per sentence."""

    text: str
    offsets: list[tuple[int, int]]  # (start, end) of each sentence in text
    sections: list[int]  # the section each sentence is in
    texts: list[str]
    words: list[list[str]]  # each sentence's whitespace-separated tokens, as written
    lengths: list[int]  # number of words
    terms: list[set[str]]  # index terms (binary: terms rarely repeat in a sentence)
    all_words: list[str]  # every token of the sentences, in article order
    all_terms: list[str | None]  # and its term
    language: str | None
    to_term: Terms
    cjk: bool  # Chinese, Japanese or Korean: terms are character bigrams
    raw: list[float] = field(default_factory=list)  # score before the shape factor
    final: list[float | None] = field(default_factory=list)  # final score, computed on demand

    def span(self, i: int) -> Span:
        start, end = self.offsets[i]
        return Span(self.texts[i], start, end)


def _sentences(
    text: str, prose: tuple[tuple[int, int], ...], section_starts: list[int], language: str | None
) -> _Article:
    """The prose sentences with their tokens and index terms, and the language (the given one, or a
    guess from the words)."""
    # Every step per token runs in C (str.split, map over the memo, set); Python code only runs once
    # per sentence, and once per token never seen before.
    offsets: list[tuple[int, int]] = []
    sections: list[int] = []
    sec = 0
    last = len(section_starts) - 1
    for a, b in prose:
        while sec < last and a >= section_starts[sec + 1]:
            sec += 1
        found = sentence_offsets(text, a, b)
        offsets += found
        sections += repeat(sec, len(found))
    texts = [text[s:e] for s, e in offsets]
    words = list(map(str.split, texts))
    lengths = list(map(len, words))
    all_words = list(chain.from_iterable(words))
    sample = text[prose[0][0] : prose[0][0] + _CJK_SAMPLE] if prose else ""
    lang = language or cjk_language(sample) or detect_language_of_words(all_words, _LANGUAGE_SAMPLE)
    is_cjk = base_language(lang) in CJK or (language is not None and cjk_language(sample) is not None)
    to_term = terms_for(lang)
    all_terms = list(map(to_term.__getitem__, all_words))  # looked up in C: this is the hot loop
    ends = list(accumulate(lengths))
    with_none = list(map(set, map(all_terms.__getitem__, map(slice, [0, *ends], ends))))
    for t in with_none:
        t.discard(None)
    terms: list[set[str]] = with_none  # type: ignore[assignment]  # None is gone
    if is_cjk:
        _cjk_terms(texts, words, lengths, terms, lang)
    return _Article(
        text, offsets, sections, texts, words, lengths, terms, all_words, all_terms, lang, to_term, is_cjk
    )


def _cjk_terms(
    texts: list[str], words: list[list[str]], lengths: list[int], terms: list[set[str]], lang: str | None
) -> None:
    """Chinese, Japanese, Korean: each sentence's terms are its runs' character bigrams plus the terms
    of its other tokens (Latin names, acronyms), and its length counts about two characters a word."""
    for i, sentence in enumerate(texts):
        if not cjk_has_cjk(sentence):
            continue
        terms[i] = {t for t in terms[i] if not cjk_has_cjk(t)} | cjk_terms(sentence, lang)
        if base_language(lang) != "ko":  # Korean puts spaces between words: its token count holds
            chars = sum(map(len, cjk_runs(sentence, lang)))
            lengths[i] = max(1, (chars + 1) // 2 + sum(not cjk_has_cjk(w) for w in words[i]))


def _score(art: _Article, title_terms: set[str], k: int) -> tuple[Counter[str], dict[str, int]]:
    """Set each sentence's ``raw`` score (the shape factor, <= 1, is applied lazily by ``_final``);
    returns each term's sentence frequency, and the centroid (the terms used by two sentences or more)."""
    termsets = art.terms
    n = len(termsets)
    sf = Counter(chain.from_iterable(termsets))  # sentence frequency
    # Centroid: terms that recur across sentences, weighted by how many sentences they span.
    centroid = dict(compress(sf.items(), map((CENTROID_MIN_SF - 1).__lt__, sf.values())))
    weights = list(centroid.values())
    c_norm = math.sqrt(sum(map(mul, weights, weights))) or 1.0
    centroid_get = centroid.get
    isf = {t: math.log(1 + n / sf[t]) if t in sf else math.log(1 + n) for t in title_terms}
    t_norm = math.sqrt(sum(v * v for v in isf.values())) or 1.0
    isf_squared = {t: v**2 for t, v in isf.items()}
    w_position = W_POSITION if k > 1 else W_POSITION_ONE
    exponent = LENGTH_EXPONENT / 2
    sqrt = math.sqrt
    raw = []
    for index, terms in enumerate(termsets):
        dot = sum(map(centroid_get, terms, repeat(0)))
        size = len(terms) or 1
        # a softened length normalisation: longer sentences may cover more, but not without limit
        centrality = dot / (size**exponent * c_norm)
        score = w_position * (1.0 / (1.0 + index / POSITION_HALF_LIFE)) + centrality
        if isf and not title_terms.isdisjoint(terms):  # else title_sim is 0.0: adding 0.0 changes nothing
            title_sim = sum(map(isf_squared.__getitem__, title_terms & terms)) / (sqrt(size) * t_norm)
            score += W_TITLE * title_sim
        raw.append(score)
    art.raw = raw
    art.final = [None] * n
    return sf, centroid


def _final(art: _Article, i: int) -> float:
    score = art.final[i]
    if score is None:
        score = art.final[i] = art.raw[i] * _shape_factor(art.texts[i], art.words[i], art.lengths[i])
    return score


def _ranked(art: _Article, candidates: list[int]) -> Iterator[int]:
    """Sentences by descending final score (ties: article order). The final score never exceeds the raw
    one, so shape factors are only computed for sentences that might still come next."""
    raw = art.raw
    order = sorted(candidates, key=raw.__getitem__, reverse=True)  # stable: ties stay in article order
    heap: list[tuple[float, int]] = []
    i = 0
    while True:
        while i < len(order) and (not heap or -heap[0][0] <= raw[order[i]]):
            s = order[i]
            heapq.heappush(heap, (-_final(art, s), s))
            i += 1
        if not heap:
            return
        yield heapq.heappop(heap)[1]


def _length_factor(n: int) -> float:
    """The shape factor's length prior; its other factors only lower it."""
    if n < 6:
        return 0.3
    if n < 10:
        return 0.75
    if n > LONG_SENTENCE:
        return (LONG_SENTENCE / n) ** LONG_EXPONENT
    return 1.0


def _shape_factor(text: str, words: list[str], n: int) -> float:
    """Length prior and penalties for text that is rarely a good summary sentence."""
    low = text.lower()
    if (
        any(map(low.__contains__, _BOILERPLATE))
        or _BOILERPLATE_START.match(low)
        or ("call " in low and _PHONE.search(low))
    ):
        return 0.05
    factor = _length_factor(n)  # >= 0.3: the 0.05 above is lower, as _ranked and _outline assume
    bare = text.rstrip(_CLOSERS)
    if not bare or bare[-1] not in ".!?…":
        factor *= 0.6  # a caption, label or list fragment
    if text[0] in _OPEN_QUOTES or bare != text.rstrip() or not _FIRST_PERSON.isdisjoint(words):
        factor *= QUOTE_PENALTY  # quoted speech: colour, rarely the news itself
    if not _OPENER_CAPS.isdisjoint(words[1:]) and _FUSED_CAPTION.search(text):
        factor *= FUSED_PENALTY  # a photo caption run into the next sentence (no end mark between them)
    if bare.endswith("?"):
        factor *= 0.7
    return factor


def _cosine(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _select(art: _Article, k: int) -> list[int]:
    lengths = art.lengths
    if k == 1:
        budget = ONE_SENTENCE_WORDS
    elif LEAD_BUDGET > 0:
        budget = max(MIN_DIGEST_SENTENCE_WORDS * k, round(LEAD_BUDGET * sum(lengths[:k])))
    else:
        budget = WORDS_PER_DIGEST_SENTENCE * k
    cap = min(MAX_SINGLE_SENTENCE_WORDS, budget)
    termsets = art.terms
    chosen: list[int] = []
    used = 0
    for s in _ranked(art, list(compress(range(len(lengths)), map(cap.__ge__, lengths)))):
        if len(chosen) >= k or budget - used < MIN_DIGEST_SENTENCE_WORDS:
            break
        length = lengths[s]
        if length > MAX_SINGLE_SENTENCE_WORDS or used + length > budget:
            continue
        terms = termsets[s]
        if any(_cosine(terms, termsets[c]) > NEAR_DUPLICATE for c in chosen):
            continue
        chosen.append(s)
        used += length
    if not chosen:
        chosen = [min(range(len(lengths)), key=lengths.__getitem__)]  # the first of the shortest
    return sorted(chosen)


def _outline(sections, art: _Article) -> list[OutlineEntry]:
    outline = []
    raw, lengths, final, of_section = art.raw, art.lengths, art.final, art.sections
    for i, section in enumerate(sections):
        # a section's sentences are a run of article order (sections never decrease)
        start = bisect_left(of_section, i)
        members = range(start, bisect_right(of_section, i, start))
        gist = None
        if members:
            # within a section, its opening sentences carry the point; centrality breaks the tie
            # (the best of the first five by final score / distance from the first; a tie goes to the
            # earlier one, so a sentence whose upper bound cannot beat the best so far is passed over)
            first = members[0]
            best, best_value = first, _final(art, first)  # / 1.0
            for s in members[1:5]:
                scale = 1.0 + 0.3 * (s - first)
                if final[s] is None and raw[s] * _length_factor(lengths[s]) / scale <= best_value:
                    continue
                value = _final(art, s) / scale
                if value > best_value:
                    best, best_value = s, value
            gist = art.span(best)
        outline.append(OutlineEntry(section.heading, gist))
    return outline


# Verbs of saying (a keyword names what the article is about, not how it is reported) and generic words
# that recur in any article; both as English index terms.
SAYING_VERBS = _word_set(
    """say says said saying tell tells told telling ask asks asked asking add adds added adding explain
    explains explained explaining stated noted claimed announced insisted replied commented revealed
    admitted warned urged described suggested argued according reportedly"""
)
_SAYING_TERMS = frozenset(map(stem, SAYING_VERBS))
_GENERIC_TERMS = frozenset(
    map(
        stem,
        _word_set(
            """need needs needed mind look looks looking want wants wanted make makes made making take takes
        took taking get gets got getting go goes going went come comes came coming think thinks thought
        know knows knew use uses used using way ways thing things lot lots time times year years day days
        week weeks month months best good better great first last next new old big small different top end
        start started set help feel try tried found keep put give gave part kind sort whole number place
        point today little long able sure likely possible real right left hard high low"""
        ),
    )
)


def _keywords(
    art: _Article, counts: Counter[str], centroid: dict[str, int], title_terms: set[str]
) -> tuple[str, ...]:
    """The article's most salient content words, spelled as the article most often spells them: how many
    sentences use them, boosted for words of the title and the lead."""
    # Score: sentence frequency, x1.5 in the lead, x2 in the title; kept doubled, in integers (exact).
    candidates = list(compress(centroid, map((2).__lt__, map(len, centroid))))  # used twice, 3+ letters
    candidates.extend(t for t in title_terms.difference(candidates) if len(t) > 2)
    score = dict(zip(candidates, map(mul, map(counts.__getitem__, candidates), repeat(-2)), strict=True))
    for t in _SAYING_TERMS.intersection(score):
        del score[t]
    for t in set().union(*art.terms[:3]).intersection(score):
        score[t] = score[t] * 3 // 2
    for t in title_terms.intersection(score):
        score[t] *= 2
    for t in _GENERIC_TERMS.intersection(score):
        score[t] = -(-score[t] // 3)  # a third: a generic word is only a keyword when little else recurs
    best = sorted(zip(score.values(), score, strict=True))[: 2 * KEYWORDS]
    top = {t for _, t in best}
    words, terms = art.all_words, art.all_terms
    # where the top terms' tokens are (a few dozen), picked out in C
    positions = list(compress(range(len(terms)), map(top.__contains__, terms)))
    # each top term's spellings: its tokens counted as written, then trimmed (fewer distinct tokens
    # than tokens; different tokens can trim to one spelling)
    to_term = art.to_term
    forms: dict[str, dict[str, int]] = {}
    for token, c in Counter(map(words.__getitem__, positions)).items():
        spelled = forms.setdefault(to_term[token], {})  # type: ignore[arg-type]  # top holds no None
        word = token.strip(TRIM)
        spelled[word] = spelled.get(word, 0) + c
    spelled_as: list[tuple[float, int, str, str]] = []
    for rank, (value, term) in enumerate(best):
        if term not in forms:
            continue
        spelled = forms[term]
        if len(spelled) == 1:
            form = next(iter(spelled))
        else:
            # the commonest spelling; lower case wins a tie (sentence-initial capitals are not names)
            form = max(spelled.items(), key=lambda kv: (kv[1], kv[0].islower(), kv[0]))[0]
        form = (form[:-2] if form.endswith(("'s", "’s")) else form).strip("'’-")
        if form.isupper() and len(form) > 5:
            form = form.lower()
        # names (written with a capital, mostly mid-sentence) say more of what an article is about
        spelled_as.append((value * NAME_BOOST if form[:1].isupper() else value, rank, term, form))
    spelled_as.sort()
    out: list[str] = []
    seen: set[str] = set()
    chosen: dict[str, str] = {}  # term -> its spelling in `out`
    for _, _, term, form in spelled_as:
        low = form.lower()
        if not form or low in seen:
            continue
        seen.add(low)
        out.append(form)
        chosen[term] = form
        if len(out) == KEYWORDS + 2:
            break
    return tuple(_join_names(out, chosen, words, terms, positions)[:KEYWORDS])


def _join_names(
    out: list[str], chosen: dict[str, str], words: list[str], terms: list[str | None], positions: list[int]
) -> list[str]:
    """Two capitalised keywords that the article writes side by side, twice or more, are one name:
    "Whole Foods". Only positions where both tokens are keyword tokens are looked at."""
    capitalised = {t for t, form in chosen.items() if form[:1].isupper()}
    if len(capitalised) < 2:
        return out  # a join needs two capitalised keywords
    # only tokens of those can be joined; their positions in a row (a handful)
    positions = [i for i in positions if terms[i] in capitalised]
    at = set(positions)
    adjacent = [i for i in positions if i + 1 in at]
    if not adjacent:
        return out
    pairs = Counter(
        (terms[i], terms[i + 1])
        for i in adjacent
        if words[i][-1].isalnum() and words[i][:1].isupper() and words[i + 1][:1].isupper()
    )
    for (ta, tb), c in pairs.items():
        a, b = chosen.get(ta), chosen.get(tb)  # type: ignore[arg-type]
        if c >= 2 and a and b and a != b and a in out and b in out and a[:1].isupper() and b[:1].isupper():
            out = [f"{a} {b}" if w == a else w for w in out if w != b]
    return out
