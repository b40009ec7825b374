"""Build the Powertools resolvers: one per Lambda function, plus one with every route for OpenAPI."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest.api.errors import PayloadTooLarge, register_error_handlers
from newsdigest.config import MAX_REQUEST_BYTES


def _refuse_huge_bodies(app: APIGatewayRestResolver, next_middleware: Callable[..., Response]) -> Response:
    # Before the JSON parser sees it: a 4 MB body of nesting should cost nothing.
    body = app.current_event.body
    if body is not None and len(body) > MAX_REQUEST_BYTES:
        raise PayloadTooLarge(len(body), MAX_REQUEST_BYTES)
    return next_middleware(app)


def build_resolver(*routers: APIGatewayRouter) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    register_error_handlers(app)
    app.use(middlewares=[_refuse_huge_bodies])
    for router in routers:
        app.include_router(router)
    return app


def openapi_resolver() -> APIGatewayRestResolver:
    from newsdigest.api.articles import read_router, write_router

    return build_resolver(write_router, read_router)
