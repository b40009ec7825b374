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

from newsdigest_local.runtime import LocalRuntime
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
    path = unquote(split.path)
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
    """The route for (method, path), its path parameters, and the methods the path allows."""
    allowed: list[str] = []
    for route in routes:
        m = route.pattern.match(path)
        if not m:
            continue
        if route.method in {method, "ANY"}:
            return route, {k: unquote(v) for k, v in m.groupdict().items()}, allowed
        allowed.append(route.method)
    return None, {}, sorted(set(allowed))


def preflight_headers(cors: dict[str, Any]) -> dict[str, str]:
    """SAM's Cors values are quoted header values ("'GET,POST'")."""
    names = {
        "AllowOrigin": "Access-Control-Allow-Origin",
        "AllowMethods": "Access-Control-Allow-Methods",
        "AllowHeaders": "Access-Control-Allow-Headers",
        "MaxAge": "Access-Control-Max-Age",
    }
    return {header: str(cors[key]).strip("'") for key, header in names.items() if cors.get(key)}


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        host: str,
        port: int,
        runtime: LocalRuntime,
        routes: list[ApiRoute],
        key_required: Callable[[ApiRoute], bool] = lambda route: False,
        api_key: str = "",
        cors: dict[str, Any] | None = None,
    ) -> None:
        # The Api's resolved Cors setting: API Gateway answers preflights itself (a mock integration).
        self.cors = cors
        self.runtime = runtime
        self.routes = routes
        self.key_required = key_required
        self.api_key = api_key
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def _error(code: str, message: str) -> bytes:
    return json.dumps({"error": {"code": code, "message": message}}).encode()


class _Handler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # the runtime logs each invocation itself
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        path = urlsplit(self.path).path
        route, params, allowed = match_route(self.server.routes, self.command, unquote(path))
        if route is None and self.command == "OPTIONS" and allowed and self.server.cors:
            self._send(200, preflight_headers(self.server.cors), b"")
            return
        if route is None:
            if allowed:
                self._send(
                    405,
                    {"Allow": ", ".join(allowed)},
                    _error(
                        "method_not_allowed",
                        f"{self.command} is not allowed on {path}; use {', '.join(allowed)}",
                    ),
                )
            else:
                self._send(404, {}, _error("not_found", f"no route for {self.command} {path}"))
            return
        if self.server.key_required(route) and not hmac.compare_digest(
            (self.headers.get("x-api-key") or "").encode(), self.server.api_key.encode()
        ):
            # API Gateway's INVALID_API_KEY answer (template GatewayResponses): no function runs.
            self._send(403, {}, _error("forbidden", "send a valid API key in the x-api-key header"))
            return
        event = build_event(self.command, self.path, list(self.headers.items()), body, route, params)
        try:
            result = self.server.runtime.invoke(
                route.function, event, f"{self.command} {self.path}", lambda r: str(r.get("statusCode"))
            )
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
        # Every method (TRACE, PROPFIND, ...) is routed: unknown ones get a 405 with Allow, as from the API.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)
