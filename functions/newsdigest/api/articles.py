"""Article routes: writes (ingest function) and reads (API function) on separate routers, so each
Lambda function carries only the routes - and the IAM permissions - it needs."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest import catalog
from newsdigest.api.dependencies import article_store, settings
from newsdigest.config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from newsdigest.errors import ArticleNotFound
from newsdigest.ids import ID_LENGTH
from newsdigest.ingest import ingest_article, ingest_batch
from newsdigest.models import (
    ArticleIn,
    ArticleOut,
    ArticlePage,
    BatchIn,
    BatchResult,
    DigestOut,
    IngestResult,
)
from newsdigest.observability import MetricUnit, metrics

write_router = APIGatewayRouter()
read_router = APIGatewayRouter()

_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
ArticleId = Annotated[str, Path(description="The article id returned by POST /articles.")]


@write_router.post(
    "/articles",
    summary="Ingest one article",
    responses={
        200: {
            "description": "Already stored (unchanged) or updated",
            "content": {"application/json": {"model": IngestResult}},
        },
        201: {
            "description": "Stored for the first time",
            "content": {"application/json": {"model": IngestResult}},
        },
    },
)
def post_article(article: ArticleIn) -> Response[dict]:
    result = ingest_article(article, article_store())
    metrics.add_metric(name=f"Articles{result.status.capitalize()}", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=201 if result.status == "created" else 200,
        content_type=content_types.APPLICATION_JSON,
        body=result.model_dump(mode="json"),
        headers={"Location": f"/articles/{result.id}"},
    )


@write_router.post("/articles/batch", summary="Ingest up to 25 articles; one result per article")
def post_batch(batch: BatchIn) -> BatchResult:
    result = ingest_batch(batch.articles, article_store())
    for status in ("created", "updated", "unchanged", "failed"):
        metrics.add_metric(
            name=f"Batch{status.capitalize()}", unit=MetricUnit.Count, value=getattr(result, status)
        )
    return result


def _find(article_id: str):
    if not _ID.match(article_id):
        raise ArticleNotFound(article_id)  # not an id we could have issued: no need to ask DynamoDB
    return article_store().get_article(article_id)


@read_router.get("/articles", summary="List articles, newest first")
def get_articles(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="next_cursor of the previous page")
    ] = None,
    date: Annotated[
        date | None, Query(description="Only articles ingested on this UTC day (YYYY-MM-DD)")
    ] = None,
) -> ArticlePage:
    return catalog.list_articles(
        article_store(), limit=limit, cursor=cursor, day=date, secret=settings().signing_secret
    )


@read_router.get("/articles/<article_id>", summary="One article")
def get_article(article_id: ArticleId) -> ArticleOut:
    article = _find(article_id)
    return ArticleOut.model_validate(article.model_dump())


@read_router.get("/articles/<article_id>/digest", summary="The digest, outline and keywords of one article")
def get_digest(article_id: ArticleId) -> DigestOut:
    return catalog.digest_of(_find(article_id))
