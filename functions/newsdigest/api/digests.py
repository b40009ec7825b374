"""Daily digests: JSON for programs, a self-contained HTML page for people."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest import wiring
from newsdigest.api.errors import documented_errors
from newsdigest.api.http import cached
from newsdigest.articles import catalog
from newsdigest.articles.daily_page import render_daily_digest
from newsdigest.articles.models import DAY_PATTERN, DailyDigest
from newsdigest.config import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_SOURCE_CHARS
from newsdigest.errors import InvalidQuery

router = APIGatewayRouter()
_DAY = re.compile(rf"^({DAY_PATTERN.strip('^$')})(\.html|\.json)?$")


def _wants_html(suffix: str | None, accept: str | None) -> bool:
    if suffix:
        return suffix == ".html"
    if not accept:
        return False
    # The first of text/html and application/json named in Accept wins (browsers name text/html first).
    html, json_ = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json_ < 0 or html < json_)


@router.get(
    "/digests/<day>",
    summary="The daily digest: every article of a day with its digest and outline",
    description="JSON by default; HTML with `Accept: text/html` or a .html suffix: /digests/2026-11-28.html",
    responses={
        200: {
            "description": "The day's articles, newest first",
            "content": {
                "application/json": {"model": DailyDigest},
                "text/html": {"schema": {"type": "string"}},
            },
            "headers": {
                "ETag": {"schema": {"type": "string"}},
                "Cache-Control": {"schema": {"type": "string"}},
            },
        },
        304: {"description": "Not modified (If-None-Match matched)", "content": {}},
        **documented_errors(400, 404, 422),
    },
)
def get_daily_digest(
    day: Annotated[
        str,
        Path(description="YYYY-MM-DD, optionally with .html or .json", max_length=32, pattern=_DAY.pattern),
    ],
    tz: Annotated[
        str, Query(max_length=64, description="IANA time zone of the day (default UTC); an unknown zone: 422")
    ] = "UTC",
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size")] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=1024, description="next_cursor of the previous page")
    ] = None,
    source: Annotated[
        str | None, Query(min_length=1, max_length=MAX_SOURCE_CHARS, description="Only this source")
    ] = None,
) -> Response[str]:
    match = _DAY.match(day)
    try:
        when = date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        when = None
    if when is None:
        raise InvalidQuery("day", f"{day!r} is not a day; use YYYY-MM-DD (optionally .html)")
    services = wiring.services
    digest = catalog.daily_digest(
        services.article_store,
        day=when,
        tz_name=tz,
        limit=limit,
        cursor=cursor,
        keys=services.signing_keys,
        source=source,
    )
    past = catalog.is_past(when, tz, services.clock())
    # A past day only changes when one of its articles is edited: a CDN may keep it for a day.
    cache_control = "public, max-age=3600, s-maxage=86400" if past else "public, max-age=60"
    event = router.current_event
    if _wants_html(match.group(2) if match else None, event.headers.get("Accept")):
        next_url = None
        if digest.next_cursor:
            query = {"tz": tz, "limit": limit, "cursor": digest.next_cursor} | (
                {"source": source} if source else {}
            )
            next_url = f"{when.isoformat()}.html?{urlencode(query)}"
        page = render_daily_digest(digest, next_url=next_url)
        return cached(event, page, cache_control=cache_control, content_type="text/html; charset=utf-8")
    return cached(event, digest, cache_control=cache_control)
