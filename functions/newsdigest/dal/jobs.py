"""Job queues (SQS): the hourly run puts one message per due subscriber (digest queue), the feed schedule
one per due feed (feed queue)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import boto3
from pydantic import BaseModel

_BATCH = 10  # SendMessageBatch limit


class JobQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        if client is not None:
            self.client = client
        self.calls = 0

    @cached_property
    def client(self) -> Any:
        return boto3.client("sqs")

    def enqueue(self, jobs: Sequence[BaseModel]) -> None:
        for start in range(0, len(jobs), _BATCH):
            chunk = {str(i): job for i, job in enumerate(jobs[start : start + _BATCH])}
            for _attempt in range(3):
                entries = [{"Id": i, "MessageBody": job.model_dump_json()} for i, job in chunk.items()]
                self.calls += 1
                failed = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries).get(
                    "Failed", []
                )
                chunk = {f["Id"]: chunk[f["Id"]] for f in failed}
                if not chunk:
                    break
            if chunk:
                raise RuntimeError(f"SQS refused {len(chunk)} job(s) three times")
