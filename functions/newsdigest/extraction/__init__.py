"""Whole web page in, article out: main text with the article's own section headings, and its metadata.

Public interface:

* ``extract_page(html, url=None) -> ExtractedPage`` (raises ``NoArticleText``).

Pure domain code: no network, no boto3, no Powertools. trafilatura does the main-text extraction; it is
imported on the first call, not at import time, so a Lambda that never reads a page never pays for it.
"""

from newsdigest.extraction.model import ExtractedPage, NoArticleText
from newsdigest.extraction.page import extract_page

__all__ = ["ExtractedPage", "NoArticleText", "extract_page"]
