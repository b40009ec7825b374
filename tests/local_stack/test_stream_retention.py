"""The local stream keeps only what its mappings have not been handed yet; moto alone keeps every
record (both images of every write) and every shard iterator for the life of the process."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from newsdigest_local.streams import StreamPoller, StreamTrimmer, trim_stream
from newsdigest_local.template import ACCOUNT, REGION, StreamSource

TABLE = "retention-test"


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield client


def shard() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION].tables[TABLE].stream_shard


def write(client: Any, *ids: str) -> None:
    for item_id in ids:
        client.put_item(TableName=TABLE, Item={"id": {"S": item_id}, "body": {"S": "x" * 1000}})


def test_trimming_keeps_sequence_numbers_and_what_is_left(table):
    trimmer = StreamTrimmer(TABLE, readers=1)  # guards moto's stream before anything is written
    write(table, "a", "b", "c", "d", "e")
    first = shard().starting_sequence_number
    assert trim_stream(TABLE, first + 2) == 3  # a, b, c are gone
    write(table, "f")
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    arn = table.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard_id = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    assert [r["dynamodb"]["Keys"]["id"]["S"] for r in records] == ["d", "e", "f"]
    assert [int(r["dynamodb"]["SequenceNumber"]) for r in records] == [first + 3, first + 4, first + 5]
    assert trimmer.trimmed == 0


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.log = lambda line: None

    def invoke(self, function: str, event: dict[str, Any], what: str, outcome: Any = None) -> Any:
        self.seen += [r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]]
        return {"batchItemFailures": []}


def test_a_poller_frees_what_it_handled_and_leaves_no_iterators_behind(table):
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    arn = table.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    trimmer = StreamTrimmer(TABLE, readers=1)
    source = StreamSource("Fn", TABLE, 10, 2, True, True, (), None, "TRIM_HORIZON")
    runtime = Recorder()
    poller = StreamPoller(source, arn, runtime, None, retry_delay=0, on_checkpoint=trimmer.checkpoint)  # type: ignore[arg-type]
    write(table, *[f"item-{i}" for i in range(25)])
    for _ in range(50):  # far more polls than there are records: idle polls too
        poller.poll_once()
    assert runtime.seen == [f"item-{i}" for i in range(25)]
    assert shard().items == [] and trimmer.trimmed == 25
    assert len(dynamodbstreams_backends[ACCOUNT][REGION].shard_iterators) <= 1
    # Later writes are still read, once
    write(table, "late")
    poller.poll_once()
    assert runtime.seen[-1] == "late" and runtime.seen.count("late") == 1


def test_a_stream_read_by_two_mappings_keeps_what_one_has_not_had(table):
    trimmer = StreamTrimmer(TABLE, readers=2)
    write(table, "a", "b", "c")
    first = shard().starting_sequence_number
    trimmer.checkpoint("fast", first + 2)
    assert len(shard().items) == 3  # the slow mapping has not reported yet
    trimmer.checkpoint("slow", first)
    assert [r.record["dynamodb"]["Keys"]["id"]["S"] for r in shard().items] == ["b", "c"]


def test_a_batch_is_filled_with_records_that_pass_the_filter(table):
    arn = table.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    only_even = ({"dynamodb": {"NewImage": {"even": {"S": ["yes"]}}}},)
    source = StreamSource("Fn", TABLE, 4, 2, True, True, only_even, None, "TRIM_HORIZON")
    batches: list[list[str]] = []

    class Batches(Recorder):
        def invoke(self, function: str, event: dict[str, Any], what: str, outcome: Any = None) -> Any:
            batches.append([r["dynamodb"]["Keys"]["id"]["S"] for r in event["Records"]])
            return {"batchItemFailures": []}

    poller = StreamPoller(source, arn, Batches(), None, retry_delay=0)  # type: ignore[arg-type]
    for i in range(16):
        item = {"id": {"S": f"i{i:02d}"}, "even": {"S": "yes" if i % 2 == 0 else "no"}}
        table.put_item(TableName=TABLE, Item=item)
    while poller.poll_once():
        pass
    assert batches == [["i00", "i02", "i04", "i06"], ["i08", "i10", "i12", "i14"]]


def test_a_range_sent_to_the_on_failure_destination_stays_readable_until_its_hold_ends(table):
    now = [0.0]
    trimmer = StreamTrimmer(TABLE, readers=1, hold_seconds=60, clock=lambda: now[0])
    write(table, "a", "b", "c", "d")
    first = shard().starting_sequence_number
    # The mapping hands b..c to its on-failure destination and moves past them
    trimmer.hold(first + 1)
    trimmer.checkpoint("mapping", first + 3)
    assert trimmer.trimmed == 1 and shard().starting_sequence_number == first + 1  # only a went
    # Once the hold is over, the next checkpoint frees the rest
    now[0] = 61.0
    trimmer.checkpoint("mapping", first + 3)
    assert trimmer.trimmed == 4 and shard().items == []


def test_reading_a_trimmed_range_is_aws_trimmed_data_error(table):
    from botocore.exceptions import ClientError

    StreamTrimmer(TABLE, readers=1)
    write(table, "a", "b")
    first = shard().starting_sequence_number
    trim_stream(TABLE, first)
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    arn = table.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    shard_id = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=str(first)
    )["ShardIterator"]
    with pytest.raises(ClientError) as raised:
        streams.get_records(ShardIterator=iterator)
    assert raised.value.response["Error"]["Code"] == "TrimmedDataAccessException"
