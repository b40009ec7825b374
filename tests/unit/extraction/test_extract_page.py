"""extract_page on pages written for the purpose: the article in, the page furniture out."""

from __future__ import annotations

import pytest
from newsdigest.extraction import ExtractedPage, NoArticleText, extract_page

from tests.unit.extraction.pages import INTRO, SECTIONS, article_html, json_ld, news_page

HEADINGS = [heading for heading, _ in SECTIONS]


def test_the_article_keeps_its_own_headings_in_order():
    page = extract_page(news_page(), "https://gazette.example/news/ferries")
    assert page.headings == HEADINGS
    md_headings = [line[3:] for line in page.markdown.split("\n") if line.startswith("## ")]
    assert md_headings == HEADINGS
    # each heading sits right before its own section's first paragraph
    for heading, paragraphs in SECTIONS:
        assert f"## {heading}\n\n{paragraphs[0]}" in page.markdown
    assert page.text.startswith(INTRO)
    assert "## " not in page.text and "How the trial went\n\nA borrowed electric ferry" in page.text


def test_navigation_related_comments_newsletter_and_footer_are_dropped():
    page = extract_page(news_page(), "https://gazette.example/news/ferries")
    for furniture in (
        "Related stories",
        "Most read",
        "Bridge repairs",
        "Comments",
        "about time they did",
        "Newsletter",
        "morning briefing",
        "All rights reserved",
        "Weather",
    ):
        assert furniture not in page.markdown, furniture
    assert all(paragraph in page.text for _, paragraphs in SECTIONS for paragraph in paragraphs)


def test_title_author_date_and_language_from_meta_tags():
    head = (
        "<title>Ferries | Coastal Gazette</title>"
        '<meta property="og:title" content="Town votes for electric ferries">'
        '<meta name="author" content="Ana Berg">'
        '<meta property="article:published_time" content="2026-03-14T18:30:00+00:00">'
    )
    page = extract_page(news_page(head=head, lang="en-GB"), "https://gazette.example/news/ferries")
    assert (page.title, page.author, page.published, page.language) == (
        "Town votes for electric ferries",
        "Ana Berg",
        "2026-03-14",
        "en",
    )


def test_title_author_and_date_from_json_ld_and_language_guessed_from_the_text():
    head = json_ld(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Harbour board picks electric boats",
            "author": {"@type": "Person", "name": "Jonas Lind"},
            "datePublished": "2025-11-02",
        }
    )
    page = extract_page(news_page(head=head, lang=None, title="Harbour board picks electric boats"))
    assert page.title == "Harbour board picks electric boats"
    assert page.author == "Jonas Lind"
    assert page.published == "2025-11-02"
    assert page.language == "en"  # no declaration: the stop-word guess


def test_a_page_that_states_no_date_has_none_even_with_a_copyright_year_in_its_footer():
    page = extract_page(news_page(), "https://gazette.example/news/ferries")
    assert "2026" in news_page() and page.published is None


def test_a_date_in_a_time_element():
    body = '<time datetime="2025-06-30T08:00:00Z">30 June</time>' + article_html()
    assert extract_page(news_page(body=body)).published == "2025-06-30"


def test_declared_language_wins_and_is_reduced_to_its_primary_subtag():
    assert extract_page(news_page(lang="de-AT")).language == "de"


def test_json_shape():
    data = extract_page(news_page(), "https://gazette.example/x").as_json()
    assert {"title", "author", "date", "language", "text", "markdown", "headings", "url"} <= set(data)
    assert data["url"] == "https://gazette.example/x"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "<html><body></body></html>",
        "<html><body><nav>"
        + "".join(f'<a href="/{i}">Section {i}</a> ' for i in range(40))
        + "</nav></body></html>",
        "<html><body><script>var article = 'long text ' + 'x'.repeat(1000);</script></body></html>",
    ],
    ids=["empty", "blank", "no-body-text", "links-only", "script-only"],
)
def test_a_page_without_article_text_raises_a_clear_error(html):
    with pytest.raises(NoArticleText) as caught:
        extract_page(html, "https://gazette.example/empty")
    assert "article text" in str(caught.value) or "empty" in str(caught.value)
    assert caught.value.url == "https://gazette.example/empty"


def test_widget_titles_between_sections_are_not_headings():
    # a "Read more" box and a newsletter box in the middle of the article body
    body = article_html().replace(
        "<h2>What it will cost</h2>",
        '<div class="inline-promo"><h3>Read more</h3><a href="/news/tide">Tide tables for the week ahead</a>'
        "</div><h3>Newsletter</h3><h2>What it will cost</h2>",
    )
    page = extract_page(news_page(body=body), "https://gazette.example/news/ferries")
    assert page.headings == HEADINGS


