"""The digest email's HTML in headless Chromium at a phone's width (375 px): it renders (a non-blank
screenshot) and nothing overflows horizontally. Skips where Chromium is absent; .ci/run installs it."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest
from newsdigest.emails.render import DigestItem, OutlineEntry, render_digest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTH = 375
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    f"--window-size={WIDTH},2000",
]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")


def digest_html() -> str:
    items = [
        DigestItem(
            title="Harbour ferries go electric by next year <script>alert('x')</script>",
            url="https://news.example.com/2026/11/harbour-ferries-go-electric-" + "a" * 120,
            source="example-news",
            digest=[
                "The city's four harbour ferries will run on batteries from next spring.",
                "A trial on the Northside route cut fuel costs by two thirds.",
                "Unbreakable" + "x" * 150,
            ],
            outline=[
                OutlineEntry("How the trial went", "Riders noticed the quiet first."),
                OutlineEntry("What it will cost", "About 40 million over five years."),
            ],
        ),
        DigestItem(
            title="New ferry timetable",
            url="https://news.example.com/t",
            source=None,
            digest=["Boats every 20 minutes."],
        ),
    ]
    return render_digest(
        items,
        period_label="Saturday 28 November 2026",
        unsubscribe_url="https://api.example.com/v1/unsubscribe?token=" + "t" * 60,
        more_url="https://api.example.com/v1/articles?date=2026-11-28",
    ).html


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_digest_email_renders_on_a_phone_without_overflow(tmp_path: Path):
    from PIL import Image, ImageStat

    # Given the digest email's HTML
    html = digest_html()
    page = tmp_path / "digest.html"
    page.write_text(html)
    # --dump-dom lays pages out at least 500 px wide: measure the email inside a 375 px frame instead.
    probe = tmp_path / "probe.html"
    probe.write_text(
        f'<html><body style="margin:0"><iframe id="mail" style="width:{WIDTH}px;height:2000px;border:0" '
        f'srcdoc="{escape(html, quote=True)}"></iframe><script>window.onload = () => {{'
        "const width = document.getElementById('mail').contentDocument.documentElement.scrollWidth;"
        f"document.body.setAttribute('data-fits', String(width <= {WIDTH}));"
        "document.body.setAttribute('data-width', width);};</script></body></html>"
    )

    # When headless Chromium renders it 375 px wide
    png = tmp_path / "digest.png"
    shot = chromium(tmp_path, f"--screenshot={png}", page.as_uri())
    dom = chromium(tmp_path, "--dump-dom", probe.as_uri())

    # Then the screenshot is not blank, and nothing is wider than the screen
    assert png.exists(), shot.stderr[-2000:]
    image = Image.open(png).convert("L")
    assert image.size[0] == WIDTH
    assert max(ImageStat.Stat(image).stddev) > 10, "the screenshot is blank"
    match = re.search(r'data-fits="(\w+)" data-width="(\d+)"', dom.stdout)
    assert match, dom.stderr[-2000:]
    assert match.group(1) == "true", f"the page is {match.group(2)} px wide at {WIDTH} px"
