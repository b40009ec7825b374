"""What every DynamoDB store shares: its Table resource, built on first use or handed in by a test.

A store is built once per cold start (by ``newsdigest.wiring``), so its table is too. boto3 is imported
when the table is first needed, not when this module is: a cold start pays for it (~0.1-0.4 s) inside
the first request that reads or writes, and a function that never touches a table never pays.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any


class TableStore:
    def __init__(self, table_name: str, table: Any | None = None) -> None:
        self.table_name = table_name
        if table is not None:
            self.table = table

    @cached_property
    def table(self) -> Any:
        import boto3

        # AWS_ENDPOINT_URL (set by the local stack) is honoured by boto3 itself.
        return boto3.resource("dynamodb").Table(self.table_name)
