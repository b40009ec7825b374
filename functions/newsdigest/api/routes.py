"""Which routers each Lambda function serves; the OpenAPI document covers them all.

Imports are inside the functions: a function's cold start pays only for the routes it serves.
"""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter


def write_routers() -> list[APIGatewayRouter]:
    from newsdigest.api import articles

    return [articles.write_router]


def read_routers() -> list[APIGatewayRouter]:
    from newsdigest.api import articles, digests, service

    return [articles.read_router, digests.router, service.router]


def subscription_routers() -> list[APIGatewayRouter]:
    from newsdigest.api import subscriptions

    return [subscriptions.router]


def all_routers() -> list[APIGatewayRouter]:
    return write_routers() + read_routers() + subscription_routers()
