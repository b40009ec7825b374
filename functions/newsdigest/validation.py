"""Turn pydantic/Powertools validation errors into messages that say what to fix."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

# Locations Powertools prefixes to a field path; they name where the field was, not the field.
_LOCATION_PREFIXES = {"body", "query", "path", "header", "cookie"}
# JSON may spell half of a UTF-16 pair ("\\udfff"); Python decodes it to a lone surrogate, which no UTF-8
# encoder (ids, hashes, DynamoDB, SES) accepts. It is not text: refuse it where it enters, naming the field.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(value: str) -> bool:
    return _LONE_SURROGATE.search(value) is not None


def _no_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str) and has_lone_surrogate(value):
        raise PydanticCustomError(
            "string_surrogate",
            "contains a lone UTF-16 surrogate (such as \\udfff), which is not text; send valid Unicode",
        )
    return value


# Put last in an Annotated[str, ...]: the outermost validator runs first, before pydantic's string checks.
NoLoneSurrogates = BeforeValidator(_no_lone_surrogates)


def without_lone_surrogates(value: str) -> str:
    """``value`` with each lone surrogate replaced by U+FFFD: for text that is no one's input to refuse
    (a feed's own title, shown and stored beside the entries that are checked)."""
    return _LONE_SURROGATE.sub("\ufffd", value)


# Tags of a body that takes one of several shapes (POST /articles: with a body, or a URL alone).
_UNION_TAGS = {"with_body", "by_url"}


def field_path(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in _LOCATION_PREFIXES:
        # Powertools adds the parameter name after "body" for embedded models (e.g. body.article.title).
        parts = parts[1:]
    if len(parts) > 1 and parts[0] in _UNION_TAGS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def error_details(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        entry: dict[str, Any] = {
            "field": field_path(err.get("loc", ())),
            "type": str(err.get("type", "invalid")),
            "message": str(err.get("msg", "invalid value")),
        }
        details.append(entry)
    return details


def summary_message(details: list[dict[str, Any]]) -> str:
    shown = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return f"invalid request: {shown}{more}"
