"""Reading back a range of the articles table's stream: what an on-failure destination message names.

Lambda's on-failure record for a stream batch holds only the shard and the first and last sequence numbers
(``DDBStreamBatchInfo``); the article ids are in the stream, which keeps records for 24 hours.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.errors import StreamRangeGone

# A range is at most one batch (BatchSize records); pages of an open shard can come back empty, so a few
# more calls than that are allowed before giving up.
MAX_PAGES = 50


class StreamRangeReader:
    def __init__(self, client: Any | None = None) -> None:
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> Any:
        import boto3  # on first use: see dal/dynamodb.py

        return boto3.client("dynamodbstreams")

    def new_images(self, batch_info: dict[str, Any]) -> list[dict[str, Any]]:
        """The new images of the INSERT/MODIFY records from startSequenceNumber to endSequenceNumber."""
        start, end = int(batch_info["startSequenceNumber"]), int(batch_info["endSequenceNumber"])
        try:
            iterator = self.client.get_shard_iterator(
                StreamArn=batch_info["streamArn"],
                ShardId=batch_info["shardId"],
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=str(start),
            ).get("ShardIterator")
            images: list[dict[str, Any]] = []
            for _ in range(MAX_PAGES):
                if not iterator:
                    break
                page = self.client.get_records(ShardIterator=iterator, Limit=100)
                for record in page.get("Records", []):
                    data = record["dynamodb"]
                    if int(data["SequenceNumber"]) > end:
                        return images
                    if record["eventName"] in {"INSERT", "MODIFY"} and data.get("NewImage"):
                        images.append(_plain(data["NewImage"]))
                iterator = page.get("NextShardIterator")
            return images
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in {
                "TrimmedDataAccessException",
                "ResourceNotFoundException",
                "ExpiredIteratorException",
            }:
                raise StreamRangeGone(f"stream range {start}-{end} is no longer readable ({code})") from exc
            raise


def _plain(image: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer  # boto3 on first use, as the clients

    deserializer = TypeDeserializer()
    return {key: deserializer.deserialize(value) for key, value in image.items()}
