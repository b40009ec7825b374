"""`make eval` (extraction part): score ``newsdigest.extraction.extract_page`` on whole web pages, next to
trafilatura measured in the same run, with every data-chosen setting cross-validated.

1. Main text on extraction_dev.jsonl.gz (word 4-shingle P/R/F1 per page, averaged over pages: the metric of
   ../shared/eval/score_extraction.py, which also scores the full-file prediction files written here).
2. Section headings on page_headings_dev.jsonl.gz (micro P/R/F1 over pages with headings, share of
   heading-free pages where any heading is reported: the metric of score_page_headings.py).

Cross-validation: pages go to 5 folds by a hash of their id. For each fold, the setting (trafilatura's
precision/balanced mode for text; the ``HeadingRules`` thresholds for headings) is chosen on the other 4 folds
and scored on the held-out one. Reported: mean ± standard deviation (min–max) of the held-out folds, and the
full file with the shipped defaults.

    .venv/bin/python bench/eval_extraction.py [--only text|headings] [--out DIR]
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
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from newsdigest.extraction import NoArticleText, extract_page
from newsdigest.extraction.headings import HeadingRules, is_article_heading
from newsdigest.extraction.page import DEFAULT_RULES, _render, analyse_page

FOLDS = 5
HERE = Path(__file__).resolve().parent
MAX_FALSE_RATE = 0.05  # headings on at most this share of heading-free pages (the target)
GRID = [
    HeadingRules(max_gap_words=g, min_section_share=s, teaser_links=link, levels=levels, bold=bold)
    for g, s, link, levels, bold in itertools.product(
        (0, 2, 5, 10, 20),
        (0.0, 0.3, 0.5, 0.7),
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


def text_eval(out_dir: Path) -> None:
    import trafilatura

    gold_path = eval_path("extraction_dev.jsonl.gz")
    pages = read(gold_path)
    modes = {"precision, fast": (True, True), "precision": (True, False), "balanced": (False, False)}
    preds: dict[str, dict[str, str]] = {name: {} for name in [*modes, "trafilatura"]}
    seconds: Counter = Counter()
    for page in pages:
        for name, (precise, fast) in modes.items():
            start = time.perf_counter()
            try:
                preds[name][page["id"]] = extract_page(
                    page["html"], page["url"], favor_precision=precise, fast=fast
                ).text
            except NoArticleText:
                preds[name][page["id"]] = ""
            seconds[name] += time.perf_counter() - start
        start = time.perf_counter()
        preds["trafilatura"][page["id"]] = trafilatura.extract(page["html"], url=page["url"]) or ""
        seconds["trafilatura"] += time.perf_counter() - start
    per_page = {
        name: {p["id"]: page_pr(p["text"], pred[p["id"]]) for p in pages} for name, pred in preds.items()
    }
    folds = {p["id"]: fold_of(p["id"]) for p in pages}

    def score(mode: str, train: set[int]) -> tuple[float, bool]:
        return text_scores(v for k, v in per_page[mode].items() if folds[k] in train)[2], True

    print(f"\n## Main text: {gold_path.name} ({len(pages)} pages), word 4-shingle F1\n")
    print("| fold | pages | mode chosen on the other folds | ours F1 (held out) | trafilatura F1 |")
    print("|---|---|---|---|---|")
    ours_f1, theirs_f1 = [], []
    for held_out, mode in cross_validate(list(modes), score):
        ids = [k for k, f in folds.items() if f == held_out]
        f_ours = text_scores(per_page[mode][k] for k in ids)[2]
        f_theirs = text_scores(per_page["trafilatura"][k] for k in ids)[2]
        ours_f1.append(f_ours)
        theirs_f1.append(f_theirs)
        print(f"| {held_out} | {len(ids)} | {mode} | {f_ours:.3f} | {f_theirs:.3f} |")
    print(f"| mean ± sd (min–max) | | | {spread(ours_f1)} | {spread(theirs_f1)} |")
    print("\nFull file, scored by score_extraction.py:\n")
    print("| system | F1 | precision | recall | pages/s |")
    print("|---|---|---|---|---|")
    labels = {
        "precision, fast": "newsdigest extract_page (shipped: trafilatura precision mode, fast)",
        "precision": "newsdigest extract_page, precision mode with fallbacks",
        "balanced": "newsdigest extract_page, balanced mode with fallbacks",
        "trafilatura": "trafilatura extract(html, url)",
    }
    for name, pred in preds.items():
        path = out_dir / f"extraction_{name.replace(', ', '_')}.jsonl"
        path.write_text(
            "".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in pred.items()), encoding="utf-8"
        )
        result = official("score_extraction.py", gold_path, path)
        rate = len(pages) / seconds[name]
        scores = f"{result['f1']:.4f} | {result['precision']:.4f} | {result['recall']:.4f}"
        print(f"| {labels[name]} | {scores} | {rate:.1f} |")


def headings_eval(out_dir: Path) -> None:
    import trafilatura

    gold_path = eval_path("page_headings_dev.jsonl.gz")
    pages = read(gold_path)
    analyses = {}
    theirs: dict[str, list[str]] = {}
    for page in pages:
        try:
            analyses[page["id"]] = analyse_page(page["html"], page["url"])
        except NoArticleText:
            analyses[page["id"]] = None
        markdown = trafilatura.extract(
            page["html"], url=page["url"], output_format="markdown", include_formatting=True
        )
        theirs[page["id"]] = [
            re.sub(r"^#+\s*", "", line) for line in (markdown or "").split("\n") if line.startswith("#")
        ]
    folds = {p["id"]: fold_of(p["id"]) for p in pages}

    def predict(page_id: str, rules: HeadingRules) -> list[str]:
        analysis = analyses[page_id]
        if analysis is None:
            return []
        accepted = [c for c in analysis.candidates if is_article_heading(c, rules, analysis.title)]
        return _render(analysis.blocks, analysis.placed, accepted)[2]  # what extract_page reports

    # counts per (setting, fold), computed once
    table: dict[tuple[int, int], HeadingCounts] = {}
    for i, rules in enumerate(GRID):
        for page in pages:
            counts = table.setdefault((i, folds[page["id"]]), HeadingCounts())
            counts.add(page, predict(page["id"], rules))

    def total(i: int, fold_set: set[int]) -> HeadingCounts:
        counts = HeadingCounts()
        for f in fold_set:
            counts += table.get((i, f), HeadingCounts())
        return counts

    def score(i: int, train: set[int]) -> tuple[float, bool]:
        counts = total(i, train)
        allowed = counts.false_rate <= MAX_FALSE_RATE
        return (counts.prf[2] if allowed else -counts.false_rate), allowed

    print(f"\n## Section headings on whole pages: {gold_path.name} ({len(pages)} pages)\n")
    print(f"Rules chosen on 4 folds (best F1 with headings on ≤ {MAX_FALSE_RATE:.0%} of heading-free pages),")
    print("scored on the held-out fold. Grid: max gap, min section share, max link share, levels, bold.\n")
    print("| fold | pages | rules chosen | P | R | F1 | heading-free pages with headings |")
    print("|---|---|---|---|---|---|---|")
    f1s, rates, ps, rs = [], [], [], []
    pooled = HeadingCounts()
    for held_out, i in cross_validate(list(range(len(GRID))), score):
        counts = total(i, {held_out})
        pooled += counts
        p, r, f = counts.prf
        rule = GRID[i]
        label = (
            f"gap≤{rule.max_gap_words}, share≥{rule.min_section_share}, teaser links: {rule.teaser_links}, "
            f"{'/'.join(rule.levels)}{', bold' if rule.bold else ''}"
        )
        f1s.append(f)
        rates.append(counts.false_rate)
        ps.append(p)
        rs.append(r)
        print(
            f"| {held_out} | {sum(1 for v in folds.values() if v == held_out)} | {label} | {p:.3f} | {r:.3f} "
            f"| {f:.3f} | {counts.false_rate:.3f} ({counts.negatives_hit}/{counts.negatives}) |"
        )
    print(f"| mean ± sd (min–max) | | | {spread(ps)} | {spread(rs)} | {spread(f1s)} | {spread(rates)} |")
    p, r, f = pooled.prf
    print(
        f"| all held-out folds pooled | {len(pages)} | | {p:.3f} | {r:.3f} | {f:.3f} "
        f"| {pooled.false_rate:.3f} ({pooled.negatives_hit}/{pooled.negatives}) |"
    )
    best_full = max(range(len(GRID)), key=lambda i: score(i, set(range(FOLDS))))
    print(f"\nChosen on all 5 folds: {GRID[best_full]}\nShipped defaults:      {DEFAULT_RULES}\n")
    print("Full file, scored by score_page_headings.py:\n")
    print("| system | P | R | F1 | heading-free pages with headings |")
    print("|---|---|---|---|---|")
    ours_path = out_dir / "page_headings_newsdigest.jsonl"
    theirs_path = out_dir / "page_headings_trafilatura.jsonl"
    ours_path.write_text(
        "".join(
            json.dumps({"id": p["id"], "headings": predict(p["id"], DEFAULT_RULES)}) + "\n" for p in pages
        ),
        encoding="utf-8",
    )
    theirs_path.write_text(
        "".join(json.dumps({"id": k, "headings": v}) + "\n" for k, v in theirs.items()), encoding="utf-8"
    )
    for label, path in (
        ("newsdigest extract_page (shipped rules)", ours_path),
        ("trafilatura markdown, include_formatting", theirs_path),
    ):
        r = official("score_page_headings.py", gold_path, path)
        scores = (
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['false_on_heading_free']:.3f}"
        )
        print(f"| {label} | {scores} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=("text", "headings"), default=None)
    parser.add_argument("--out", type=Path, default=Path(".local") / "eval", help="prediction files go here")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "text"):
        text_eval(args.out)
    if args.only in (None, "headings"):
        headings_eval(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
