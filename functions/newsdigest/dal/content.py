"""The content bucket (S3): article bodies too large for their DynamoDB item (the claim-check pattern).

An object is written *before* the item that points at it, so a pointer never names a missing object. Each
write gets a key of its own (``articles/<id>/<uuid>``) and is tagged ``newsdigest-claim=unreferenced``
until the item points at it; a lifecycle rule (template.yaml) expires tagged objects, which is how an object
whose item write failed (an orphan) goes away. The item holds the key and the object's sha256, checked on
every read.
"""

from __future__ import annotations

import hashlib
import uuid
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from newsdigest.errors import ContentUnavailable

CLAIM_TAG = "newsdigest-claim"
UNREFERENCED = f"{CLAIM_TAG}=unreferenced"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ContentStore:
    def __init__(self, bucket: str, client: Any | None = None) -> None:
        self.bucket = bucket
        if client is not None:
            self.client = client

    @cached_property
    def client(self) -> Any:
        import boto3  # on first use: see dal/dynamodb.py

        return boto3.client("s3")

    def put(self, article_id: str, data: bytes) -> tuple[str, str]:
        """Store ``data`` under a new key, tagged unreferenced; returns (key, sha256)."""
        key = f"articles/{article_id}/{uuid.uuid4().hex}"
        digest = sha256_hex(data)
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType="application/json",
            ChecksumSHA256=_b64_sha256(data),
            Tagging=UNREFERENCED,
        )
        return key, digest

    def referenced(self, key: str) -> None:
        """The item now points at ``key``: the lifecycle rule must leave it alone."""
        self.client.delete_object_tagging(Bucket=self.bucket, Key=key)

    def get(self, key: str, sha256: str) -> bytes:
        try:
            data: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except ClientError as exc:
            if exc.response["Error"]["Code"] in {"NoSuchKey", "404"}:
                raise ContentUnavailable(f"content object {key} is missing") from exc
            raise
        if sha256_hex(data) != sha256:
            raise ContentUnavailable(f"content object {key} does not match its sha256")
        return data

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


def _b64_sha256(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.sha256(data).digest()).decode()
