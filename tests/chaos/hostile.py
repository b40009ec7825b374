"""Hostile requests for the fault suite: a fixed list of known-nasty inputs, then seeded mutations of valid
requests. Each is (method, path, headers, body bytes); none may get a 5xx or leave anything half-stored."""

from __future__ import annotations

import json
import random
from typing import Any

JSON = {"Content-Type": "application/json"}
VALID = {
    "title": "Harbour ferries go electric",
    "format": "text",
    "url": "https://hostile.example/base",
    "source": "hostile-news",
    "body": "The harbour city will retire its diesel ferries. The plan was approved on Tuesday. Fares stay.",
}
SUBSCRIPTION = {"email": "hostile@example.com", "frequency": "daily", "timezone": "Europe/Paris"}
# Values a field should never make the service fall over on.
JUNK: list[Any] = [
    "\udfff",
    "x\ud800y",
    "\ud83d",
    "\x00",
    "a\x00b",
    "\u202e\u2066",
    "\ufeff",
    "😀" * 500,
    "x" * 100_000,
    "",
    " ",
    None,
    0,
    -1,
    1e308,
    True,
    [],
    {},
    {"$ne": 1},
    ["a"],
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "javascript:alert(1)",
    "https://",
    "http://[::1]:80/",
    "9999-99-99",
    "2026-02-30T25:61:61Z",
    "%0a%0d",
    "\r\nX-Injected: 1",
]


def _raw(value: Any) -> bytes:
    """JSON with the value's escapes as a client would send them (lone surrogates as \\udfff escapes)."""
    return json.dumps(value).encode()


def fixed(api_key: str) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    write = {**JSON, "x-api-key": api_key}
    deep = b"[" * 5000 + b"]" * 5000
    requests: list[tuple[str, str, dict[str, str], bytes | None]] = [
        ("POST", "/articles", write, b'{"title": "x", "body": '),
        ("POST", "/articles", write, deep),
        ("POST", "/articles", write, b"\xff\xfe\x00garbage"),
        ("POST", "/articles", {"Content-Type": "text/plain", "x-api-key": api_key}, _raw(VALID)),
        ("POST", "/articles", {**JSON}, _raw(VALID)),  # no key
        ("POST", "/articles", {**JSON, "x-api-key": "wrong"}, _raw(VALID)),
        ("POST", "/articles", write, _raw({**VALID, "body": "x" * 2_000_001})),
        ("POST", "/articles", write, _raw({**VALID, "extra": 1})),
        ("POST", "/articles", write, _raw([VALID])),
        ("POST", "/articles", write, b"null"),
        ("POST", "/articles", write, b'"just a string"'),
        ("POST", "/articles/batch", write, _raw({"articles": []})),
        ("POST", "/articles/batch", write, _raw({"articles": [VALID] * 26})),
        ("POST", "/articles/batch", write, _raw({"articles": [VALID, {**VALID, "body": "\udfff"}, 5, None]})),
        ("DELETE", "/articles/%0a", write, None),
        ("DELETE", "/articles/" + "0" * 24, write, None),
        ("POST", "/articles/" + "0" * 24 + "/summarize", write, None),
        ("POST", "/articles/..%2f..%2fetc/summarize", write, None),
        ("GET", "/articles/%0a", {}, None),
        ("GET", "/articles/%ED%B3%BF", {}, None),
        ("GET", "/articles/" + "f" * 5000, {}, None),
        ("GET", "/articles?limit=-1", {}, None),
        ("GET", "/articles?limit=100000000000000000000", {}, None),
        ("GET", "/articles?cursor=" + "A" * 1000, {}, None),
        ("GET", "/articles?cursor=%ED%B3%BF", {}, None),
        ("GET", "/articles?date=2026-13-45", {}, None),
        ("GET", "/articles?from=2000-01-01&to=2026-01-01", {}, None),
        ("GET", "/articles?source=%ED%B3%BF", {}, None),
        ("GET", "/articles?source=" + "s" * 5000, {}, None),
        ("GET", "/digests/2026-02-30", {}, None),
        ("GET", "/digests/2026-11-28?tz=Mars/Olympus", {}, None),
        ("GET", "/digests/2026-11-28?tz=../../etc/passwd", {}, None),
        ("GET", "/digests/%0a.html", {}, None),
        ("POST", "/subscriptions", JSON, _raw({**SUBSCRIPTION, "email": "a\udfff@example.com"})),
        ("POST", "/subscriptions", JSON, _raw({**SUBSCRIPTION, "timezone": "\udfff"})),
        ("POST", "/subscriptions", JSON, _raw({**SUBSCRIPTION, "sources": ["\udfff"] * 30})),
        ("POST", "/subscriptions", JSON, _raw({**SUBSCRIPTION, "send_hour": 99})),
        ("GET", "/subscriptions/confirm?token=%ED%B3%BF", {}, None),
        ("GET", "/subscriptions/confirm?token=" + "x" * 600, {}, None),
        ("POST", "/subscriptions/confirm?token=a.b", {}, None),
        ("POST", "/subscriptions/confirm", {}, None),
        ("GET", "/unsubscribe?token=..", {}, None),
        ("POST", "/unsubscribe?token=a.b", {"Content-Type": "application/x-www-form-urlencoded"}, b"x=1"),
        ("PUT", "/articles", write, _raw(VALID)),
        ("PATCH", "/articles/" + "0" * 24, write, b"{}"),
    ]
    return requests


def mutated(rng: random.Random, api_key: str) -> tuple[str, str, dict[str, str], bytes | None]:
    write = {**JSON, "x-api-key": api_key}
    target = rng.random()
    junk = rng.choice(JUNK)
    if target < 0.55:
        article = dict(VALID, url=f"https://hostile.example/{rng.randrange(10**6)}")
        article[rng.choice([*VALID, "published_at", "language"])] = junk
        if rng.random() < 0.3:
            return "POST", "/articles/batch", write, _raw({"articles": [VALID, article]})
        return "POST", "/articles", write, _raw(article)
    if target < 0.75:
        subscription = dict(SUBSCRIPTION)
        subscription[rng.choice([*SUBSCRIPTION, "sources", "send_hour"])] = junk
        return "POST", "/subscriptions", JSON, _raw(subscription)
    if target < 0.9:
        text = json.dumps(VALID)
        cut = rng.randrange(len(text))
        return "POST", "/articles", write, (text[:cut] + rng.choice(['"', "\\", "\\ud", "{", "]"])).encode()
    from urllib.parse import quote

    value = quote(str(junk)[:3000].encode("utf-8", "surrogatepass"), safe="")  # raw bytes, as sent
    path = rng.choice(
        ["/articles?source=", "/articles?cursor=", "/articles/", "/digests/", "/unsubscribe?token="]
    )
    return "GET", path + value, {}, None


def hostile_requests(
    rng: random.Random, count: int, api_key: str
) -> list[tuple[str, str, dict[str, str], bytes | None]]:
    requests = fixed(api_key)
    while len(requests) < count:
        requests.append(mutated(rng, api_key))
    return requests[:count] if count < len(requests) else requests
