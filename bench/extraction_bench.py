"""`make bench` (extraction part): how fast ``extract_page`` reads whole web pages, beside trafilatura
measured in the same run on the same pages, and what importing each costs a cold Lambda.

Pages: extraction_dev.jsonl.gz and page_headings_dev.jsonl.gz (real whole pages). Each round runs every
extractor on each page in turn (the order rotating), so load on a shared machine falls on all of them; the
median round is reported. Import times are medians over fresh interpreters.

    .venv/bin/python bench/extraction_bench.py [--rounds N] [--imports N]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_extraction import eval_path, read

IMPORT_PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
FIRST_PAGE_PROBE = (
    "import time; t = time.perf_counter(); from newsdigest.extraction import extract_page; "
    "extract_page('<html><body><article><p>' + 'A sentence of the article. ' * 40 + '</p></article>"
    "</body></html>'); "
    "print(time.perf_counter() - t)"
)


def fresh_seconds(code: str, runs: int) -> float:
    """Median seconds printed by ``code`` in fresh interpreters."""
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--imports", type=int, default=5, help="fresh interpreters per import timing")
    args = parser.parse_args(argv)

    import trafilatura
    from newsdigest.extraction import NoArticleText, extract_page

    pages = [
        (p["html"], p["url"])
        for name in ("extraction_dev.jsonl.gz", "page_headings_dev.jsonl.gz")
        for p in read(eval_path(name))
    ]
    megabytes = sum(len(html.encode("utf-8")) for html, _ in pages) / 1e6

    def ours(html: str, url: str | None) -> None:
        with contextlib.suppress(NoArticleText):
            extract_page(html, url)

    def theirs(html: str, url: str | None) -> None:
        trafilatura.extract(html, url=url)

    def theirs_markdown(html: str, url: str | None) -> None:
        trafilatura.extract(
            html, url=url, output_format="markdown", include_formatting=True, with_metadata=True
        )

    runners = {
        "newsdigest extract_page (text + headings + metadata)": ours,
        "trafilatura extract(html, url)": theirs,
        "trafilatura extract, markdown + metadata": theirs_markdown,
    }
    rounds: dict[str, list[float]] = {name: [] for name in runners}
    for html, url in pages[:20]:  # warm-up: imports and first-call caches
        for run in runners.values():
            run(html, url)
    items = list(runners.items())
    for _ in range(args.rounds):
        # page by page, each extractor in turn (the order rotating), so load on a shared machine falls on all
        spent = dict.fromkeys(runners, 0.0)
        for n, (html, url) in enumerate(pages):
            for name, run in items[n % len(items) :] + items[: n % len(items)]:
                start = time.perf_counter()
                run(html, url)
                spent[name] += time.perf_counter() - start
        for name, seconds in spent.items():
            rounds[name].append(seconds)

    print(f"\n## Page extraction throughput ({len(pages)} whole pages, {megabytes:.1f} MB of HTML, ")
    print(f"median of {args.rounds} rounds, peers in the same run)\n")
    print("| extractor | pages/s | MB/s | vs trafilatura extract |")
    print("|---|---|---|---|")
    base = statistics.median(rounds["trafilatura extract(html, url)"])
    for name, seconds in rounds.items():
        median = statistics.median(seconds)
        print(f"| {name} | {len(pages) / median:.1f} | {megabytes / median:.2f} | {base / median:.2f}× |")

    print(f"\n## Cold start (median of {args.imports} fresh interpreters)\n")
    print("| what | seconds |")
    print("|---|---|")
    for label, code in (
        (
            "import newsdigest.extraction (trafilatura not yet loaded)",
            IMPORT_PROBE.format(module="newsdigest.extraction"),
        ),
        ("import trafilatura", IMPORT_PROBE.format(module="trafilatura")),
        ("import lxml.html", IMPORT_PROBE.format(module="lxml.html")),
        ("first extract_page call, imports included", FIRST_PAGE_PROBE),
    ):
        print(f"| {label} | {fresh_seconds(code, args.imports):.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
