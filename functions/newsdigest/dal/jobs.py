"""The digest job queue (SQS): the hourly run puts one message per due subscriber."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3

from newsdigest.subscription_models import DigestJob

_BATCH = 10  # SendMessageBatch limit


@lru_cache(maxsize=1)
def _client() -> Any:
    return boto3.client("sqs")


class JobQueue:
    def __init__(self, queue_url: str, client: Any | None = None) -> None:
        self.queue_url = queue_url
        self._given = client
        self.calls = 0

    @property
    def client(self) -> Any:
        return self._given if self._given is not None else _client()

    def enqueue(self, jobs: list[DigestJob]) -> None:
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
                raise RuntimeError(f"SQS refused {len(chunk)} digest job(s) three times")
