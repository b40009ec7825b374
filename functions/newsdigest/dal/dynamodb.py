"""What every DynamoDB store shares: its Table resource, built on first use or handed in by a test.

A store is built once per cold start (by ``newsdigest.wiring``), so its table is too.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import boto3


class TableStore:
    def __init__(self, table_name: str, table: Any | None = None) -> None:
        self.table_name = table_name
        if table is not None:
            self.table = table

    @cached_property
    def table(self) -> Any:
        # AWS_ENDPOINT_URL (set by the local stack) is honoured by boto3 itself.
        return boto3.resource("dynamodb").Table(self.table_name)
