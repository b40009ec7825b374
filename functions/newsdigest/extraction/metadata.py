"""The page's language as it declares it (``<html lang>``, ``Content-Language``, ``og:locale``)."""

from __future__ import annotations

import re

import lxml.html

_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def _normalise(value: str | None) -> str | None:
    value = (value or "").split(",")[0].strip()
    if not _TAG.match(value):
        return None
    return value.replace("_", "-").split("-")[0].lower()


def declared_language(tree: lxml.html.HtmlElement) -> str | None:
    """The primary language subtag the page declares ("en" for "en-GB"), or None."""
    for value in (
        tree.get("lang"),
        tree.get("xml:lang"),
        *tree.xpath(
            "//meta[translate(@http-equiv,'CONTENT-LANGUAGE','content-language')='content-language']/@content"
        ),
        *tree.xpath("//meta[@property='og:locale' or @name='og:locale']/@content"),
        *tree.xpath("//meta[@name='language' or @name='Language' or @itemprop='inLanguage']/@content"),
    ):
        language = _normalise(value)
        if language:
            return language
    return None
