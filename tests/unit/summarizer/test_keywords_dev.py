"""Keywords over every development article: no stop words, contractions or bare verbs of saying.

Reads the shared eval files (never copied into the repo); skipped where they are not laid out."""

import json
import os
import re
from pathlib import Path

import pytest
from newsdigest.summarizer import summarize
from newsdigest.summarizer.language import stopwords


def _eval_dir() -> Path | None:
    here = Path(__file__).resolve()
    candidates = [os.environ.get("NEWSDIGEST_EVAL_DIR")] + [
        str(parent / "shared" / "eval") for parent in here.parents
    ]
    for candidate in candidates:
        if candidate and (Path(candidate) / "cnndm_dev.jsonl").is_file():
            return Path(candidate)
    return None


EVAL_DIR = _eval_dir()
pytestmark = pytest.mark.skipif(EVAL_DIR is None, reason="the shared eval files are not laid out here")

CONTRACTION = re.compile(r"(?i)\w(?:n['’]t|['’](?:m|re|ve|ll|d|s))$")
_SAYING = """say says said saying tell tells told telling ask asks asked add adds added adding explain
    explains explained stated noted claimed announced insisted replied commented revealed admitted warned
    urged according"""
SAYING = frozenset(_SAYING.split())


def _articles():
    for name in ("cnndm_dev.jsonl", "xsum_dev.jsonl", "bbc_dev.jsonl", "headings_dev.jsonl"):
        with (EVAL_DIR / name).open(encoding="utf-8") as fh:  # type: ignore[operator]
            for line in fh:
                row = json.loads(line)
                if "plain" in row:
                    for form, fmt in (("plain", "text"), ("markdown", "markdown"), ("html", "html")):
                        yield f"{name}:{row['id']}:{form}", row[form], fmt, row.get("title")
                else:
                    yield f"{name}:{row['id']}", row["text"], "text", row.get("title")


def test_keywords_of_every_dev_article_hold_no_stop_word_contraction_or_verb_of_saying():
    bad = []
    articles = 0
    with_keywords = 0
    for where, body, fmt, title in _articles():
        summary = summarize(body, fmt, title=title or None)
        articles += 1
        with_keywords += bool(summary.keywords)
        stop = stopwords(summary.language) | stopwords("en")
        for keyword in summary.keywords:
            for word in keyword.split():
                low = word.lower().replace("’", "'")
                if low in stop or CONTRACTION.search(word) or low in SAYING:
                    bad.append((where, keyword))
    assert articles > 1500  # every file was read
    assert with_keywords > 0.95 * articles
    assert not bad, bad[:20]
