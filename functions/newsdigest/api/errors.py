"""Every error response has one shape: ``{"error": {"code", "message", "details"}}``.

Domain exceptions map to HTTP status codes here and nowhere else.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from newsdigest.errors import ArticleNotFound, InvalidCursor, InvalidQuery
from newsdigest.observability import logger
from newsdigest.validation import error_details, summary_message


class PayloadTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"request body is {size} bytes; the limit is {limit} bytes")


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    if details:
        body["error"]["details"] = details
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


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

    @app.exception_handler(PayloadTooLarge)
    def _too_large(exc: PayloadTooLarge) -> Response:
        return error_response(413, "payload_too_large", str(exc))

    @app.exception_handler(ArticleNotFound)
    def _not_found(exc: ArticleNotFound) -> Response:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(InvalidCursor)
    def _cursor(exc: InvalidCursor) -> Response:
        return error_response(400, "invalid_cursor", str(exc), [{"field": "cursor", "message": str(exc)}])

    @app.exception_handler(InvalidQuery)
    def _query(exc: InvalidQuery) -> Response:
        return error_response(400, "invalid_query", str(exc), [{"field": exc.field, "message": str(exc)}])

    @app.not_found
    def _no_route(exc: Exception) -> Response:
        event = app.current_event
        return error_response(404, "not_found", f"no route for {event.http_method} {event.path}")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response(
            HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side; try again"
        )
