"""Feed routes: follow, unfollow and import (IngestFunction, API key), list, show and export (ApiFunction)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest import wiring
from newsdigest.api.errors import documented_errors
from newsdigest.api.http import cached
from newsdigest.api.openapi import API_KEY_SCHEME
from newsdigest.config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from newsdigest.errors import FeedNotFound
from newsdigest.feeds.feed import FEED_ID, FeedCreated, FeedIn, FeedOut, FeedPage, OpmlImportResult
from newsdigest.observability import MetricUnit, metrics

write_router = APIGatewayRouter()
read_router = APIGatewayRouter()

FeedId = Annotated[str, Path(description="The feed id returned by POST /feeds.")]
WRITE_SECURITY: list[dict[str, list[str]]] = [{API_KEY_SCHEME: []}]


def _json(model: type, description: str) -> Any:
    return {"description": description, "content": {"application/json": {"model": model}}}


def _valid_id(feed_id: str) -> str:
    if not FEED_ID.match(feed_id):
        raise FeedNotFound(feed_id)  # not an id we could have issued: no need to ask DynamoDB
    return feed_id


@write_router.post(
    "/feeds",
    summary="Follow a feed (RSS, Atom or JSON Feed)",
    description="The URL must pass the fetcher's rules (422 `url_refused` names the rule; no connection "
    "is made). The feed is first polled by the next run of the feed schedule.",
    security=WRITE_SECURITY,
    responses={
        200: _json(FeedCreated, "Already followed (nothing changed)"),
        201: _json(FeedCreated, "Followed"),
        **documented_errors(400, 401, 403, 413, 415, 422),
    },
)
def post_feed(feed: FeedIn) -> Response[dict]:
    services = wiring.services
    from newsdigest.feeds import registry  # OPML, parsing: on first use

    result = registry.add_feed(feed, services.feed_store, services.fetcher, services.clock())
    metrics.add_metric(name=f"Feeds{result.status.capitalize()}", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=201 if result.status == "created" else 200,
        content_type=content_types.APPLICATION_JSON,
        body=result.model_dump(mode="json"),
        headers={"Location": f"/feeds/{result.id}"},
    )


@write_router.post(
    "/feeds/import",
    summary="Follow every feed of an OPML document; one result per feed outline",
    description="Send the OPML file as the body (Content-Type text/x-opml or application/xml). A DOCTYPE "
    "(so any entity) is refused. At most 100 feed outlines per request.",
    security=WRITE_SECURITY,
    responses={
        200: _json(OpmlImportResult, "One result per feed outline, in order"),
        **documented_errors(400, 401, 403, 413, 415, 422),
    },
)
def post_opml() -> OpmlImportResult:
    services = wiring.services
    event = write_router.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        body = base64.b64decode(body).decode("utf-8")
    from newsdigest.feeds import registry  # OPML, parsing: on first use

    result = registry.import_opml(body, services.feed_store, services.fetcher, services.clock())
    metrics.add_metric(name="FeedsImported", unit=MetricUnit.Count, value=result.created)
    return result


@write_router.delete(
    "/feeds/<feed_id>",
    summary="Stop following a feed (its articles stay)",
    security=WRITE_SECURITY,
    responses={204: {"description": "Deleted", "content": {}}, **documented_errors(401, 403, 404)},
)
def delete_feed(feed_id: FeedId) -> Response[str]:
    wiring.services.feed_store.delete(_valid_id(feed_id))
    metrics.add_metric(name="FeedsDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204, body="")


@read_router.get(
    "/feeds",
    summary="List the followed feeds, newest first",
    responses={200: _json(FeedPage, "A page of feeds"), **documented_errors(400, 422)},
)
def get_feeds(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="next_cursor of the previous page")
    ] = None,
) -> FeedPage:
    services = wiring.services
    from newsdigest.feeds import registry  # OPML, parsing: on first use

    return registry.list_feeds(services.feed_store, limit=limit, cursor=cursor, keys=services.signing_keys)


@read_router.get(
    "/feeds.opml",
    summary="Every followed feed as an OPML 2.0 document",
    responses={
        200: {"description": "OPML", "content": {"text/x-opml": {"schema": {"type": "string"}}}},
        304: {"description": "Not modified (If-None-Match matched)", "content": {}},
    },
)
def get_opml() -> Response[str]:
    from newsdigest.feeds import registry  # OPML, parsing: on first use

    document = registry.export_opml(wiring.services.feed_store)
    return cached(
        read_router.current_event,
        document,
        cache_control="no-cache",
        content_type="text/x-opml; charset=utf-8",
    )


@read_router.get(
    "/feeds/<feed_id>",
    summary="One feed: its settings and how its polls went",
    responses={200: _json(FeedOut, "The feed"), **documented_errors(404, 422)},
)
def get_feed(feed_id: FeedId) -> FeedOut:
    return FeedOut.of(wiring.services.feed_store.get(_valid_id(feed_id)))
