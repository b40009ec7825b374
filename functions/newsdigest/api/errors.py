"""Every error response has one shape: ``{"error": {"code", "message", "details"}}``.

Domain exceptions map to HTTP responses here and nowhere else: ``DOMAIN_ERRORS`` names every subclass of
``NewsdigestError`` once (a unit test holds it to that), and one handler answers them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from newsdigest.api.models import ErrorResponse
from newsdigest.errors import (
    ArticleNotFound,
    ArticleTooLarge,
    ConfirmLinkSuperseded,
    ContentUnavailable,
    DeliveryBusy,
    FeedError,
    FeedNotFound,
    FetchError,
    FetchFailed,
    FetchRefused,
    FetchTimeout,
    HTTPStatusError,
    InvalidCursor,
    InvalidQuery,
    InvalidToken,
    MailNotAllowed,
    MailRejected,
    MailUnavailable,
    NewsdigestError,
    NoArticleOnPage,
    StaleWrite,
    StreamRangeGone,
    SubscriberNotFound,
)
from newsdigest.observability import MetricUnit, logger, metrics
from newsdigest.validation import error_details, summary_message


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return body


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=error_body(code, message, details),
        headers=headers,
    )


_ERROR_DESCRIPTIONS = {
    400: "Malformed request: not JSON, not UTF-8, or a cursor this API did not issue",
    401: "No API key",
    403: "Missing or wrong API key",
    404: "No such resource",
    405: "Method not allowed on this path",
    413: "Body over the limit",
    415: "Body is not application/json",
    422: "A field is invalid; every such field is named in details",
    502: "The mail service refused the message, or the page/feed could not be fetched (the reason says why)",
    503: "A service we depend on is busy or cannot send email now; retry after Retry-After seconds",
    504: "The page/feed did not answer in time",
}
# Seconds a client should wait before retrying a 503 (SES throttling clears within a second or so; a busy
# delivery claim within its lease).
RETRY_AFTER_SECONDS = 30
# SES refuses the account's mail (sandbox, unverified sender, paused): an operator must act first.
MAIL_NOT_ALLOWED_RETRY_AFTER_SECONDS = 600


@dataclass(frozen=True)
class HttpError:
    status: int
    code: str
    message: str | None = None  # None: the exception's own message (written for the client)
    field: str | None = None  # the request field to name in details
    retry_after: int | None = None  # seconds, sent as Retry-After


# Every domain error, once. Messages of the mail errors come from SES and are not for clients.
DOMAIN_ERRORS: dict[type[NewsdigestError], HttpError] = {
    ArticleNotFound: HttpError(404, "not_found"),
    SubscriberNotFound: HttpError(404, "not_found"),
    InvalidCursor: HttpError(400, "invalid_cursor", field="cursor"),
    InvalidToken: HttpError(400, "invalid_token", field="token"),
    ConfirmLinkSuperseded: HttpError(400, "invalid_token", field="token"),
    InvalidQuery: HttpError(422, "validation_error"),
    ArticleTooLarge: HttpError(413, "payload_too_large", field="body"),
    ContentUnavailable: HttpError(
        503,
        "content_unavailable",
        "the article's content cannot be read now; retry later",
        retry_after=RETRY_AFTER_SECONDS,
    ),
    StreamRangeGone: HttpError(500, "internal_error", "something went wrong on our side; try again"),
    StaleWrite: HttpError(409, "conflict", "the resource changed while it was written; repeat the request"),
    DeliveryBusy: HttpError(
        503, "busy", "another request is handling this; retry later", retry_after=RETRY_AFTER_SECONDS
    ),
    # SES refusals (README "Sending email"): nothing was sent and nothing was recorded, so a retry sends.
    MailUnavailable: HttpError(
        503, "mail_unavailable", "the mail service is busy; retry later", retry_after=RETRY_AFTER_SECONDS
    ),
    MailNotAllowed: HttpError(
        503,
        "mail_not_allowed",
        "the service cannot send email to this address at the moment; retry later",
        retry_after=MAIL_NOT_ALLOWED_RETRY_AFTER_SECONDS,
    ),
    MailRejected: HttpError(502, "mail_rejected", "the mail service refused the message"),
    # Fetching a stranger's URL: the messages are ours and name the URL, the rule or the status.
    FeedNotFound: HttpError(404, "not_found"),
    FetchRefused: HttpError(422, "url_refused", field="url"),
    NoArticleOnPage: HttpError(422, "no_article_text"),
    FeedError: HttpError(422, "not_a_feed", field="url"),
    FetchTimeout: HttpError(504, "upstream_timeout"),
    FetchFailed: HttpError(502, "upstream_unreachable"),
    HTTPStatusError: HttpError(502, "upstream_status"),
    FetchError: HttpError(502, "upstream_error"),
}


def domain_error_response(exc: NewsdigestError) -> Response:
    mapping = next(DOMAIN_ERRORS[kind] for kind in type(exc).__mro__ if kind in DOMAIN_ERRORS)
    message = mapping.message or str(exc)
    if isinstance(exc, InvalidQuery):
        invalid = [{"field": exc.field, "type": "invalid", "message": message}]
        return error_response(
            mapping.status, mapping.code, f"invalid request: {exc.field}: {message}", invalid
        )
    details = [{"field": mapping.field, "type": "invalid", "message": message}] if mapping.field else None
    headers = {"Retry-After": str(mapping.retry_after)} if mapping.retry_after else None
    return error_response(mapping.status, mapping.code, message, details, headers)


def documented_errors(*codes: int) -> dict[int, Any]:
    """OpenAPI response entries for the error statuses a route can answer (all share ErrorResponse)."""
    return {
        code: {
            "description": _ERROR_DESCRIPTIONS[code],
            "content": {"application/json": {"model": ErrorResponse}},
        }
        for code in codes
    }


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        types = {str(e.get("type")) for e in errors}
        if "json_invalid" in types:
            ctx = next((e.get("ctx") or {} for e in errors if e.get("type") == "json_invalid"), {})
            reason = ctx.get("error", "malformed JSON")
            return error_response(400, "invalid_json", f"request body is not valid JSON: {reason}")
        details = error_details(errors)
        if "body_too_large" in types:
            message = next(d["message"] for d in details if d["type"] == "body_too_large")
            return error_response(413, "payload_too_large", message, details)
        return error_response(422, "validation_error", summary_message(details), details)

    @app.exception_handler(RequestUnsupportedContentType)
    def _content_type(exc: RequestUnsupportedContentType) -> Response:
        return error_response(415, "unsupported_media_type", "send the request body as application/json")

    @app.exception_handler(NewsdigestError)
    def _domain(exc: NewsdigestError) -> Response:
        if isinstance(exc, MailNotAllowed):
            # Every address is refused until an operator acts: an error line and a metric to alarm on.
            metrics.add_metric(name="MailNotAllowed", unit=MetricUnit.Count, value=1)
            logger.error(
                "SES refuses this account's mail: verify the sender, leave the sandbox (README)",
                extra={"error": str(exc)},
            )
        elif isinstance(exc, MailRejected | MailUnavailable):
            logger.warning("mail not sent", extra={"error": str(exc)})
        return domain_error_response(exc)

    @app.not_found
    def _no_route(exc: Exception) -> Response:
        event = app.current_event
        allowed = sorted(
            {
                route.method
                for route in app._static_routes + app._dynamic_routes
                if route.rule.match(event.path) and route.method != "OPTIONS"
            }
        )
        if allowed:
            return error_response(
                405,
                "method_not_allowed",
                f"{event.http_method} is not allowed on {event.path}; use {', '.join(allowed)}",
                headers={"Allow": ", ".join(allowed)},
            )
        return error_response(404, "not_found", f"no route for {event.http_method} {event.path}")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side; try again"
        )
