"""Article routes: writes (IngestFunction) and reads (ApiFunction) on separate routers, so each Lambda
function carries only the routes - and the IAM permissions - it needs."""

from __future__ import annotations

import re
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest import wiring
from newsdigest.api.errors import documented_errors
from newsdigest.api.http import NO_CACHE, cached
from newsdigest.api.openapi import API_KEY_SCHEME
from newsdigest.articles import catalog
from newsdigest.articles.ids import ID_LENGTH
from newsdigest.articles.models import (
    Article,
    ArticleOut,
    ArticlePage,
    ArticlePost,
    BatchIn,
    BatchResult,
    Day,
    DigestOut,
    IngestResult,
    PageIn,
    SummarizeRequested,
)
from newsdigest.config import DEFAULT_PAGE_SIZE, MAX_DATE_RANGE_DAYS, MAX_PAGE_SIZE, MAX_SOURCE_CHARS
from newsdigest.errors import ArticleNotFound
from newsdigest.observability import MetricUnit, metrics

# Ingest (and the summarizer's document parser it uses) is imported by the write routes when they first
# run: ApiFunction serves only the read router of this module and never loads it.
write_router = APIGatewayRouter()
read_router = APIGatewayRouter()

_ID = re.compile(rf"^[0-9a-f]{{{ID_LENGTH}}}$")
ArticleId = Annotated[str, Path(description="The article id returned by POST /articles.")]
WRITE_SECURITY: list[dict[str, list[str]]] = [{API_KEY_SCHEME: []}]
WRITE_ERRORS = (400, 401, 403, 413, 415, 422)
_ETAG: Any = {
    "ETag": {"description": "Strong validator; send it back as If-None-Match", "schema": {"type": "string"}}
}


def _json(model: type, description: str) -> Any:
    return {"description": description, "content": {"application/json": {"model": model}}}


@write_router.post(
    "/articles",
    summary="Ingest one article: its text, a whole web page as HTML, or a URL alone",
    description="With `body`: stored as sent (an HTML body that is a whole web page is stored as its "
    "extracted article, Markdown with the page's own section headings). With `url` alone: the service "
    "fetches the page (the safe fetcher's rules apply) and stores its extracted article. A page without "
    "article text is a 422 `no_article_text`; a refused URL a 422 `url_refused` naming the rule; a page "
    "that cannot be fetched a 502 (or 504 when it took too long).",
    security=WRITE_SECURITY,
    responses={
        200: _json(IngestResult, "Already stored (unchanged) or updated"),
        201: _json(IngestResult, "Stored for the first time"),
        **documented_errors(*WRITE_ERRORS, 502, 504),
    },
)
def post_article(article: Annotated[ArticlePost, Body()]) -> Response[dict]:
    from newsdigest.articles.ingest import ingest_article  # see write_router

    services = wiring.services
    if isinstance(article, PageIn):
        from newsdigest.articles.pages import fetched_article  # the fetcher and extractor: on first use

        article = fetched_article(article, services.fetcher)
    result = ingest_article(article, services.article_store, services.clock)
    metrics.add_metric(name=f"Articles{result.status.capitalize()}", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=201 if result.status == "created" else 200,
        content_type=content_types.APPLICATION_JSON,
        body=result.model_dump(mode="json"),
        headers={"Location": f"/articles/{result.id}"},
    )


@write_router.post(
    "/articles/batch",
    summary="Ingest up to 25 articles; one result per article",
    security=WRITE_SECURITY,
    responses={
        200: _json(BatchResult, "One result per article, in order"),
        **documented_errors(*WRITE_ERRORS),
    },
)
def post_batch(batch: BatchIn) -> BatchResult:
    from newsdigest.articles.ingest import ingest_batch  # see write_router

    services = wiring.services
    result = ingest_batch(batch.articles, services.article_store, services.clock)
    for status in ("created", "updated", "unchanged", "failed"):
        metrics.add_metric(
            name=f"Batch{status.capitalize()}", unit=MetricUnit.Count, value=getattr(result, status)
        )
    return result


