"""Headless Chromium (Debian's `chromium`) as a person's browser: screenshots and layout measurements."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html import escape
from pathlib import Path

import pytest

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
]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return path


def _framed(html: str, width: int, height: int, probe: bool = False) -> str:
    """Headless Chromium will not make a window narrower than 500 px: show the page in a phone-wide frame."""
    script = (
        "<script>const f = document.querySelector('iframe'); f.addEventListener('load', () => {"
        "document.body.setAttribute('data-scroll-width',"
        " f.contentDocument.documentElement.scrollWidth)});</script>"
        if probe
        else ""
    )
    return (
        f'<!doctype html><html><body style="margin:0;background:#888">'
        f'<iframe srcdoc="{escape(html, quote=True)}" '
        f'style="border:0;display:block;width:{width}px;height:{height}px">'
        f"</iframe>{script}</body></html>"
    )


def screenshot(html: str, png: Path, width: int = 375, height: int = 1400) -> Path:
    """A PNG of the page as a `width`-pixel-wide phone shows it (the frame sits at the left of the shot)."""
    page = png.with_suffix(".html")
    page.write_text(_framed(html, width, height), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size=500,{height}",
                f"--screenshot={png}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


def layout_width(html: str, work: Path, width: int = 375) -> int:
    """The page's scrollWidth in a `width`-pixel frame: more than `width` means something overflows."""
    # The page's own CSP forbids scripts; the probe runs in the parent, so only same-origin access is needed.
    page = work / "probe.html"
    page.write_text(_framed(html, width, 900, probe=True), encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        result = subprocess.run(
            [
                chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=500,900",
                "--virtual-time-budget=3000",
                "--dump-dom",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
    match = re.search(r'data-scroll-width="(\d+)"', result.stdout)
    assert match, "the probe script did not run"
    return int(match.group(1))


def is_blank_region(png: Path, width: int = 375) -> bool:
    """Whether the phone-wide part of the shot is all one colour."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        stat = ImageStat.Stat(image.convert("L").crop((0, 0, width, image.height)))
    return stat.stddev[0] < 2.0
