"""`make eval`: score the summarizer on the shared dev sets, next to baselines computed in the same run.

ROUGE-1/2/Lsum F1 (rouge-score, stemming, one sentence per line) on CNN/DM (3 sentences), XSum (1 sentence)
and BBC (3 sentences, report only), with the mean digest length in words; heading precision/recall/F1 per
form on headings_dev.jsonl and the false-heading rate on heading-free articles; the share of digest and gist
spans that equal ``text[start:end]``.

Then the cross-validated figures (see crossval.py): each dev file is split into 5 folds by id hash, the
tuned settings are chosen on 4 folds and scored on the 5th; the held-out figures (pooled, and mean ± spread
over the folds) are what to expect on unseen articles, and are what the targets are checked against.

    .venv/bin/python bench/eval.py [--limit N] [--bbc-limit N] [--skip-baselines] [--only rouge|headings]
                                   [--no-cv]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crossval
from baselines import lead, newspaper_summarizer, sumy_summarizer
from evaldata import eval_dir, read_jsonl
from newsdigest.summarizer import Summary, parse_document, summarize

ROUGE_SETS = (  # file, label, sentences per summary, whether targets apply
    ("cnndm_dev.jsonl", "CNN/DM dev", 3),
    ("xsum_dev.jsonl", "XSum dev", 1),
    ("bbc_dev.jsonl", "BBC dev", 3),
)
FORMS = (("html", "html"), ("markdown", "markdown"), ("plain", "text"))
README_XSUM_LEXRANK = 0.1734  # the eval README's figure; the higher of it and this run's is the bar
XSUM_MAX_WORDS = 30


@dataclass
class Scores:
    r1: list[float] = field(default_factory=list)
    r2: list[float] = field(default_factory=list)
    rl: list[float] = field(default_factory=list)
    words: list[int] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, scorer, reference: str, sentences: list[str]) -> None:
        summary = "\n".join(" ".join(s.split()) for s in sentences)
        result = scorer.score(reference, summary)
        self.r1.append(result["rouge1"].fmeasure)
        self.r2.append(result["rouge2"].fmeasure)
        self.rl.append(result["rougeLsum"].fmeasure)
        self.words.append(sum(len(s.split()) for s in sentences))

    @staticmethod
    def _mean(values) -> float:
        return sum(values) / len(values) if values else 0.0

    def row(self, name: str) -> str:
        m = self._mean
        return (
            f"| {name:<16} | {100 * m(self.r1):6.2f} | {100 * m(self.r2):6.2f} | {100 * m(self.rl):6.2f} "
            f"| {m(self.words):6.1f} | {len(self.r1):5d} |"
        )


@dataclass
class OffsetCheck:
    total: int = 0
    exact: int = 0

    def check(self, text: str, summary: Summary) -> None:
        spans = list(summary.digest) + [e.gist for e in summary.outline if e.gist is not None]
        for span in spans:
            self.total += 1
            self.exact += text[span.start : span.end] == span.text

    @property
    def share(self) -> float:
        return self.exact / self.total if self.total else 1.0


def rouge_eval(args, offsets: OffsetCheck) -> dict[str, dict[str, Scores]]:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    peers = {}
    if not args.skip_baselines:
        peers = {
            "sumy LexRank": sumy_summarizer("lexrank"),
            "sumy TextRank": sumy_summarizer("textrank"),
            "newspaper4k": newspaper_summarizer(),
        }
    results: dict[str, dict[str, Scores]] = {}
    for name, label, k in ROUGE_SETS:
        limit = args.bbc_limit if name.startswith("bbc") else args.limit
        if limit == 0:
            continue
        rows = list(read_jsonl(name, limit))
        systems: dict[str, Scores] = {"ours": Scores(), f"Lead-{k}": Scores()}
        systems.update({p: Scores() for p in peers})
        for row in rows:
            text, reference, title = row["text"], row["reference"], row.get("title") or None
            t0 = time.perf_counter()
            summary = summarize(text, "text", title=title, max_sentences=k)
            systems["ours"].seconds += time.perf_counter() - t0
            offsets.check(text, summary)
            systems["ours"].add(scorer, reference, [s.text for s in summary.digest])
            systems[f"Lead-{k}"].add(scorer, reference, lead(text, k))
            for p, run in peers.items():
                t0 = time.perf_counter()
                out = run(text, k, title or "") if p == "newspaper4k" else run(text, k)
                systems[p].seconds += time.perf_counter() - t0
                systems[p].add(scorer, reference, out)
        results[label] = systems
        print(f"\n### {label}: {len(rows)} articles, {k} sentence(s) per summary (ROUGE F1 x100)\n")
        print("| system           |  R-1   |  R-2   | R-Lsum | words  |   n   |")
        print("|------------------|--------|--------|--------|--------|-------|")
        for sys_name, scores in systems.items():
            print(scores.row(sys_name))
        sys.stdout.flush()
    return results


def _fold(text: str) -> str:
    return " ".join(text.split())


def _heading_counts(row: dict, form: str, fmt: str, title: str | None) -> tuple[int, int, int, int, int]:
    """tp, fp, fn of one article's detected headings; whether it is heading-free; and if so, flagged."""
    doc = parse_document(row[form], fmt, title)
    detected = Counter(_fold(s.heading) for s in doc.sections if s.heading is not None)
    gold = Counter(_fold(h) for h in row["headings"])
    ambiguous = {_fold(a) for a in row["ambiguous_lines"]}
    for h in list(detected):
        if h not in gold and h in ambiguous:
            del detected[h]  # neither right nor wrong
    hit = sum((detected & gold).values())
    free = not row["headings"]
    return hit, sum(detected.values()) - hit, sum(gold.values()) - hit, free, free and bool(detected)