@write_router.delete(
    "/articles/<article_id>",
    summary="Delete an article and its summary",
    security=WRITE_SECURITY,
    responses={204: {"description": "Deleted", "content": {}}, **documented_errors(401, 403, 404, 422)},
)
def delete_article(article_id: ArticleId) -> Response[str]:
    if not _ID.match(article_id):
        raise ArticleNotFound(article_id)
    wiring.services.article_store.delete_article(article_id)
    metrics.add_metric(name="ArticlesDeleted", unit=MetricUnit.Count, value=1)
    return Response(status_code=204, body="")


@write_router.post(
    "/articles/<article_id>/summarize",
    summary="Summarize an article again (redrive a failed one)",
    description="Sets the article pending and drops its summary; the summarizer picks it up from the "
    "table's stream. The way back for articles whose summary failed (status failed, with its error).",
    security=WRITE_SECURITY,
    responses={
        202: _json(SummarizeRequested, "The article is pending; poll its digest"),
        **documented_errors(401, 403, 404, 422),
    },
)
def post_summarize(article_id: ArticleId) -> Response[dict]:
    if not _ID.match(article_id):
        raise ArticleNotFound(article_id)
    services = wiring.services
    services.article_store.request_summary(article_id, services.clock())
    metrics.add_metric(name="SummariesRequested", unit=MetricUnit.Count, value=1)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=SummarizeRequested(id=article_id).model_dump(mode="json"),
        headers={"Location": f"/articles/{article_id}/digest"},
    )


def _find(article_id: str) -> Article:
    if not _ID.match(article_id):
        raise ArticleNotFound(article_id)  # not an id we could have issued: no need to ask DynamoDB
    return wiring.services.article_store.get_article(article_id)


@read_router.get(
    "/articles",
    summary="List articles, newest first",
    responses={200: _json(ArticlePage, "A page of articles"), **documented_errors(400, 422)},
)
def get_articles(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="next_cursor of the previous page")
    ] = None,
    date: Annotated[
        Day | None,
        Query(description="Only articles ingested on this UTC day, YYYY-MM-DD. Not with from/to (422)."),
    ] = None,
    from_: Annotated[
        Day | None,
        Query(
            alias="from",
            description="First UTC day of a range, YYYY-MM-DD. Not with date (422); not after to (422).",
        ),
    ] = None,
    to: Annotated[
        Day | None,
        Query(
            description="Last UTC day of a range (inclusive), YYYY-MM-DD; a range covers at most "
            f"{MAX_DATE_RANGE_DAYS} days (422)."
        ),
    ] = None,
    source: Annotated[
        str | None, Query(min_length=1, max_length=MAX_SOURCE_CHARS, description="Only this source")
    ] = None,
) -> ArticlePage:
    services = wiring.services
    return catalog.list_articles(
        services.article_store,
        limit=limit,
        cursor=cursor,
        keys=services.signing_keys,
        day=date,
        day_from=from_,
        day_to=to,
        source=source,
        now=services.clock(),
    )


@read_router.get(
    "/articles/<article_id>",
    summary="One article",
    responses={
        200: _json(ArticleOut, "The article") | {"headers": _ETAG},
        304: {"description": "Not modified (If-None-Match matched)", "content": {}},
        **documented_errors(404, 422),
    },
)
def get_article(article_id: ArticleId) -> Response[str]:
    article = ArticleOut.model_validate(_find(article_id).model_dump())
    return cached(read_router.current_event, article, cache_control="public, max-age=60")


@read_router.get(
    "/articles/<article_id>/digest",
    summary="The digest, outline and keywords of one article",
    responses={
        200: {
            **_json(DigestOut, "The digest (status pending until the summarizer has run)"),
            "headers": _ETAG,
        },
        304: {"description": "Not modified (If-None-Match matched)", "content": {}},
        **documented_errors(404, 422),
    },
)
def get_digest(article_id: ArticleId) -> Response[str]:
    if not _ID.match(article_id):
        raise ArticleNotFound(article_id)
    digest = catalog.digest_of(wiring.services.article_store.get_header(article_id))
    return cached(
        read_router.current_event,
        digest,
        cache_control=NO_CACHE if digest.status == "pending" else "public, max-age=300",
    )
