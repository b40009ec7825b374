"""The peers we compare with, all given the same offline sentence splitter (nupunkt's bundled Punkt).

NLTK's punkt data cannot be downloaded here, so sumy gets a tokenizer object and newspaper4k's sentence
splitter is replaced by one built on nupunkt (keeping newspaper's own filtering of the sentences).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nupunkt

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['-])*", re.UNICODE)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in nupunkt.sent_tokenize(text) if s.strip()]


def lead(text: str, k: int) -> list[str]:
    return sentences(text)[:k]


class _SumyTokenizer:
    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(_WORD.findall(sentence))


def sumy_summarizer(name: str) -> Callable[[str, int], list[str]]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    cls = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}[name]
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    tokenizer = _SumyTokenizer()

    def run(text: str, k: int) -> list[str]:
        doc = PlaintextParser.from_string(text, tokenizer).document
        return [str(s) for s in summarizer(doc, k)]

    return run


def newspaper_summarizer() -> Callable[[str, int, str], list[str]]:
    from newspaper import nlp

    def split(text: str) -> list[str]:
        return [re.sub(r"[\n ]+", " ", x) for x in sentences(text) if len(x) > 10]

    nlp.split_sentences = split  # the original loads NLTK punkt
    stopwords = nlp.StopWords("en")

    def run(text: str, k: int, title: str) -> list[str]:
        # newspaper4k returns nothing without a title: give it the article's own title, or a slug of its lead
        slug = title or " ".join(text.split()[:8])
        return list(nlp.summarize(title=slug, text=text, stopwords=stopwords, max_sents=k))

    return run