def headings_eval(
    args, offsets: OffsetCheck, use_title: bool
) -> dict[str, tuple[float, float, float, float]]:
    rows = list(read_jsonl("headings_dev.jsonl", args.limit))
    out = {}
    for form, fmt in FORMS:
        tp = fp = fn = 0
        free = free_flagged = 0
        for row in rows:
            title = row["title"] if use_title else None
            hit, extra, missed, is_free, flagged = _heading_counts(row, form, fmt, title)
            tp, fp, fn = tp + hit, fp + extra, fn + missed
            free += is_free
            free_flagged += flagged
            if use_title:
                doc = parse_document(row[form], fmt, title)
                summary = summarize(row[form], fmt, title=title)
                offsets.check(doc.text, summary)
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[form] = (p, r, f, free_flagged / free if free else 0.0)
    label = "title given" if use_title else "title=None"
    print(f"\n### Headings ({len(rows)} articles, {label})\n")
    print("| form     | precision | recall |  F1   | false-heading rate (heading-free articles) |")
    print("|----------|-----------|--------|-------|--------------------------------------------|")
    for form, (p, r, f, false_rate) in out.items():
        print(f"| {form:<8} |   {p:.3f}   | {r:.3f}  | {f:.3f} | {100 * false_rate:5.1f}% |")
    return out


# --- cross-validation ---------------------------------------------------------------------------------


@dataclass
class CrossValidated:
    """One measure's figures: on the full file with the shipped settings, and held out."""

    label: str
    full: float
    pooled: float
    mean: float
    spread: float
    fmt: str = "{:.2f}"

    def row(self) -> str:
        f = self.fmt.format
        spread = f"{f(self.mean):>7} ± {self.fmt.replace('+', '').format(self.spread):<6}"
        return f"| {self.label:<34} | {f(self.full):>9} | {f(self.pooled):>9} | {spread} |"


