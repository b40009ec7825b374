"""Service routes: health, the OpenAPI document and its Swagger UI (assets inlined: no CDN)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from newsdigest.api.app import VERSION, openapi_document
from newsdigest.models import Health

router = APIGatewayRouter()


@router.get(
    "/health",
    summary="Liveness",
    responses={200: {"description": "Up", "content": {"application/json": {"model": Health}}}},
)
def get_health() -> Health:
    return Health(status="ok", version=VERSION)


@lru_cache(maxsize=1)
def _document() -> str:
    return openapi_document()


@router.get("/openapi.json", summary="This API's OpenAPI document", include_in_schema=False)
def get_openapi() -> Response[str]:
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=_document(),
        headers={"Cache-Control": "public, max-age=300"},
    )


@lru_cache(maxsize=1)
def _swagger_page() -> str:
    import aws_lambda_powertools.event_handler as handler_package
    from aws_lambda_powertools.event_handler.openapi.swagger_ui import generate_swagger_html

    assets = Path(handler_package.__file__).parent / "openapi" / "swagger_ui"
    return generate_swagger_html(
        _document().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(encoding="utf-8"),
        (assets / "swagger-ui.min.css").read_text(encoding="utf-8"),
        "",
        None,
    )


@router.get("/docs", summary="Swagger UI", include_in_schema=False)
def get_docs() -> Response[str]:
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=_swagger_page(),
        headers={"Cache-Control": "public, max-age=300"},
    )
