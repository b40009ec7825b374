"""The extractive summarizer: score sentences, pick a digest, a gist per section and keywords.

A sentence's score combines a position prior (news puts the point first), its similarity to the article's
centroid (TF-ISF over sentences: what the article keeps talking about), its overlap with the title, a
length prior, and penalties for quotes, captions and page boilerplate. Everything is linear in the number
of sentences, except sorting them (n log n).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from newsdigest.summarizer.language import detect_language, stopwords
from newsdigest.summarizer.model import Format, OutlineEntry, Span, Summary
from newsdigest.summarizer.sections import layout
from newsdigest.summarizer.sentences import split_sentences

MIN_SENTENCES = 3
WORDS_PER_MINUTE = 230
KEYWORDS = 6
# Digest word budget per sentence asked for: keeps a digest about as long as the lead it competes with.
WORDS_PER_DIGEST_SENTENCE = 27
ONE_SENTENCE_WORDS = 35
MAX_SINGLE_SENTENCE_WORDS = 55
NEAR_DUPLICATE = 0.55  # cosine above which two sentences say the same thing

# Score weights (see _score).
W_POSITION = 5.0
W_POSITION_ONE = 0.1  # one-sentence mode: the sentence stands for the whole article, centrality leads
W_TITLE = 0.5
POSITION_HALF_LIFE = 4.0
LENGTH_EXPONENT = 0.7
CENTROID_MIN_SF = 2

_WORD = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
_BOILERPLATE = re.compile(
    r"click here|scroll down|follow (?:us|@)|read more|sign up|subscribe|copyright|all rights reserved|"
    r"share this|last updated|published:|updated:|^\W*by\s+\.|getty images|e-?mail us|newsletter|"
    r"for confidential support|this article|\bcall \d|^\W*(?:photo|image|video|watch)\b:?",
    re.IGNORECASE,
)
_END_MARK = re.compile(r"[.!?…][\"'”’)\]]*$")
_QUOTE_OPEN = re.compile(r"^[\"“‘'«]")
_QUOTE_CLOSE = re.compile(r"[.!?,][\"”’']\s*$")
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I’m|I've|I’ve|me|my|we|We|our|Our|us)\b")
_FUSED_CAPTION = re.compile(r"\b[a-z]+[’']? (?:The|He|She|They|His|Her|It|This) [a-z]")
QUOTE_PENALTY = 0.85
LONG_SENTENCE = 40
LONG_EXPONENT = 1.0
FUSED_PENALTY = 0.7


@dataclass(slots=True)
class _Sentence:
    span: Span
    section: int
    index: int
    words: int
    terms: Counter[str]
    score: float = 0.0
    norm: float = 0.0


def _stemmer(language: str | None):
    if language not in (None, "en"):
        return lambda w: w
    cache: dict[str, str] = {}

    def stem(word: str) -> str:
        hit = cache.get(word)
        if hit is not None:
            return hit
        w = word
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        if len(w) > 5 and w.endswith("ing"):
            w = w[:-3]
        elif len(w) > 4 and w.endswith("ed"):
            w = w[:-2]
        elif len(w) > 5 and w.endswith("ly"):
            w = w[:-2]
        cache[word] = w
        return w

    return stem


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
    lang = language or detect_language(text)
    stop = stopwords(lang)
    stem = _stemmer(lang)

    words_total = len(_WORD.findall(text))
    reading = max(1, math.ceil(words_total / WORDS_PER_MINUTE)) if words_total else 0

    sentences = _sentences(text, lay.prose, [(s.start, s.end) for s in doc.sections], stop, stem)
    if len(sentences) < MIN_SENTENCES:
        return Summary(status="too_short", reading_time_minutes=reading, language=lang)

    title_terms = Counter(stem(w) for w in _tokens(title or "", stop))
    _score(sentences, title_terms, max(1, max_sentences))
    digest = _select(sentences, max(1, max_sentences))
    outline = _outline(doc.sections, sentences)
    keywords = _keywords(text, sentences, title or "", stop, stem)
    return Summary(
        status="ready",
        digest=tuple(s.span for s in digest),
        outline=tuple(outline),
        keywords=keywords,
        reading_time_minutes=reading,
        language=lang,
    )


def _tokens(text: str, stop: frozenset[str]) -> list[str]:
    return [w for w in (m.lower() for m in _WORD.findall(text)) if w not in stop and not w.isdigit()]


def _sentences(
    text: str,
    prose: tuple[tuple[int, int], ...],
    sections: list[tuple[int, int]],
    stop: frozenset[str],
    stem,
) -> list[_Sentence]:
    out: list[_Sentence] = []
    sec = 0
    for a, b in prose:
        while sec + 1 < len(sections) and a >= sections[sec + 1][0]:
            sec += 1
        for span in split_sentences(text, a, b):
            n_words = len(_WORD.findall(span.text))
            if n_words == 0:
                continue
            terms = Counter(stem(w) for w in _tokens(span.text, stop))
            out.append(_Sentence(span, sec, len(out), n_words, terms))
    return out


def _score(sentences: list[_Sentence], title_terms: Counter[str], k: int) -> None:
    n = len(sentences)
    sf: Counter[str] = Counter()
    for s in sentences:
        sf.update(s.terms.keys())
    isf = {t: math.log(1 + n / c) for t, c in sf.items()}
    # Centroid: terms that recur across sentences, weighted by how many sentences they span.
    centroid = {t: float(c) for t, c in sf.items() if c >= CENTROID_MIN_SF}
    c_norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
    t_norm = math.sqrt(sum((isf.get(t, 1.0)) ** 2 for t in title_terms)) or 1.0
    w_position = W_POSITION if k > 1 else W_POSITION_ONE
    for s in sentences:
        vec = {t: 1 + math.log(c) for t, c in s.terms.items()}
        s.norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        # a softened length normalisation: longer sentences may cover more, but not without limit
        centrality = sum(v * centroid.get(t, 0.0) for t, v in vec.items()) / (s.norm**LENGTH_EXPONENT * c_norm)
        title_sim = (
            sum(vec[t] * isf.get(t, 1.0) ** 2 for t in title_terms if t in vec) / (s.norm * t_norm)
            if title_terms
            else 0.0
        )
        position = 1.0 / (1.0 + s.index / POSITION_HALF_LIFE)
        s.score = (w_position * position + centrality + W_TITLE * title_sim) * _shape_factor(s)


def _shape_factor(s: _Sentence) -> float:
    """Length prior and penalties for text that is rarely a good summary sentence."""
    text = s.span.text
    if _BOILERPLATE.search(text):
        return 0.05
    factor = 1.0
    if s.words < 6:
        factor *= 0.3
    elif s.words < 10:
        factor *= 0.75
    elif s.words > LONG_SENTENCE:
        factor *= (LONG_SENTENCE / s.words) ** LONG_EXPONENT
    if not _END_MARK.search(text):
        factor *= 0.6  # a caption, label or list fragment
    if _QUOTE_OPEN.match(text) or _QUOTE_CLOSE.search(text) or _FIRST_PERSON.search(text):
        factor *= QUOTE_PENALTY  # quoted speech: colour, rarely the news itself
    if _FUSED_CAPTION.search(text):
        factor *= FUSED_PENALTY  # a photo caption run into the next sentence (no end mark between them)
    if text.rstrip("\"'”’)").endswith("?"):
        factor *= 0.7
    return factor


def _cosine(a: _Sentence, b: _Sentence) -> float:
    shared = a.terms.keys() & b.terms.keys()
    if not shared:
        return 0.0
    dot = sum(a.terms[t] * b.terms[t] for t in shared)
    na = math.sqrt(sum(v * v for v in a.terms.values()))
    nb = math.sqrt(sum(v * v for v in b.terms.values()))
    return dot / (na * nb)


def _select(sentences: list[_Sentence], k: int) -> list[_Sentence]:
    budget = WORDS_PER_DIGEST_SENTENCE * k if k > 1 else ONE_SENTENCE_WORDS
    ranked = sorted(sentences, key=lambda s: (-s.score, s.index))
    chosen: list[_Sentence] = []
    used = 0
    for s in ranked:
        if len(chosen) >= k:
            break
        if s.words > MAX_SINGLE_SENTENCE_WORDS or used + s.words > budget:
            continue
        if any(_cosine(s, c) > NEAR_DUPLICATE for c in chosen):
            continue
        chosen.append(s)
        used += s.words
    if not chosen:
        chosen = [min(sentences, key=lambda s: (s.words, s.index))]
    return sorted(chosen, key=lambda s: s.index)


def _outline(sections, sentences: list[_Sentence]) -> list[OutlineEntry]:
    by_section: dict[int, list[_Sentence]] = {}
    for s in sentences:
        by_section.setdefault(s.section, []).append(s)
    outline = []
    for i, section in enumerate(sections):
        members = by_section.get(i, [])
        gist = None
        if members:
            # within a section, its opening sentences carry the point; centrality breaks the tie
            best = max(
                members[:5], key=lambda s: (s.score / (1.0 + 0.3 * (s.index - members[0].index)), -s.index)
            )
            gist = best.span
        outline.append(OutlineEntry(section.heading, gist))
    return outline


def _keywords(text: str, sentences: list[_Sentence], title: str, stop, stem) -> tuple[str, ...]:
    """The article's most salient content words, spelled as the article most often spells them."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    lead = {t for s in sentences[:3] for t in s.terms}
    title_stems = {stem(w) for w in _tokens(title, stop)}
    for m in _WORD.finditer(text):
        word = m.group(0).strip("'’-")
        low = word.lower()
        if len(low) < 3 or low in stop or any(ch.isdigit() for ch in low):
            continue
        key = stem(low)
        counts[key] += 1
        forms.setdefault(key, Counter())[word] += 1
    scored = []
    for key, c in counts.items():
        if c < 2 and key not in title_stems:
            continue
        weight = c * (1.5 if key in lead else 1.0) * (2.0 if key in title_stems else 1.0)
        scored.append((-weight, key))
    scored.sort()
    out: list[str] = []
    for _, key in scored[:KEYWORDS]:
        form, _n = max(forms[key].items(), key=lambda kv: (kv[1], kv[0].islower(), kv[0]))
        out.append(form if not form.isupper() or len(form) <= 5 else form.lower())
    return tuple(out)