def _report_choices(name: str, grid, configs, result: crossval.FoldResult) -> list[str]:
    shipped = crossval.shipped(grid)
    on_all = configs[result.on_all]
    lines = [
        f"- {name}: chosen per held-out fold: "
        + "; ".join(f"[{crossval.describe(configs[c])}]" for c in result.chosen)
    ]
    same = (
        "the shipped settings"
        if on_all == shipped
        else f"NOT the shipped settings ({crossval.describe(shipped)})"
    )
    lines.append(f"  chosen on all folds: [{crossval.describe(on_all)}] = {same}")
    return lines


def cv_rouge(
    args, scorer, label: str, file: str, k: int, peer_r1: list[float] | None
) -> tuple[list, list[str]]:
    """CNN/DM (k=3, against Lead-3 at no more words) or XSum (k=1, against LexRank when it ran)."""
    rows = list(read_jsonl(file, args.limit))
    folds = [crossval.fold_of(r["id"]) for r in rows]
    grid = crossval.DIGEST_GRID if k > 1 else crossval.ONE_SENTENCE_GRID
    configs = crossval.configs(grid)
    cache: dict[tuple[int, str], float] = {}

    def r1_of(i: int, sentences: list[str]) -> float:
        summary = "\n".join(" ".join(x.split()) for x in sentences)
        key = (i, summary)
        if key not in cache:
            cache[key] = scorer.score(rows[i]["reference"], summary)["rouge1"].fmeasure
        return cache[key]

    lead_r1, lead_words = [], []
    for i, row in enumerate(rows):
        sentences = lead(row["text"], k)
        lead_r1.append(r1_of(i, sentences))
        lead_words.append(sum(len(x.split()) for x in sentences))
    r1 = [[0.0] * len(rows) for _ in configs]
    words = [[0] * len(rows) for _ in configs]
    for c, values in enumerate(configs):
        with crossval.settings(values):
            for i, row in enumerate(rows):
                digest = summarize(
                    row["text"], "text", title=row.get("title") or None, max_sentences=k
                ).digest
                sentences = [x.text for x in digest]
                r1[c][i] = r1_of(i, sentences)
                words[c][i] = sum(len(x.split()) for x in sentences)
    peer = peer_r1 if peer_r1 is not None and len(peer_r1) == len(rows) else None

    def mean(values):
        return sum(values) / len(values) if values else 0.0

    def figures_of(pairs: list[tuple[int, int]]) -> dict[str, float]:
        out = {
            "r1": mean([r1[c][i] for i, c in pairs]),
            "words": mean([words[c][i] for i, c in pairs]),
            "lead_r1": mean([lead_r1[i] for i, _ in pairs]),
            "lead_words": mean([lead_words[i] for i, _ in pairs]),
        }
        if peer is not None:
            out["peer_r1"] = mean([peer[i] for i, _ in pairs])
        return out

    def figures(c: int, articles: list[int]) -> dict[str, float]:
        return figures_of([(i, c) for i in articles])

    if k > 1:

        def objective(f):  # more ROUGE-1 over Lead-3, at no more words than Lead-3
            return (f["words"] <= f["lead_words"], f["r1"] - f["lead_r1"])
    else:

        def objective(f):  # more ROUGE-1 at a one-sentence length
            return (f["words"] <= XSUM_MAX_WORDS, f["r1"])

    result = crossval.cross_validate(len(configs), folds, figures, objective, figures_of)
    shipped = crossval.shipped(grid)
    full = figures(configs.index(shipped), list(range(len(rows)))) if shipped in configs else figures_of([])
    measures = []

    def add(name: str, key: Callable[[dict[str, float]], float], scale: float = 100.0, fmt: str = "{:.2f}"):
        mean_, spread = crossval.mean_spread([scale * key(h) for h in result.held_out])
        measures.append(
            CrossValidated(name, scale * key(full), scale * key(result.pooled), mean_, spread, fmt)
        )

    if k > 1:
        add(f"{label} R-1 minus Lead-3", lambda f: f["r1"] - f["lead_r1"], fmt="{:+.2f}")
        add(f"{label} R-1", lambda f: f["r1"])
        add(f"{label} Lead-3 R-1", lambda f: f["lead_r1"])
        add(f"{label} words minus Lead-3's", lambda f: f["words"] - f["lead_words"], 1.0, "{:+.1f}")
    else:
        add(f"{label} R-1", lambda f: f["r1"])
        if peer is not None:
            add(f"{label} R-1 minus sumy LexRank", lambda f: f["r1"] - f["peer_r1"], fmt="{:+.2f}")
        add(f"{label} words", lambda f: f["words"], 1.0, "{:.1f}")
    return measures, _report_choices(label, grid, configs, result), result, figures_of


