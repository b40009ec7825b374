"""The DynamoDB stream event source mapping, emulated: poll the table's stream, filter, batch, invoke,
honour ReportBatchItemFailures, retry, bisect on error, then hand the batch to the on-failure destination."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3

from newsdigest_local.runtime import LocalRuntime
from newsdigest_local.template import ACCOUNT, REGION, StreamSource


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


# How many GetRecords calls may go into filling one batch when the filter drops most records.
MAX_READS_PER_BATCH = 10
# A range handed to an on-failure destination is read back by its consumer (SummarizeFailuresFunction):
# AWS keeps stream records 24 h; locally the records from such a range on are kept this long.
FAILED_RANGE_HOLD_SECONDS = 600.0


def _moto_stream_shard(table_name: str) -> Any:
    """moto's in-process copy of a table's stream (the stack's moto server runs in this process)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[ACCOUNT][REGION].tables.get(table_name)
    return getattr(table, "stream_shard", None)


def guard_stream(table_name: str) -> threading.Lock | None:
    """Serialise moto's appends to and reads from a table's stream with ``trim_stream``: moto numbers a
    record by ``len(items)`` and reads by offset, so a trim must not interleave with either. Call before
    anything writes to the table. Returns the lock (None when the table has no stream here)."""
    shard = _moto_stream_shard(table_name)
    if shard is None:
        return None
    lock: threading.Lock | None = shard.__dict__.get("_local_stack_lock")
    if lock is None:
        lock = threading.Lock()
        add, get = shard.add, shard.get

        def locked_add(old: Any, new: Any) -> None:
            with lock:
                add(old, new)

        def locked_get(start: int, quantity: int) -> list[dict[str, Any]]:
            with lock:
                if start < shard.starting_sequence_number:  # trimmed: AWS's answer, not moto's 500
                    from moto.core.exceptions import JsonRESTError

                    raise JsonRESTError(
                        "TrimmedDataAccessException", f"sequence number {start} is beyond the trim horizon"
                    )
                return list(get(start, quantity))

        shard.add, shard.get, shard._local_stack_lock = locked_add, locked_get, lock
    return lock


def trim_stream(table_name: str, upto: int) -> int:
    """Drop the records up to sequence number ``upto`` (inclusive) from moto's copy of the stream; the
    sequence numbers of the rest and of later records stay as they were. Returns how many went.

    moto keeps every record - the old and the new image of every write - for as long as the process
    lives (AWS keeps them 24 h); under load that was most of the stack's memory. Locally a record goes
    once every mapping of the stream has been handed it (a reader starting at TRIM_HORIZON then sees
    the oldest record not yet handed on)."""
    shard = _moto_stream_shard(table_name)
    lock = guard_stream(table_name)
    if shard is None or lock is None:
        return 0
    with lock:
        count = min(upto + 1 - shard.starting_sequence_number, len(shard.items))
        if count <= 0:
            return 0
        del shard.items[:count]
        shard.starting_sequence_number += count
    return count


def forget_shard_iterator(iterator: str | None) -> None:
    """moto keeps every shard iterator it hands out (one per GetRecords call, ~2 KB each) for ever."""
    if not iterator:
        return
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    dynamodbstreams_backends[ACCOUNT][REGION].shard_iterators.pop(iterator, None)


class StreamTrimmer:
    """Trims a table's stream up to the lowest checkpoint of the mappings that read it."""

    def __init__(
        self,
        table_name: str,
        readers: int,
        hold_seconds: float = FAILED_RANGE_HOLD_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.table_name = table_name
        self.readers = readers
        self.hold_seconds = hold_seconds
        self._clock = clock
        self._positions: dict[str, int] = {}
        self._holds: dict[int, float] = {}  # first sequence number of a failed range -> kept until
        self._lock = threading.Lock()
        self.trimmed = 0
        guard_stream(table_name)

    def hold(self, first_sequence: int) -> None:
        """A range from ``first_sequence`` on went to an on-failure destination: keep it readable for a
        while (its consumer reads it back), as AWS's 24 h retention does."""
        with self._lock:
            self._holds[first_sequence] = self._clock() + self.hold_seconds

    def checkpoint(self, reader: str, sequence: int) -> None:
        with self._lock:
            self._positions[reader] = sequence
            if len(self._positions) < self.readers:
                return
            upto = min(self._positions.values())
            now = self._clock()
            self._holds = {first: until for first, until in self._holds.items() if until > now}
            if self._holds:
                upto = min(upto, min(self._holds) - 1)
        self.trimmed += trim_stream(self.table_name, upto)


class StreamPoller(threading.Thread):
    def __init__(
        self,
        source: StreamSource,
        stream_arn: str,
        runtime: LocalRuntime,
        failure_queue_url: str | None,
        poll_interval: float = 0.2,
        retry_delay: float = 0.2,
        on_checkpoint: Callable[[str, int], None] | None = None,
        on_dead_letter: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(name=f"stream-{source.function}", daemon=True)
        self.source = source
        self.stream_arn = stream_arn
        self.runtime = runtime
        self.failure_queue_url = failure_queue_url
        self.poll_interval = poll_interval
        self.retry_delay = retry_delay
        # Called with (poller name, sequence number) once every record up to it has been handled.
        self.on_checkpoint = on_checkpoint
        # Called with the first sequence number of a range before it goes to the on-failure destination.
        self.on_dead_letter = on_dead_letter
        # One batch per GetRecords call: AWS returns at most 1 MB a call, and moto would otherwise build
        # (and the client parse) responses of up to 1,000 records of full item images at once.
        self.read_limit = max(1, source.batch_size)
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
        """Read a batch from the stream and deliver it; returns the number of records read. The position
        moves on only once the batch is handled (delivered, or handed to the on-failure destination): an
        error in between reads the same records again, as Lambda's checkpoint would."""
        seen = 0
        for shard_id, iterator in list(self._shard_iterators().items()):
            if iterator is None or self._stop_event.is_set():
                continue
            # Fill one batch with records that pass the filter (Lambda filters before batching), a few
            # reads at most; records filtered out are not kept.
            wanted: list[dict[str, Any]] = []
            last_sequence: int | None = None
            following: str | None = iterator
            for _ in range(MAX_READS_PER_BATCH):
                assert following is not None
                response = self.streams.get_records(ShardIterator=following, Limit=self.read_limit)
                if following != iterator:
                    forget_shard_iterator(following)
                following = response.get("NextShardIterator")
                records = [lambda_record(r, self.stream_arn) for r in response.get("Records", [])]
                seen += len(records)
                if records:
                    last_sequence = int(records[-1]["dynamodb"]["SequenceNumber"])
                wanted += [
                    r
                    for r in records
                    if not self.source.filters or any(matches(f, r) for f in self.source.filters)
                ]
                if not records or not following or len(wanted) >= self.source.batch_size:
                    break
            try:
                for i in range(0, len(wanted), self.source.batch_size):
                    self.deliver(wanted[i : i + self.source.batch_size], shard_id)
            except BaseException:
                forget_shard_iterator(following)
                raise
            if self._stop_event.is_set():  # stopped mid-batch: not handled, so no checkpoint
                forget_shard_iterator(following)
                return seen
            self._iterators[shard_id] = following
            if following != iterator:
                forget_shard_iterator(iterator)
            if last_sequence is not None and self.on_checkpoint:
                self.on_checkpoint(self.name, last_sequence)
        return seen

    def deliver(self, batch: list[dict[str, Any]], shard_id: str, attempts: int = 0) -> None:
        pending = batch
        while pending:
            if self._stop_event.is_set():  # the stack is stopping: leave the rest unhandled
                return
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
        if self.on_dead_letter:
            self.on_dead_letter(int(first["SequenceNumber"]))
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
