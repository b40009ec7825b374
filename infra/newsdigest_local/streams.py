"""The DynamoDB stream event source mapping, emulated: poll the table's stream, filter, batch, invoke,
honour ReportBatchItemFailures, retry, bisect on error, then hand the batch to the on-failure destination."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3

from newsdigest_local.runtime import LocalRuntime
from newsdigest_local.template import REGION, StreamSource


def matches(pattern: Any, value: Any) -> bool:
    """The subset of EventBridge/Lambda filter patterns templates use: nested objects, lists of allowed
    values, and {"exists": bool} / {"prefix": str} / {"anything-but": [...]}."""
    if isinstance(pattern, dict):
        if not isinstance(value, dict):
            return False
        for key, sub in pattern.items():
            if isinstance(sub, list) and any(isinstance(o, dict) and "exists" in o for o in sub):
                wanted = next(o["exists"] for o in sub if isinstance(o, dict) and "exists" in o)
                if (key in value) != wanted:
                    return False
                continue
            if key not in value or not matches(sub, value[key]):
                return False
        return True
    if isinstance(pattern, list):
        for option in pattern:
            if isinstance(option, dict):
                if "prefix" in option and isinstance(value, str) and value.startswith(option["prefix"]):
                    return True
                if "anything-but" in option:
                    banned = option["anything-but"]
                    banned = banned if isinstance(banned, list) else [banned]
                    if value not in banned:
                        return True
            elif option == value:
                return True
        return False
    return bool(pattern == value)


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as the Lambda event source mapping hands it to the function."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": record.get("eventID", uuid.uuid4().hex),
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": record.get("awsRegion", REGION),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


class StreamPoller(threading.Thread):
    def __init__(
        self,
        source: StreamSource,
        stream_arn: str,
        runtime: LocalRuntime,
        failure_queue_url: str | None,
        poll_interval: float = 0.2,
        retry_delay: float = 0.2,
    ) -> None:
        super().__init__(name=f"stream-{source.function}", daemon=True)
        self.source = source
        self.stream_arn = stream_arn
        self.runtime = runtime
        self.failure_queue_url = failure_queue_url
        self.poll_interval = poll_interval
        self.retry_delay = retry_delay
        self._stop_event = threading.Event()
        self._iterators: dict[str, str | None] = {}
        self.streams = boto3.client("dynamodbstreams", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.delivered = 0
        self.dead_lettered = 0

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                records = self.poll_once()
            except Exception as exc:  # a hiccup of the stand-in must not kill the mapping
                self.runtime.log(f"stream poller {self.source.function}: {type(exc).__name__}: {exc}")
                records = 0
            if not records:
                self._stop_event.wait(self.poll_interval)

    def _shard_iterators(self) -> dict[str, str | None]:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in self._iterators:
                position = "TRIM_HORIZON" if self.source.starting_position == "TRIM_HORIZON" else "LATEST"
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=position
                )["ShardIterator"]
        return self._iterators

    def poll_once(self) -> int:
        """Read what the stream has, deliver it in batches; returns the number of records read."""
        seen = 0
        for shard_id, iterator in list(self._shard_iterators().items()):
            if iterator is None:
                continue
            response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = response.get("NextShardIterator")
            records = [lambda_record(r, self.stream_arn) for r in response.get("Records", [])]
            seen += len(records)
            wanted = [
                r
                for r in records
                if not self.source.filters or any(matches(f, r) for f in self.source.filters)
            ]
            for i in range(0, len(wanted), self.source.batch_size):
                self.deliver(wanted[i : i + self.source.batch_size], shard_id)
        return seen

    def deliver(self, batch: list[dict[str, Any]], shard_id: str, attempts: int = 0) -> None:
        pending = batch
        while pending:
            what = f"stream batch of {len(pending)} record(s)" + (f", retry {attempts}" if attempts else "")
            try:
                result = self.runtime.invoke(self.source.function, {"Records": pending}, what, _failures)
            except Exception:
                if self._exhausted(attempts):
                    self._dead_letter(pending, shard_id, attempts + 1, "Unhandled")
                    return
                attempts += 1
                if self.source.bisect and len(pending) > 1:
                    half = len(pending) // 2
                    self.deliver(pending[:half], shard_id, attempts)
                    self.deliver(pending[half:], shard_id, attempts)
                    return
                self._stop_event.wait(self.retry_delay)
                continue
            failed = {f.get("itemIdentifier") for f in (result or {}).get("batchItemFailures", [])}
            if not self.source.report_failures or not failed:
                self.delivered += len(pending)
                return
            # Like Lambda: checkpoint before the first failed record and retry from there.
            # An identifier that names no record of the batch fails the whole batch, as on Lambda.
            first = min(
                (i for i, r in enumerate(pending) if r["dynamodb"]["SequenceNumber"] in failed), default=0
            )
            self.delivered += first
            pending = pending[first:]
            if self._exhausted(attempts):
                self._dead_letter(pending, shard_id, attempts + 1, None)
                return
            attempts += 1
            self._stop_event.wait(self.retry_delay)

    def _exhausted(self, attempts: int) -> bool:
        return self.source.max_retries >= 0 and attempts >= self.source.max_retries

    def _dead_letter(
        self, batch: list[dict[str, Any]], shard_id: str, invocations: int, error: str | None
    ) -> None:
        self.dead_lettered += len(batch)
        if not self.failure_queue_url:
            self.runtime.log(
                f"{self.source.function}: dropped {len(batch)} record(s) after {invocations} attempts"
            )
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:local:function:{self.source.function}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": error},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(QueueUrl=self.failure_queue_url, MessageBody=json.dumps(message, default=str))
        self.runtime.log(f"{self.source.function}: {len(batch)} record(s) sent to the on-failure destination")


def _failures(result: Any) -> str:
    failures = len((result or {}).get("batchItemFailures", []))
    return f"ok, {failures} failed record(s)" if failures else "ok"


def wait_idle(pollers: list[StreamPoller], timeout: float = 10.0) -> None:
    """Block until every poller has read and delivered what the stream holds (tests, `invoke`)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(p.poll_once() == 0 for p in pollers):
            return
    raise TimeoutError("the stream still had records after the timeout")
