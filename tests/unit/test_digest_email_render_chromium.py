"""The digest email as a person sees it on a phone: rendered by headless Chromium (tests/chromium.py)."""

from __future__ import annotations

from pathlib import Path

from newsdigest.subscriptions.emails import DigestItem, SectionGist, render_digest

from tests.chromium import is_blank_region, layout_width, screenshot

WIDTH = 375


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
                SectionGist("How the trial went", "Riders noticed the quiet first."),
                SectionGist("What it will cost", "About 40 million over five years."),
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


def test_the_digest_email_renders_on_a_phone_without_overflow(tmp_path: Path):
    # Given the digest email's HTML
    html = digest_html()

    # When headless Chromium renders it 375 px wide
    png = screenshot(html, tmp_path / "digest.png", width=WIDTH, height=2000)

    # Then the screenshot is not blank, and nothing is wider than the screen
    assert not is_blank_region(png, WIDTH), "the screenshot is blank"
    width = layout_width(html, tmp_path, WIDTH)
    assert width <= WIDTH, f"the email is {width} px wide at {WIDTH} px"
