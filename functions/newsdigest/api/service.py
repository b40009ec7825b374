"""Service routes: health, the OpenAPI document and its Swagger UI (assets inlined: no CDN)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest.api.models import Health
from newsdigest.api.openapi import VERSION


def _swagger_page(document: str) -> str:
    import aws_lambda_powertools.event_handler as handler_package
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(handler_package.__file__).parent / "openapi" / "swagger_ui"
    return generate_swagger_html(
        document.replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


def service_router(openapi_document: Callable[[], str]) -> APIGatewayRouter:
    """The service routes, given how to make the document of every route (which includes these)."""
    router = APIGatewayRouter()
    # Built on the first request that needs them; a CDN keeps them (Cache-Control) after that.
    built: dict[str, str] = {}

    def document() -> str:
        if "document" not in built:
            built["document"] = openapi_document()
        return built["document"]

    @router.get(
        "/health",
        summary="Liveness",
        responses={200: {"description": "Up", "content": {"application/json": {"model": Health}}}},
    )
    def get_health() -> Health:
        return Health(status="ok", version=VERSION)

    @router.get("/openapi.json", summary="This API's OpenAPI document", include_in_schema=False)
    def get_openapi() -> Response[str]:
        return Response(
            status_code=200,
            content_type=content_types.APPLICATION_JSON,
            body=document(),
            headers={"Cache-Control": "public, max-age=300"},
        )

    @router.get("/docs", summary="Swagger UI", include_in_schema=False)
    def get_docs() -> Response[str]:
        if "docs" not in built:
            built["docs"] = _swagger_page(document())
        return Response(
            status_code=200,
            content_type="text/html; charset=utf-8",
            body=built["docs"],
            headers={"Cache-Control": "public, max-age=300"},
        )

    return router
