"""Small web pages written for these tests: an article inside the usual page furniture."""

from __future__ import annotations

import json

INTRO = (
    "The harbour board voted on Tuesday evening to replace the three oldest ferries on the northern route "
    "with electric boats, ending a debate that has run for almost a decade in the small coastal town. "
    "Board members said the decision was driven by fuel costs as much as by the town's climate targets."
)
SECTIONS = [
    (
        "How the trial went",
        [
            "A borrowed electric ferry ran the northern route for six weeks last spring. It carried more "
            "than forty thousand passengers and missed only two sailings, both because of storms rather "
            "than any fault with the batteries or the charging equipment at the pier.",
            "Crews reported that the boat was quieter and easier to handle in the narrow channel, although "
            "the charging breaks between crossings took some getting used to during the busy morning hours.",
        ],
    ),
    (
        "What it will cost",
        [
            "The three new boats will cost about eleven million in total, with a national grant covering "
            "roughly a third of the price. The board expects to recover the rest through lower running costs "
            "over the boats' thirty-year life, since electricity is far cheaper than marine diesel.",
            "Opponents argued that the estimate leaves out the cost of upgrading the grid connection at the "
            "harbour, which the local utility has not yet priced in any detail for the board.",
        ],
    ),
    (
        "What comes next",
        [
            "Tenders will go out in the new year and the first boat could enter service within two years. "
            "Until then the diesel ferries will keep running on the usual timetable, the board said in a "
            "statement published after the vote late on Tuesday night.",
        ],
    ),
]
NAV = '<nav class="site-nav"><ul>' + "".join(
    f'<li><a href="/{s.lower()}">{s}</a></li>' for s in ("News", "Sport", "Business", "Culture", "Weather")
) + "</ul></nav>"  # fmt: skip
RELATED = (
    '<aside class="related"><h2>Related stories</h2><ul>'
    '<li><a href="/news/bridge">Bridge repairs to start in spring after long delay</a></li>'
    '<li><a href="/news/bus">Bus timetable changes for the winter season announced</a></li>'
    "</ul><h3>Most read</h3><ol>"
    '<li><a href="/news/storm">Storm closes coastal road for the second time this month</a></li>'
    "</ol></aside>"
)
COMMENTS = (
    '<section id="comments"><h2>Comments</h2>'
    '<div class="comment"><p>Great news, about time they did something about the old boats!</p></div>'
    '<div class="comment"><p>Who is going to pay for the grid upgrade though? Not me I hope.</p></div>'
    "</section>"
)
NEWSLETTER = (
    '<div class="newsletter-signup"><h3>Newsletter</h3><p>Get the morning briefing in your inbox.</p>'
    '<form><input type="email"><button>Sign up</button></form></div>'
)
FOOTER = '<footer><p>© 2026 Coastal Gazette. All rights reserved.</p><a href="/privacy">Privacy</a></footer>'


def article_html(sections=SECTIONS, intro: str = INTRO, heading_tag: str = "h2") -> str:
    parts = [f"<p>{intro}</p>"]
    for heading, paragraphs in sections:
        parts.append(f"<{heading_tag}>{heading}</{heading_tag}>")
        parts.extend(f"<p>{p}</p>" for p in paragraphs)
    return "".join(parts)


def news_page(
    *,
    head: str = "<title>Town votes for electric ferries | Coastal Gazette</title>",
    lang: str | None = "en",
    body: str | None = None,
    title: str = "Town votes for electric ferries",
) -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    article = body if body is not None else article_html()
    return (
        f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'>{head}</head><body>"
        f'<header><a href="/">Coastal Gazette</a>{NAV}</header>'
        f'<main><article><h1>{title}</h1><p class="byline">By Ana Berg</p>{article}</article>'
        f"{NEWSLETTER}{RELATED}{COMMENTS}</main>{FOOTER}</body></html>"
    )


def json_ld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'
