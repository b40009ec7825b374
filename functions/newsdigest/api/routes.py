"""Which routers each Lambda function serves; the OpenAPI document covers them all.

Imports are inside the functions: a function's cold start pays only for the routes it serves.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest.api.app import NewsApiResolver, build_resolver
from newsdigest.api.openapi import DESCRIPTION, SECURITY_SCHEMES, TITLE, VERSION
from newsdigest.config import Settings


def write_routers() -> list[APIGatewayRouter]:
    from newsdigest.api import articles, feeds

    return [articles.write_router, feeds.write_router]


def read_routers() -> list[APIGatewayRouter]:
    from newsdigest.api import articles, digests, feeds, service

    return [
        articles.read_router,
        feeds.read_router,
        digests.router,
        service.service_router(openapi_document),
    ]


def subscription_routers() -> list[APIGatewayRouter]:
    from newsdigest.api import subscriptions

    return [subscriptions.router]


def all_routers() -> list[APIGatewayRouter]:
    return write_routers() + read_routers() + subscription_routers()


def openapi_resolver() -> NewsApiResolver:
    return build_resolver(*all_routers(), settings=Settings())


def openapi_document() -> str:
    return openapi_resolver().get_openapi_json_schema(
        title=TITLE, version=VERSION, description=DESCRIPTION, security_schemes=SECURITY_SCHEMES
    )
