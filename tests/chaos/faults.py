"""Faults the chaos runner injects into the local stack's invocations (``LocalRuntime.around``).

A deliberate test hook: the wrapper is installed on the local runtime by the runner and decides, with its
own seeded random generator, what goes wrong. Nothing here is importable from a deployed function.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Callable
from typing import Any

SUMMARIZE = "SummarizeFunction"
DIGEST_SEND = "DigestSendFunction"


class InvocationCrash(Exception):
    """The whole invocation died (timeout, out of memory): the event source mapping sees an error."""


class Injector:
    """One fault at a time, chosen by ``mode``; ``none`` passes every invocation through."""

    MODES = (
        "none",
        "crash_some_records",
        "transient",
        "crash_invocation",
        "crash_after_write",
        "redelivery",
        "replay_old_version",
        "redeliver_jobs",
    )

    def __init__(self, seed: int, mode: str = "none", rate: float = 0.3) -> None:
        assert mode in self.MODES, mode
        self.rng = random.Random(seed)
        self.mode = mode
        self.rate = rate
        self.poisoned: set[str] = set()  # article ids whose records always crash (crash_some_records)
        self.history: list[dict[str, Any]] = []  # summarizer events already handled (replay_old_version)
        self.injected = 0
        self._lock = threading.Lock()

    def start(self, mode: str) -> None:
        """A new scenario: its first chance to inject always does (a small run still meets the fault)."""
        assert mode in self.MODES, mode
        self.mode, self.injected, self.history, self.poisoned = mode, 0, [], set()

    def _roll(self) -> bool:
        with self._lock:
            return self.injected == 0 or self.rng.random() < self.rate

    def __call__(
        self, logical_id: str, handler: Callable[..., Any], event: dict[str, Any], context: Any
    ) -> Any:
        if self.mode == "redeliver_jobs" and logical_id == DIGEST_SEND:
            result = handler(event, context)
            if self._roll():
                self.injected += 1
                handler(copy.deepcopy(event), context)  # SQS delivers at least once
            return result
        if logical_id != SUMMARIZE or self.mode in {"none", "redeliver_jobs"}:
            return handler(event, context)
        if self.mode in {"crash_some_records", "transient"}:
            return self._record_faults(handler, event, context)
        records = event.get("Records", [])
        if self.mode == "replay_old_version" and not self.history and len(records) > 1:
            # One batch may hold every record of a small run (the mapping fills batches): hand on its first
            # half alone, so there is an older event to replay once the rest is handled.
            half = len(records) // 2
            first = {**event, "Records": records[:half]}
            handled = handler(first, context) or {}
            self.history.append(copy.deepcopy(first))
            result = self(logical_id, handler, {**event, "Records": records[half:]}, context) or {}
            failures = list(handled.get("batchItemFailures", [])) + list(result.get("batchItemFailures", []))
            return {"batchItemFailures": failures}
        if self.mode == "crash_invocation" and self._roll():
            self.injected += 1
            raise InvocationCrash("injected: the summarizer's invocation died")
        result = handler(event, context)
        if self.mode == "crash_after_write" and self._roll():
            self.injected += 1
            raise InvocationCrash("injected: died after its writes, before answering")
        if self.mode == "redelivery" and self._roll():
            self.injected += 1
            handler(copy.deepcopy(event), context)
        if self.mode == "replay_old_version":
            if self.history and self._roll():
                self.injected += 1
                with self._lock:
                    old = self.rng.choice(self.history)
                handler(copy.deepcopy(old), context)
            self.history.append(copy.deepcopy(event))
        return result

    def _record_faults(self, handler: Callable[..., Any], event: dict[str, Any], context: Any) -> Any:
        """Some records fail (reported as batch item failures), the others are handled as usual."""
        kept, failed = [], []
        for record in event.get("Records", []):
            article_id = ((record.get("dynamodb") or {}).get("Keys") or {}).get("id", {}).get("S", "")
            poisoned = article_id in self.poisoned if self.mode == "crash_some_records" else self._roll()
            if poisoned:
                self.injected += 1
                failed.append(record["dynamodb"]["SequenceNumber"])
            else:
                kept.append(record)
        result: dict[str, Any] = {"batchItemFailures": []}
        if kept:
            result = handler({**event, "Records": kept}, context) or result
        failures = list(result.get("batchItemFailures", []))
        failures += [{"itemIdentifier": sequence} for sequence in failed]
        return {"batchItemFailures": failures}
