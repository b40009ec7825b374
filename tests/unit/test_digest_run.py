"""The hourly run's fan-out, with fakes: every due subscriber is queued, page by page, and a run that
runs out of time is completed by its retry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from newsdigest.subscriptions.deliveries import RUN_SAFETY_MS, RunIncomplete, enqueue_due
from newsdigest.subscriptions.models import DigestJob

NOW = datetime(2026, 11, 29, 7, 0, tzinfo=UTC)


class FakeDue:
    """Subscribers leave the index once their digest is done (``done``), as ``advance`` makes them."""

    def __init__(self, ids_by_shard: dict[str, list[str]]) -> None:
        self.ids_by_shard = ids_by_shard
        self.done: set[str] = set()
        self.queries = 0

    def due_page(self, shard: str, now: datetime, *, limit: int = 100, start_key: Any = None):
        self.queries += 1
        due = [i for i in self.ids_by_shard.get(shard, []) if i not in self.done]
        start = int(start_key["i"]) if start_key else 0
        page = due[start : start + limit]
        more = start + limit < len(due)
        return page, ({"i": start + limit} if more else None)


class FakeQueue:
    def __init__(self) -> None:
        self.jobs: list[DigestJob] = []

    def enqueue(self, jobs: list[DigestJob]) -> None:
        self.jobs += jobs


def test_every_due_subscriber_of_every_shard_is_queued_once_page_by_page():
    store = FakeDue({"0": [f"a{i}" for i in range(250)], "1": ["b"], "3": [f"c{i}" for i in range(100)]})
    queue = FakeQueue()
    report = enqueue_due(store, queue, shards=["0", "1", "2", "3"], now=NOW, run_id="r")
    ids = [j.subscriber_id for j in queue.jobs]
    assert report.due == len(ids) == len(set(ids)) == 351
    assert report.pages == 3 + 1 + 1 + 1
    assert {j.scheduled_time for j in queue.jobs} == {NOW}


def test_a_run_that_runs_out_of_time_raises_and_its_retry_reaches_the_rest():
    store = FakeDue({"0": [f"a{i}" for i in range(300)]})
    queue = FakeQueue()
    budget = iter([60_000, 60_000, RUN_SAFETY_MS - 1])  # time left before each page

    with pytest.raises(RunIncomplete):
        enqueue_due(store, queue, shards=["0"], now=NOW, run_id="first", time_left_ms=lambda: next(budget))
    first = {j.subscriber_id for j in queue.jobs}
    assert len(first) == 200

    store.done |= set(list(first)[:150])  # meanwhile the sender mailed some of them
    queue.jobs.clear()
    enqueue_due(store, queue, shards=["0"], now=NOW, run_id="retry")
    retried = {j.subscriber_id for j in queue.jobs}
    # Everyone not yet mailed is queued again (the sender's claim drops any duplicate); nobody is skipped.
    assert retried == {f"a{i}" for i in range(300)} - store.done