def cv_headings(args) -> tuple[list, list[str], dict[str, float]]:
    """Plain-text headings (title not given): F1 and the false-heading rate, held out."""
    rows = list(read_jsonl("headings_dev.jsonl", args.limit))
    folds = [crossval.fold_of(r["id"]) for r in rows]
    configs = crossval.configs(crossval.HEADING_GRID)
    counts = [[(0, 0, 0, 0, 0)] * len(rows) for _ in configs]  # tp, fp, fn, heading-free, flagged
    for c, values in enumerate(configs):
        with crossval.settings(values):
            for i, row in enumerate(rows):
                counts[c][i] = _heading_counts(row, "plain", "text", None)

    def figures_of(pairs):
        tp, fp, fn, free, flagged = (sum(counts[c][i][j] for i, c in pairs) for j in range(5))
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "false": flagged / free if free else 0.0}

    def figures(c, articles):
        return figures_of([(i, c) for i in articles])

    def objective(f):  # the best F1 with at most 2% false headings
        return (f["false"] <= 0.02, f["f1"], -f["false"])

    result = crossval.cross_validate(len(configs), folds, figures, objective, figures_of)
    shipped = crossval.shipped(crossval.HEADING_GRID)
    full = figures(configs.index(shipped), list(range(len(rows))))
    measures = []
    for name, key, scale, fmt in (
        ("plain heading F1", "f1", 1.0, "{:.3f}"),
        ("plain false-heading rate %", "false", 100.0, "{:.1f}"),
    ):
        mean_, spread = crossval.mean_spread([scale * h[key] for h in result.held_out])
        measures.append(
            CrossValidated(name, scale * full[key], scale * result.pooled[key], mean_, spread, fmt)
        )
    return measures, _report_choices("plain headings", crossval.HEADING_GRID, configs, result), result.pooled


