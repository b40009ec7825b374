"""What every DynamoDB store shares: one cached Table resource per table name, or one a test hands in."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3


@lru_cache(maxsize=8)
def cached_table(name: str) -> Any:
    # AWS_ENDPOINT_URL (set by the local stack) is honoured by boto3 itself.
    return boto3.resource("dynamodb").Table(name)


class TableStore:
    def __init__(self, table_name: str, table: Any | None = None) -> None:
        self._name = table_name
        self._given = table

    @property
    def table(self) -> Any:
        return self._given if self._given is not None else cached_table(self._name)
