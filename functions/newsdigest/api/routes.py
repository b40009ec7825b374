"""Which routers each Lambda function serves; the OpenAPI document covers them all."""

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest.api import articles, digests, service, subscriptions


def write_routers() -> list[APIGatewayRouter]:
    return [articles.write_router]


def read_routers() -> list[APIGatewayRouter]:
    return [articles.read_router, digests.router, service.router]


def subscription_routers() -> list[APIGatewayRouter]:
    return [subscriptions.router]


def all_routers() -> list[APIGatewayRouter]:
    return write_routers() + read_routers() + subscription_routers()
