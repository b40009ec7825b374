"""The daily-digest page as a person sees it: rendered by headless Chromium at phone width."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from tests.chromium import is_blank_region, layout_width, screenshot
from tests.conftest import ROOT
from tests.e2e.conftest import WRITE

pytestmark = pytest.mark.e2e

LONG_WORD = "Supercalifragilisticexpialidocious" * 4  # an unbreakable word must not push the page wider


def test_daily_page_renders_on_a_phone(stack, tmp_path: Path):
    body = (ROOT / "infra" / "samples" / "harbour-ferries.txt").read_text()
    titles = ["Harbour ferries go electric by next year", f"<script>alert(1)</script> {LONG_WORD}"]
    for i, title in enumerate(titles):
        article = {
            "title": title,
            "format": "text",
            "body": body,
            "url": f"https://news.example.com/page/{i}",
        }
        assert requests.post(
            f"{stack.api_url}/articles", json=article, headers=WRITE, timeout=5
        ).status_code in (200, 201)
    day = datetime.now(UTC).date().isoformat()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        digest = requests.get(f"{stack.api_url}/digests/{day}", timeout=5).json()
        if digest["items"] and all(item["status"] == "ready" for item in digest["items"]):
            break
        time.sleep(0.1)
    page = requests.get(f"{stack.api_url}/digests/{day}.html", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")

    png = screenshot(page.text, tmp_path / "daily.png")
    assert png.stat().st_size > 5_000 and not is_blank_region(png)
    assert titles[0] in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert layout_width(page.text, tmp_path) <= 375
