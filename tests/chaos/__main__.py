"""``make chaos`` = ``python -m tests.chaos [--seed N] [--articles N] ...``: prints the table; exit 1 on any
lost, stuck, stale or duplicated item, 5xx, or half-stored write."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os

from tests.chaos.suite import run


def main() -> int:
    parser = argparse.ArgumentParser(prog="make chaos", description=__doc__)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--articles", type=int, default=200, help="articles per scenario (default 200)")
    parser.add_argument("--subscribers", type=int, default=10, help="subscribers per email scenario")
    parser.add_argument("--hostile", type=int, default=330, help="hostile requests (default 330)")
    parser.add_argument("--workers", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--wait", type=float, default=120.0, help="seconds a scenario may take to settle")
    args = parser.parse_args()
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # no EMF lines between the table's rows
    logging.disable(logging.CRITICAL)  # the injected crashes are expected; the table says what happened
    # Powertools prints EMF lines whenever a metric reaches 100 values, the local runtime a line per
    # invocation (the injected crashes among them): the table is the output. A failure's traceback still
    # reaches stderr, after the redirection ends.
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        report = run(
            seed=args.seed,
            articles=args.articles,
            subscribers=args.subscribers,
            hostile=args.hostile,
            workers=args.workers,
            wait=args.wait,
        )
    print(report.table(), flush=True)
    return 1 if report.problems() else 0


if __name__ == "__main__":
    raise SystemExit(main())
