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
}


def documented_errors(*codes: int) -> dict[int, Any]:
    """OpenAPI response entries for the error statuses a route can answer (all share ErrorResponse)."""
    from newsdigest.models import ErrorResponse

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

    @app.exception_handler(ArticleNotFound)
    def _not_found(exc: ArticleNotFound) -> Response:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(InvalidCursor)
    def _cursor(exc: InvalidCursor) -> Response:
        return error_response(
            400, "invalid_cursor", str(exc), [{"field": "cursor", "type": "invalid", "message": str(exc)}]
        )

    @app.exception_handler(InvalidQuery)
    def _query(exc: InvalidQuery) -> Response:
        details = [{"field": exc.field, "type": "invalid", "message": str(exc)}]
        return error_response(422, "validation_error", f"invalid request: {exc.field}: {exc}", details)

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
