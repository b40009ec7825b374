"""API Gateway (REST, proxy integration) on loopback: HTTP requests become the events API Gateway would
send, routed by the template's Api events to the same handlers."""

from __future__ import annotations

import base64
import hmac
import json
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newsdigest_local.runtime import LocalRuntime, RuntimeClosed
from newsdigest_local.template import ACCOUNT, ApiRoute

STAGE = "local"


def build_event(
    method: str,
    raw_path: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    route: ApiRoute | None,
    path_params: dict[str, str] | None,
) -> dict[str, Any]:
    split = urlsplit(raw_path)
    # A REST API hands the function the path as sent (still percent-encoded); only the path parameters
    # arrive decoded (match_route decodes them).
    path = split.path
    query = parse_qsl(split.query, keep_blank_values=True)
    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        multi_headers.setdefault(name, []).append(value)
    multi_query: dict[str, list[str]] = {}
    for name, value in query:
        multi_query.setdefault(name, []).append(value)
    text: str | None = None
    is_b64 = False
    if body:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text, is_b64 = base64.b64encode(body).decode(), True
    now = time.time()
    resource = route.path if route else path
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {k: v[-1] for k, v in multi_headers.items()} or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": path_params or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": "local",
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "requestTimeEpoch": int(now * 1000),
            "identity": {"sourceIp": "127.0.0.1", "userAgent": dict(headers).get("User-Agent", "")},
        },
        "body": text,
        "isBase64Encoded": is_b64,
    }


def match_route(
    routes: list[ApiRoute], method: str, path: str
) -> tuple[ApiRoute | None, dict[str, str], list[str]]:
    """API Gateway's lookup: first the resource - the whole path must match (a literal segment wins over a
    ``{param}``, which wins over a greedy ``{param+}``) - then the method on that resource only. Returns the
    route, its path parameters (URL-decoded, as API Gateway hands them over) and the resource's methods.

    ``path`` is the request path as sent (still percent-encoded): a parameter is one raw segment, so
    ``%2F`` stays inside its parameter and ``%0A`` is an ordinary character of it."""
    found = [(route.rank, route) for route in routes if route.pattern.fullmatch(path)]
    if not found:
        return None, {}, []
    resource = min(found, key=lambda pair: pair[0])[1].path
    on_resource = [route for _, route in found if route.path == resource]
    allowed = sorted({route.method for route in on_resource})
    for route in on_resource:
        if route.method in {method, "ANY"}:
            match = route.pattern.fullmatch(path)
            assert match is not None
            return route, {k: unquote(v) for k, v in match.groupdict().items()}, allowed
    return None, {}, allowed


def preflight_headers(cors: dict[str, Any]) -> dict[str, str]:
    """SAM's Cors values are quoted header values ("'GET,POST'")."""
    names = {
        "AllowOrigin": "Access-Control-Allow-Origin",
        "AllowMethods": "Access-Control-Allow-Methods",
        "AllowHeaders": "Access-Control-Allow-Headers",
        "MaxAge": "Access-Control-Max-Age",
    }
    return {header: str(cors[key]).strip("'") for key, header in names.items() if cors.get(key)}


# API Gateway's own answers when no function runs: (status, body) as AWS sends them without a template's
# GatewayResponses; the template's GatewayResponses replace them (ApiServer.gateway_response).
AWS_GATEWAY_RESPONSES: dict[str, tuple[int, str]] = {
    "MISSING_AUTHENTICATION_TOKEN": (403, '{"message":"Missing Authentication Token"}'),
    "INVALID_API_KEY": (403, '{"message":"Forbidden"}'),
    "REQUEST_TOO_LARGE": (413, '{"message":"Request Too Long"}'),
    "DEFAULT_5XX": (502, '{"message": "Internal server error"}'),
}
# API Gateway refuses request payloads over 10 MB before any function runs.
MAX_PAYLOAD_BYTES = 10 * 1024 * 1024


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 dropped connections when many clients connected at once.
    request_queue_size = 128

    def __init__(
        self,
        host: str,
        port: int,
        runtime: LocalRuntime,
        routes: list[ApiRoute],
        key_required: Callable[[ApiRoute], bool] = lambda route: False,
        api_key: str = "",
        cors: dict[str, Any] | None = None,
        gateway_responses: dict[str, Any] | None = None,
    ) -> None:
        # The Api's resolved Cors setting: API Gateway answers preflights itself (a mock integration).
        self.cors = cors
        self.runtime = runtime
        self.routes = routes
        self.key_required = key_required
        self.api_key = api_key
        # The Api's resolved GatewayResponses (template.yaml): how API Gateway's own refusals look.
        self.gateway_responses = gateway_responses or {}
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def gateway_response(self, kind: str) -> tuple[int, bytes]:
        """(status, JSON body) of API Gateway's own answer of this kind, shaped by the template."""
        status, body = AWS_GATEWAY_RESPONSES.get(kind, AWS_GATEWAY_RESPONSES["DEFAULT_5XX"])
        configured = self.gateway_responses.get(kind) or {}
        status = int(configured.get("StatusCode", status))
        body = (configured.get("ResponseTemplates") or {}).get("application/json", body)
        return status, str(body).encode()


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the runtime logs each invocation itself
        pass

    def _gateway(self, kind: str, headers: dict[str, str] | None = None) -> None:
        status, body = self.server.gateway_response(kind)
        self._send(status, dict(headers or {}), body)

    def _handle(self) -> None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_PAYLOAD_BYTES:
            # Refused unread, as API Gateway does; the connection closes (the body is not drained).
            self.close_connection = True
            self._gateway("REQUEST_TOO_LARGE", {"Connection": "close"})
            return
        body = self.rfile.read(length) if length else None
        path = urlsplit(self.path).path
        route, params, allowed = match_route(self.server.routes, self.command, path)
        if route is None and self.command == "OPTIONS" and allowed and self.server.cors:
            self._send(200, preflight_headers(self.server.cors), b"")
            return
        if route is None:
            # API Gateway answers a path or a method it does not have with MISSING_AUTHENTICATION_TOKEN
            # (no Allow header, no 405); the template's GatewayResponses turn it into a 404.
            self._gateway("MISSING_AUTHENTICATION_TOKEN")
            return
        if self.server.key_required(route) and not hmac.compare_digest(
            (self.headers.get("x-api-key") or "").encode(), self.server.api_key.encode()
        ):
            # API Gateway's INVALID_API_KEY answer (template GatewayResponses): no function runs.
            self._gateway("INVALID_API_KEY")
            return
        event = build_event(self.command, self.path, list(self.headers.items()), body, route, params)
        try:
            result = self.server.runtime.invoke(
                route.function, event, f"{self.command} {self.path}", lambda r: str(r.get("statusCode"))
            )
        except RuntimeClosed:
            self.close_connection = True
            self._send(503, {"Connection": "close"}, _error("unavailable", "the local stack is stopping"))
            return
        except Exception:  # the function crashed: API Gateway answers 502
            self._send(502, {}, _error("bad_gateway", "the function failed; see the local stack's log"))
            return
        headers = dict(result.get("headers") or {})
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(values)
        payload = result.get("body") or ""
        data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        self._send(int(result.get("statusCode", 200)), headers, data)

    def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
        self.send_response(status)
        if data:
            headers.setdefault("Content-Type", "application/json")
        for name, value in headers.items():
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def __getattr__(self, name: str) -> Any:
        # Every method (TRACE, PROPFIND, ...) is routed: one the resource lacks gets API Gateway's 404.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)
