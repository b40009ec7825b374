"""``newsdigest redrive``: put failed articles back in the summarizer's way, on the running local stack.

Each id goes through the same write route a client would call on AWS (``POST /articles/{id}/summarize``,
IngestFunction), invoked here directly, as ``newsdigest invoke`` does. ``--all-failed`` finds the articles
whose summary status is ``failed`` (a Scan: fine for a developer's stack, not for a production table).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3

from newsdigest_local.apigw import build_event
from newsdigest_local.template import REGION, Template


def failed_article_ids(table_name: str, endpoint: str) -> Iterator[str]:
    table = boto3.resource("dynamodb", region_name=REGION, endpoint_url=endpoint).Table(table_name)
    kwargs: dict[str, Any] = {
        "FilterExpression": "summary_status = :failed",
        "ExpressionAttributeValues": {":failed": "failed"},
        "ProjectionExpression": "id",
    }
    while True:
        page = table.scan(**kwargs)
        yield from (str(item["id"]) for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def redrive_event(article_id: str) -> dict[str, Any]:
    route = next(
        r
        for r in Template.load().routes
        if r.path == "/articles/{article_id}/summarize" and r.method.upper() == "POST"
    )
    return build_event(
        "POST", f"/articles/{article_id}/summarize", [], None, route, {"article_id": article_id}
    )
