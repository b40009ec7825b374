"""`make eval` (extraction part): score ``newsdigest.extraction.extract_page`` on whole web pages, next to
trafilatura measured in the same run, with every data-chosen setting cross-validated.

1. Main text on extraction_dev.jsonl.gz (word 4-shingle P/R/F1 per page, averaged over pages: the metric of
   ../shared/eval/score_extraction.py, which also scores the full-file prediction files written here).
2. Section headings on page_headings_dev.jsonl.gz (micro P/R/F1 over pages with headings, share of
   heading-free pages where any heading is reported: the metric of score_page_headings.py).

One setting serves both jobs: the trafilatura mode (and the retry ratio of ``analyse_page``) and the
``HeadingRules`` thresholds. Cross-validation: the pages of each file go to 5 folds by a hash of their id;
for each fold, the setting is chosen on the other 4 folds of both files (highest text F1 + heading F1 among
settings with headings on at most 5% of heading-free pages) and scored on the held-out fold of both.
Reported: each held-out fold, mean ± standard deviation (min–max), and the full files with the shipped
defaults (extract_page as the service runs it), beside trafilatura.

    .venv/bin/python bench/eval_extraction.py [--out DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newsdigest.extraction import NoArticleText, extract_page
from newsdigest.extraction.headings import HeadingRules, is_article_heading
from newsdigest.extraction.page import (
    DEFAULT_RULES,
    RETRY_RATIO,
    SHORT_WORDS,
    PageAnalysis,
    _render,
    _word_count,
    analyse_page,
    article_of,
)

FOLDS = 5
HERE = Path(__file__).resolve().parent
MAX_FALSE_RATE = 0.05  # headings on at most this share of heading-free pages (the target)
GRID = [
    HeadingRules(max_gap_words=g, min_section_share=s, teaser_links=link, levels=levels, bold=bold)
    for g, s, link, levels, bold in itertools.product(
        (0, 2, 5, 10, 20),
        (0.0, 0.3, 0.5),
        ("internal", "any", "none"),
        (("h2", "h3", "h4"), ("h1", "h2", "h3", "h4"), ("h1", "h2", "h3", "h4", "h5", "h6")),
        (True, False),
    )
]


def eval_path(name: str) -> Path:
    """The shared eval file: $NEWSDIGEST_EVAL_DIR, else ../shared/eval beside the checkout (a git worktree
    under a folder of worktrees looks one level further up)."""
    sys.path.insert(0, str(HERE))
    from evaldata import eval_dir

    for folder in (eval_dir(), HERE.parents[2] / "shared" / "eval"):
        if (folder / name).exists():
            return folder / name
    raise SystemExit(f"{name} not found: set NEWSDIGEST_EVAL_DIR to the folder of the shared eval files")


def read(path: Path) -> list[dict]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def fold_of(page_id: str) -> int:
    return int(hashlib.sha256(page_id.encode("utf-8")).hexdigest(), 16) % FOLDS


# --- text: the benchmark's metric (score_extraction.py), per page --------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)


def _shingles(text: str, n: int = 4) -> Counter:
    words = _WORD.findall(text or "")
    return Counter(tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1)) if words[i : i + n])


def page_pr(gold: str, pred: str) -> tuple[float | None, float | None]:
    """(precision, recall) of one page, None where the benchmark leaves the page out of an average."""
    g, p = _shingles(gold), _shingles(pred)
    tp, fp, fn = sum((g & p).values()), sum((p - g).values()), sum((g - p).values())
    if fp == fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else None), (tp / (tp + fn) if tp + fn else None)


def text_scores(pairs: Iterable[tuple[float | None, float | None]]) -> tuple[float, float, float]:
    pairs = list(pairs)
    ps = [p for p, _ in pairs if p is not None]
    rs = [r for _, r in pairs if r is not None]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- headings: score_page_headings.py's metric, per page ----------------------------------------------


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


@dataclass
class HeadingCounts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    negatives: int = 0
    negatives_hit: int = 0

    def add(self, gold: dict, predicted: list[str]) -> None:
        ignore = {_fold(gold["title"])} | {_fold(a) for a in gold.get("ambiguous_lines", [])}
        p = Counter(_fold(h) for h in predicted if _fold(h) and _fold(h) not in ignore)
        w = Counter(_fold(h) for h in gold["headings"])
        if not w:
            self.negatives += 1
            self.negatives_hit += bool(p)
            return
        self.tp += sum((p & w).values())
        self.fp += sum((p - w).values())
        self.fn += sum((w - p).values())

    def __iadd__(self, other: HeadingCounts) -> HeadingCounts:
        for name in ("tp", "fp", "fn", "negatives", "negatives_hit"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def false_rate(self) -> float:
        return self.negatives_hit / self.negatives if self.negatives else 0.0


def official(script: str, gold: Path, pred: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(gold.parent / script), str(gold), str(pred)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def spread(values: list[float]) -> str:
    sd = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f} ({min(values):.3f}–{max(values):.3f})"


def cross_validate(
    settings: list, score: Callable[[object, set[int]], tuple[float, bool]]
) -> list[tuple[int, object]]:
    """For each fold, the setting with the best score on the other folds (score returns (value, allowed))."""
    chosen = []
    for held_out in range(FOLDS):
        train = set(range(FOLDS)) - {held_out}
        ranked = sorted(settings, key=lambda s: (score(s, train)[1], score(s, train)[0]), reverse=True)
        chosen.append((held_out, ranked[0]))
    return chosen


# --- the two evaluations ------------------------------------------------------------------------------

MODES = {  # trafilatura modes: favor_precision, fast
    "precision, fast": (True, True),
    "balanced": (False, False),
    "balanced, fast": (False, True),
}
RATIOS = (5.0, 3.0, 2.0)  # retry_ratio candidates (see page.analyse_page)
SHORTS = (150, 300, 500)  # short_words candidates, cheapest first (ties go to the first)


@dataclass
class PageRuns:
    """One page analysed in each trafilatura mode with the retry off; ``pick`` emulates the retry rule of
    ``analyse_page`` (the balanced run replaces a short precision run that it outgrows ``ratio`` times)."""

    runs: dict[str, PageAnalysis | None]

    @classmethod
    def of(cls, html: str, url: str | None, modes: Iterable[str]) -> PageRuns:
        runs: dict[str, PageAnalysis | None] = {}
        for mode in modes:
            precise, fast = MODES[mode]
            try:
                runs[mode] = analyse_page(html, url, favor_precision=precise, fast=fast, retry_ratio=None)
            except NoArticleText:
                runs[mode] = None
        return cls(runs)

    def pick(self, mode: str, ratio: float | None, short: int = SHORT_WORDS) -> PageAnalysis | None:
        first = self.runs[mode]
        if mode.startswith("balanced") or ratio is None or first is None:
            return first
        balanced = self.runs["balanced"]
        size = _word_count(first.document)
        if size < short and balanced is not None and _word_count(balanced.document) >= ratio * size:
            return balanced
        return first


def setting_label(setting: tuple[str, float | None, int]) -> str:
    mode, ratio, short = setting
    if ratio is not None and not mode.startswith("balanced"):
        return f"{mode}, retry under {short} words ×{ratio:g}"
    return mode if mode.startswith("balanced") else f"{mode}, retry off"


EXTRACTION: list[tuple[str, float | None, int]] = [
    ("precision, fast", None, 0),
    *[("precision, fast", r, w) for w in SHORTS for r in RATIOS],
    ("balanced", None, 0),
    ("balanced, fast", None, 0),
]


@dataclass
class TextResults:
    pages: list[dict]
    per_page: dict[int, dict[str, tuple[float | None, float | None]]]  # extraction setting -> page -> (p, r)
    theirs: dict[str, tuple[float | None, float | None]]
    shipped_text: dict[str, str]
    theirs_text: dict[str, str]
    folds: dict[str, int]

    def f1(self, e: int, fold_set: set[int]) -> float:
        return text_scores(v for k, v in self.per_page[e].items() if self.folds[k] in fold_set)[2]

    def theirs_f1(self, fold_set: set[int]) -> float:
        return text_scores(v for k, v in self.theirs.items() if self.folds[k] in fold_set)[2]


def text_results() -> TextResults:
    import trafilatura

    pages = read(eval_path("extraction_dev.jsonl.gz"))
    per_page: dict[int, dict[str, tuple[float | None, float | None]]] = {
        e: {} for e in range(len(EXTRACTION))
    }
    shipped, theirs = {}, {}
    for page in pages:
        runs = PageRuns.of(page["html"], page["url"], {m for m, _, _ in EXTRACTION})
        for e, setting in enumerate(EXTRACTION):
            analysis = runs.pick(*setting)
            try:
                text = article_of(analysis).text if analysis else ""
            except NoArticleText:
                text = ""
            per_page[e][page["id"]] = page_pr(page["text"], text)
        try:
            shipped[page["id"]] = extract_page(page["html"], page["url"]).text
        except NoArticleText:
            shipped[page["id"]] = ""
        theirs[page["id"]] = trafilatura.extract(page["html"], url=page["url"]) or ""
    return TextResults(
        pages,
        per_page,
        {p["id"]: page_pr(p["text"], theirs[p["id"]]) for p in pages},
        shipped,
        theirs,
        {p["id"]: fold_of(p["id"]) for p in pages},
    )


@dataclass
class HeadingResults:
    pages: list[dict]
    table: dict[tuple[int, int, int], HeadingCounts]  # (extraction, rules, fold) -> counts
    shipped: dict[str, list[str]]
    theirs: dict[str, list[str]]
    folds: dict[str, int]

    def total(self, setting: tuple[int, int], fold_set: set[int]) -> HeadingCounts:
        counts = HeadingCounts()
        for f in fold_set:
            counts += self.table.get((*setting, f), HeadingCounts())
        return counts


def heading_results() -> HeadingResults:
    import trafilatura

    pages = read(eval_path("page_headings_dev.jsonl.gz"))
    folds = {p["id"]: fold_of(p["id"]) for p in pages}
    table: dict[tuple[int, int, int], HeadingCounts] = {}
    shipped, theirs = {}, {}

    def predict(analysis: PageAnalysis | None, rules: HeadingRules) -> list[str]:
        if analysis is None:
            return []
        accepted = [c for c in analysis.candidates if is_article_heading(c, rules, analysis.title)]
        return _render(analysis.blocks, analysis.placed, accepted)[2]  # what extract_page reports

    for page in pages:
        runs = PageRuns.of(page["html"], page["url"], {m for m, _, _ in EXTRACTION})
        cache: dict[tuple[int, int], list[str]] = {}
        for e, setting in enumerate(EXTRACTION):
            analysis = runs.pick(*setting)
            for i, rules in enumerate(GRID):
                key = (id(analysis), i)
                if key not in cache:
                    cache[key] = predict(analysis, rules)
                table.setdefault((e, i, folds[page["id"]]), HeadingCounts()).add(page, cache[key])
        try:
            shipped[page["id"]] = extract_page(page["html"], page["url"]).headings
        except NoArticleText:
            shipped[page["id"]] = []
        markdown = trafilatura.extract(
            page["html"], url=page["url"], output_format="markdown", include_formatting=True
        )
        lines = (markdown or "").split("\n")
        theirs[page["id"]] = [re.sub(r"^#+\s*", "", line) for line in lines if line.startswith("#")]
    return HeadingResults(pages, table, shipped, theirs, folds)


def setting_text(setting: tuple[int, int]) -> str:
    rule = GRID[setting[1]]
    return (
        f"{setting_label(EXTRACTION[setting[0]])}; gap≤{rule.max_gap_words}, share≥{rule.min_section_share}, "
        f"teaser links: {rule.teaser_links}, {'/'.join(rule.levels)}{', bold' if rule.bold else ''}"
    )


def report(text: TextResults, heads: HeadingResults, out_dir: Path) -> None:
    settings = [(e, i) for e in range(len(EXTRACTION)) for i in range(len(GRID))]
    everything = set(range(FOLDS))

    def score(setting: tuple[int, int], train: set[int]) -> tuple[float, bool]:
        counts = heads.total(setting, train)
        allowed = counts.false_rate <= MAX_FALSE_RATE
        return text.f1(setting[0], train) + counts.prf[2], allowed

    print(
        f"\n## Cross-validated: {len(text.pages)} pages with checked text, "
        f"{len(heads.pages)} with known headings\n"
    )
    print(
        f"{len(settings)} settings ({len(EXTRACTION)} extraction modes × {len(GRID)} heading rules), chosen"
    )
    print(f"on 4 folds (highest text F1 + heading F1 with headings on ≤ {MAX_FALSE_RATE:.0%} of heading-free")
    print("pages), scored on the held-out fold. Text F1: word 4-shingles; headings: micro P/R/F1.\n")
    print("| fold | setting chosen on the other folds | text F1 | trafilatura text F1 | headings P | R | F1 "
          "| heading-free pages with headings |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    columns: dict[str, list[float]] = {k: [] for k in ("text", "theirs", "p", "r", "f", "false")}
    pooled = HeadingCounts()
    for held_out, setting in cross_validate(settings, score):
        counts = heads.total(setting, {held_out})
        pooled += counts
        p, r, f = counts.prf
        values = {
            "text": text.f1(setting[0], {held_out}),
            "theirs": text.theirs_f1({held_out}),
            "p": p,
            "r": r,
            "f": f,
            "false": counts.false_rate,
        }
        for k, v in values.items():
            columns[k].append(v)
        print(
            f"| {held_out} | {setting_text(setting)} | {values['text']:.3f} | {values['theirs']:.3f} "
            f"| {p:.3f} | {r:.3f} | {f:.3f} "
            f"| {counts.false_rate:.3f} ({counts.negatives_hit}/{counts.negatives}) |"
        )
    print("| mean ± sd (min–max) | | " + " | ".join(spread(columns[k]) for k in columns) + " |")
    p, r, f = pooled.prf
    print(
        f"| held-out folds pooled (headings) | | | | {p:.3f} | {r:.3f} | {f:.3f} "
        f"| {pooled.false_rate:.3f} ({pooled.negatives_hit}/{pooled.negatives}) |"
    )
    best = max(settings, key=lambda s: score(s, everything)[::-1])
    print(f"\nChosen on all 5 folds: {setting_text(best)}")
    print(
        f"Shipped defaults:      precision, fast, retry under {SHORT_WORDS} words ×{RETRY_RATIO:g}; "
        f"{DEFAULT_RULES}"
    )

    print("\nFor information, each extraction mode with its best heading rules on the full files:\n")
    print("| extraction | heading rules | text F1 | headings P | R | F1 | heading-free pages with headings |")
    print("|---|---|---|---|---|---|---|")
    for e in range(len(EXTRACTION)):
        top = max((s for s in settings if s[0] == e), key=lambda s: score(s, everything)[::-1])
        counts = heads.total(top, everything)
        p, r, f = counts.prf
        rules = setting_text(top).split("; ", 1)[1]
        print(
            f"| {setting_label(EXTRACTION[e])} | {rules} | {text.f1(e, everything):.4f} | {p:.3f} | {r:.3f} "
            f"| {f:.3f} | {counts.false_rate:.3f} |"
        )

    print("\n## Full files, extract_page with the shipped defaults, scored by the shared scorers\n")
    print("| main text (extraction_dev) | F1 | precision | recall |")
    print("|---|---|---|---|")
    gold = eval_path("extraction_dev.jsonl.gz")
    for label, name, pred in (
        ("newsdigest extract_page", "newsdigest", text.shipped_text),
        ("trafilatura extract(html, url)", "trafilatura", text.theirs_text),
    ):
        path = out_dir / f"extraction_{name}.jsonl"
        path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in pred.items()), "utf-8")
        result = official("score_extraction.py", gold, path)
        print(f"| {label} | {result['f1']:.4f} | {result['precision']:.4f} | {result['recall']:.4f} |")
    print("\n| headings (page_headings_dev) | P | R | F1 | heading-free pages with headings |")
    print("|---|---|---|---|---|")
    gold = eval_path("page_headings_dev.jsonl.gz")
    for label, name, predictions in (
        ("newsdigest extract_page", "newsdigest", heads.shipped),
        ("trafilatura markdown, include_formatting", "trafilatura", heads.theirs),
    ):
        path = out_dir / f"page_headings_{name}.jsonl"
        path.write_text(
            "".join(json.dumps({"id": k, "headings": v}) + "\n" for k, v in predictions.items()), "utf-8"
        )
        r = official("score_page_headings.py", gold, path)
        scores = " | ".join(f"{r[k]:.3f}" for k in ("precision", "recall", "f1", "false_on_heading_free"))
        print(f"| {label} | {scores} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path(".local") / "eval", help="prediction files go here")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    report(text_results(), heading_results(), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
