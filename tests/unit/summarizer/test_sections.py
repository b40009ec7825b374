"""Sections for plain text, Markdown and HTML: real headings found, none invented, the title set apart."""

from newsdigest.summarizer import parse_document

PARA_1 = "The council approved the budget on Tuesday after a long debate. Members voted nine to two."
PARA_2 = "Spending on roads will rise by a fifth next year. The mayor said repairs were overdue."
PARA_3 = "Critics said the plan ignored public transport. They promised to fight it at the next vote."


def headings(doc) -> list[str | None]:
    return [s.heading for s in doc.sections]


def plain(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# --- plain text -------------------------------------------------------------------------------------------


def test_plain_heading_is_a_short_line_standing_alone_between_paragraphs():
    body = plain(PARA_1, "What the money buys", PARA_2, "Who objects", PARA_3)
    doc = parse_document(body, "text")
    assert headings(doc) == [None, "What the money buys", "Who objects"]


def test_plain_headings_may_ask_exclaim_quote_or_use_a_colon():
    body = plain(
        PARA_1,
        "Is it enough?",
        PARA_2,
        "Roads first!",
        PARA_3,
        'The "fix it" fund: how it works',
        PARA_2,
        "“Not on my street”",
        PARA_1,
    )
    doc = parse_document(body, "text")
    assert headings(doc)[1:4] == ["Is it enough?", "Roads first!", 'The "fix it" fund: how it works']


def test_a_short_paragraph_that_ends_like_a_sentence_is_not_a_heading():
    body = plain(PARA_1, "Oh well. It was fun while it lasted.", PARA_2, "That is all.", PARA_3)
    assert headings(parse_document(body, "text")) == [None]


def test_heading_free_article_is_one_section_with_no_heading():
    doc = parse_document(plain(PARA_1, PARA_2, PARA_3), "text")
    assert headings(doc) == [None]
    assert doc.text[doc.sections[0].start : doc.sections[0].end].strip().startswith("The council")


def test_code_lines_captions_and_lead_ins_are_not_headings():
    body = plain(
        PARA_1,
        "Run the installer like this:",
        "pip install -r requirements.txt",
        PARA_2,
        "(Photo: City Hall)",
        PARA_3,
    )
    assert headings(parse_document(body, "text")) == [None]


def test_leading_title_is_the_title_not_a_section_heading():
    body = plain("Council passes budget", PARA_1, "What the money buys", PARA_2, "Who objects", PARA_3)
    for title in ("Council passes budget", None):
        doc = parse_document(body, "text", title=title)
        assert headings(doc) == [None, "What the money buys", "Who objects"]
        assert "Council passes budget" not in doc.text[doc.sections[0].start : doc.sections[0].end]


def test_a_lone_sentence_case_question_is_not_taken_for_the_only_heading():
    body = plain(PARA_1, PARA_2, "So what does the future of the city look like?", PARA_3)
    assert headings(parse_document(body, "text")) == [None]


def test_article_starting_with_a_heading_has_no_intro_section():
    body = plain("Council passes budget", "Background", PARA_1, "Reaction", PARA_2)
    doc = parse_document(body, "text", title="Council passes budget")
    assert headings(doc) == ["Background", "Reaction"]


# --- markdown --------------------------------------------------------------------------------------------


def test_markdown_atx_and_setext_headings_with_leading_title():
    body = (
        f"# Council passes budget\n\n{PARA_1}\n\n## What the money buys ##\n\n{PARA_2}\n\n"
        f"Who objects\n----------\n\n{PARA_3}\n\nNext steps\n==========\n\n{PARA_1}\n"
    )
    doc = parse_document(body, "markdown")
    assert headings(doc) == [None, "What the money buys", "Who objects", "Next steps"]
    for section in doc.sections[1:]:
        assert body[section.start : section.end].strip()[0].isupper()


def test_markdown_fenced_code_hides_hash_lines_and_rules_are_not_headings():
    body = (
        f"{PARA_1}\n\n```bash\n# not a heading\necho hi\n```\n\n---\n\n{PARA_2}\n\n### Real one\n\n{PARA_3}\n"
    )
    assert headings(parse_document(body, "markdown")) == [None, "Real one"]


def test_markdown_without_headings_is_one_section():
    body = f"{PARA_1}\n\n{PARA_2}\n"
    assert headings(parse_document(body, "markdown")) == [None]


# --- html ------------------------------------------------------------------------------------------------


HTML = """<html><head><title>x</title><style>p {color: red}</style></head><body>
<nav><a href="/">Home</a><h2>Menu</h2></nav>
<article><h1>Council passes budget</h1>
<p>The council approved the budget on Tuesday.</p>
<script>var h = "<h2>fake</h2>";</script>
<figure><img src="a.jpg"><figcaption>The mayor at City Hall.</figcaption></figure>
<div class="share-bar"><h3>Share this story</h3></div>
<h2>What the <em>money</em>   buys</h2><p>Spending on roads will rise.</p>
<h3>Who objects</h3><p>Critics said the plan ignored &amp; buses.</p>
<aside><h4>Related</h4></aside>
</article><footer><h2>Contact us</h2></footer></body></html>"""


def test_html_headings_inside_the_content_only():
    doc = parse_document(HTML, "html")
    assert headings(doc) == [None, "What the money buys", "Who objects"]


def test_html_text_drops_scripts_styles_navigation_and_captions():
    doc = parse_document(HTML, "html")
    for gone in ("var h", "color: red", "Home", "The mayor at City Hall", "Share this story", "Contact us"):
        assert gone not in doc.text
    assert "Critics said the plan ignored & buses." in doc.text
    assert "Council passes budget" not in doc.text[doc.sections[0].start :]


def test_html_bold_paragraph_over_prose_is_a_heading_but_bold_sentences_are_not():
    html = (
        "<p>The council approved the budget on Tuesday after a long debate.</p>"
        "<p><strong>What the money buys</strong></p><p>Spending on roads will rise by a fifth next year.</p>"
        "<p><b>Note: this story was updated.</b></p><p>Critics said the plan ignored public transport.</p>"
    )
    assert headings(parse_document(html, "html")) == [None, "What the money buys"]


# --- one sub-heading -----------------------------------------------------------------------------------

SHORT_ARTICLE = [
    "The city council approved a new parking plan on Tuesday after months of debate. Residents will pay "
    "less for permits, but visitors will pay more at the busiest times of day.",
    "The plan was drawn up after a survey found that most people in the centre struggled to park near "
    "their homes in the evening.",
    "From March, permits for residents will cost half as much as today, and each household may buy two. "
    "Visitors will pay by the hour, with higher rates in the evening and on weekends.",
    "The council expects the new rates to raise enough money to pay for two new car parks on the edge of "
    "town within five years.",
]


def test_a_lone_bare_line_shaped_like_a_heading_over_a_real_section_is_a_heading():
    # Given a short article whose only sub-heading is a bare sentence-case line between paragraphs
    body = plain(*SHORT_ARTICLE[:2], "What changes", *SHORT_ARTICLE[2:])
    # When it is parsed, Then the line opens a section, as it would beside a second sub-heading
    assert headings(parse_document(body, "text")) == [None, "What changes"]
    two = plain(SHORT_ARTICLE[0], "Why now", SHORT_ARTICLE[1], "What changes", *SHORT_ARTICLE[2:])
    assert headings(parse_document(two, "text")) == [None, "Why now", "What changes"]


def test_a_single_caption_like_line_does_not_break_an_article():
    # Given the same article with a photo caption where the sub-heading was
    caption = "Flood water covers the main road into the town on Sunday"
    body = plain(*SHORT_ARTICLE[:2], caption, *SHORT_ARTICLE[2:])
    # Then the article stays one section
    assert headings(parse_document(body, "text")) == [None]


def test_a_lone_short_line_with_no_section_after_it_is_not_a_heading():
    body = plain(*SHORT_ARTICLE, "What changes", "Ends here.")
    assert headings(parse_document(body, "text")) == [None]


def test_a_heading_may_have_a_list_right_under_it():
    body = plain(
        PARA_1, "What you need", "- a ticket\n- a passport\n- two photos", PARA_2, "How to apply", PARA_3
    )
    assert headings(parse_document(body, "text")) == [None, "What you need", "How to apply"]