def cross_validation(args, rouge) -> dict[str, dict[str, float]]:
    """Print the cross-validated table; return the pooled held-out figures the targets are checked on."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)
    measures: list[CrossValidated] = []
    notes: list[str] = []
    pooled: dict[str, dict[str, float]] = {}
    started = time.perf_counter()
    if args.only != "headings" and args.limit != 0:
        for file, label, k in ROUGE_SETS[:2]:
            lex = rouge.get(label, {}).get("sumy LexRank")
            got, lines, result, _ = cv_rouge(args, scorer, label, file, k, lex.r1 if lex else None)
            measures += got
            notes += lines
            pooled[label] = result.pooled
    if args.only != "rouge":
        got, lines, heads = cv_headings(args)
        measures += got
        notes += lines
        pooled["headings"] = heads
    n = crossval.FOLDS
    print(
        f"\n### Cross-validated ({n} folds by id hash; settings chosen on {n - 1} folds, scored on the "
        "fifth)\n"
    )
    print("Full file: the shipped settings on the whole file (the figures tuned on). Held out: every article")
    print(
        "scored under the settings chosen without it; pooled over all articles, and per fold (mean ± sd).\n"
    )
    print("| measure                            | full file | held out  | per fold         |")
    print("|------------------------------------|-----------|-----------|------------------|")
    for m in measures:
        print(m.row())
    print()
    print("\n".join(notes))
    print(f"\n(cross-validation took {time.perf_counter() - started:.0f} s)")
    return pooled


def targets(rouge, heads, offsets: OffsetCheck, held_out: dict[str, dict[str, float]]) -> None:
    print("\n### Targets (held out = cross-validated, what to expect on unseen articles)\n")
    lines = []

    def line(ok: bool | None, text: str) -> None:
        mark = "n/a " if ok is None else ("MET " if ok else "MISS")
        lines.append(f"- [{mark}] {text}")

    cnn = held_out.get("CNN/DM dev")
    if cnn:
        gain = 100 * (cnn["r1"] - cnn["lead_r1"])
        line(
            gain >= 0.5,
            f"CNN/DM held-out ROUGE-1 {100 * cnn['r1']:.2f} >= Lead-3 {100 * cnn['lead_r1']:.2f} + 0.5 "
            f"({gain:+.2f})",
        )
        line(
            cnn["words"] <= cnn["lead_words"],
            f"CNN/DM held-out words {cnn['words']:.1f} at most Lead-3's {cnn['lead_words']:.1f}",
        )
    elif rouge.get("CNN/DM dev"):
        ours, lead3 = rouge["CNN/DM dev"]["ours"], rouge["CNN/DM dev"]["Lead-3"]
        line(
            None,
            f"CNN/DM full file only: ROUGE-1 {100 * Scores._mean(ours.r1):.2f} "
            f"vs Lead-3 {100 * Scores._mean(lead3.r1):.2f}",
        )
    xsum = held_out.get("XSum dev")
    if xsum:
        lex = xsum.get("peer_r1")
        if lex is None:
            line(
                xsum["r1"] > README_XSUM_LEXRANK,
                f"XSum held-out ROUGE-1 {100 * xsum['r1']:.2f} above sumy LexRank "
                f"(README {100 * README_XSUM_LEXRANK:.2f}; not run here)",
            )
        else:
            line(
                xsum["r1"] > lex,
                f"XSum held-out ROUGE-1 {100 * xsum['r1']:.2f} above sumy LexRank {100 * lex:.2f} "
                "(same articles, this run)",
            )
        line(
            xsum["words"] <= XSUM_MAX_WORDS,
            f"XSum held-out digest length {xsum['words']:.1f} words (at most {XSUM_MAX_WORDS})",
        )
    plain = held_out.get("headings")
    if plain:
        line(plain["f1"] >= 0.95, f"plain-text heading F1 held out {plain['f1']:.3f} (>= 0.95)")
        line(
            plain["false"] <= 0.02, f"plain-text false headings held out {100 * plain['false']:.1f}% (<= 2%)"
        )
    if heads:
        for form, need in (("html", 0.99), ("markdown", 0.99)):
            f = heads[form][2]
            line(
                f >= need,
                f"heading F1 {form} {f:.3f} (>= {need}, full file)",
            )
        worst = max(v[3] for v in heads.values())
        line(
            worst <= 0.02,
            f"false headings on heading-free articles {100 * worst:.1f}% (<= 2%, worst form, full file)",
        )
    line(offsets.share == 1.0, f"spans equal text[start:end]: {offsets.exact}/{offsets.total}")
    print("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="articles per file (default: all)")
    parser.add_argument("--bbc-limit", type=int, default=300, help="BBC articles (default 300; 0 = skip)")
    parser.add_argument("--skip-baselines", action="store_true", help="only ours and Lead-k")
    parser.add_argument("--only", choices=("rouge", "headings"), default=None)
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation")
    args = parser.parse_args(argv)
    if args.limit is not None:
        args.bbc_limit = min(args.bbc_limit, args.limit)
    print(f"# newsdigest summarizer eval (data: {eval_dir()})")
    started = time.perf_counter()
    offsets = OffsetCheck()
    rouge = {} if args.only == "headings" else rouge_eval(args, offsets)
    heads = {}
    if args.only != "rouge":
        heads = headings_eval(args, offsets, use_title=False)
        headings_eval(args, offsets, use_title=True)
    held_out = {} if args.no_cv else cross_validation(args, rouge)
    targets(rouge, heads, offsets, held_out)
    print(f"\n(eval took {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
