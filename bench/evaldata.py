"""Where the shared evaluation data lives and how to read it (never copied into the repo)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path


def eval_dir() -> Path:
    override = os.environ.get("NEWSDIGEST_EVAL_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared" / "eval"


def read_jsonl(name: str, limit: int | None = None) -> Iterator[dict]:
    with (eval_dir() / name).open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            if line.strip():
                yield json.loads(line)