def test_teaser_headings_that_link_to_the_same_site_are_dropped_but_links_to_other_sites_are_kept():
    sections = [
        (f'<a href="https://shop.example/item/{i}">{h}</a>', ps) for i, (h, ps) in enumerate(SECTIONS)
    ]
    teasers = (
        '<h3><a href="/news/bridge">Bridge repairs to start in spring</a></h3>'
        "<p>Work on the old bridge begins in March and will close one lane for most of the summer "
        "season, the council said.</p>"
    )
    body = article_html(sections).replace("<h2>", teasers + "<h2>", 1)
    page = extract_page(news_page(body=body), "https://www.gazette.example/news/ferries")
    assert page.headings == HEADINGS


def test_bold_paragraphs_are_headings_but_bold_lead_ins_are_not():
    body = article_html(heading_tag="p><strong").replace("</p><strong>", "</strong></p>")
    body = body.replace(
        "<p><strong>How the trial went</strong></p>", "<p><strong>How the trial went</strong></p>"
    )
    body += "<p><strong>Pros:</strong></p><p>Quiet, cheap to run, and no fumes on the pier for anyone.</p>"
    page = extract_page(news_page(body=body), "https://gazette.example/news/ferries")
    assert page.headings == HEADINGS


def test_permalink_marks_are_not_part_of_a_heading():
    body = article_html().replace("How the trial went</h2>", 'How the trial went <a href="#trial">#</a></h2>')
    assert extract_page(news_page(body=body)).headings == HEADINGS


def test_the_result_is_a_value():
    page = extract_page(news_page())
    assert isinstance(page, ExtractedPage) and page == extract_page(news_page())


def _candidate(text: str, **overrides):
    from newsdigest.extraction.headings import Candidate

    fields = {
        "element": None,
        "kind": "h2",
        "text": text,
        "start": 100,
        "end": 103,
        "gap_after": 0,
        "article_words_before": 100,
        "section_words": 80,
        "section_article_words": 80,
        "link_share": 0.0,
        "internal_links": False,
    }
    fields.update(overrides)
    return Candidate(**fields)


@pytest.mark.parametrize(
    "text",
    ["Related", "Related stories", "Most read", "Comments", "12 Comments", "Newsletter",
     "Sign up for our emails", "Share this article", "You may also like", "Read more", "More from Sport",
     "Trending now"],
)  # fmt: skip
def test_site_wide_widget_titles_are_never_headings_even_inside_the_article(text):
    from newsdigest.extraction.headings import HeadingRules, is_article_heading

    assert not is_article_heading(_candidate(text), HeadingRules())
    assert is_article_heading(_candidate("What the " + text.lower() + " said"), HeadingRules())


@pytest.mark.parametrize(
    "overrides",
    [
        {"gap_after": None},  # after the article's end
        {"article_words_before": 0},  # before the article starts
        {"gap_after": 40},  # far from the text it would head
        {"kind": "h5"},
        {"link_share": 1.0, "internal_links": True},  # a teaser of another page on the site
        {"kind": "bold", "text": "Pros:"},
        {"kind": "bold", "text": "Check back every week for more."},
        {"kind": "bold", "gap_after": 3},
    ],
)
def test_candidates_outside_the_article_or_shaped_like_furniture_are_dropped(overrides):
    from newsdigest.extraction.headings import HeadingRules, is_article_heading

    assert is_article_heading(_candidate("What comes next"), HeadingRules())
    assert not is_article_heading(
        _candidate(overrides.pop("text", "What comes next"), **overrides), HeadingRules()
    )


def test_the_title_repeated_as_a_heading_is_not_a_section():
    from newsdigest.extraction.headings import HeadingRules, is_article_heading

    assert not is_article_heading(
        _candidate("Town  votes for ferries"), HeadingRules(), "Town votes for ferries"
    )


def test_the_markdown_has_only_the_articles_headings_for_the_summarizer():
    from newsdigest.summarizer import parse_document

    tricky = (
        "<p># 1 on the list of complaints was the noise from the old diesel engines, residents said.</p>"
        "<p>Fares will stay the same<br>---<br>the board promised in its statement on Tuesday night.</p>"
        "<p>Engineers<br>===<br>will inspect the new boats before they enter service next year.</p>"
    )
    body = article_html().replace("<h2>What it will cost</h2>", tricky + "<h2>What it will cost</h2>")
    page = extract_page(news_page(body=body))
    assert page.headings == HEADINGS
    document = parse_document(page.markdown, "markdown", title=page.title)
    assert [s.heading for s in document.sections if s.heading] == HEADINGS
    assert "# 1 on the list" in page.text  # the plain text is not escaped
