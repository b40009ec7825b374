"""An extracted page becomes an article; what the page itself gets wrong is the page's 4xx, never a 500."""

import pytest
from newsdigest.articles.pages import page_article
from newsdigest.errors import NoArticleOnPage
from newsdigest.extraction import ExtractedPage


def page(**fields):
    values = {
        "title": "Harbour ferries go electric",
        "author": None,
        "published": None,
        "language": "en",
        "markdown": "The city retires its diesel ferries.\n\n## What comes next\n\nFour boats in spring.",
        "text": "The city retires its diesel ferries.\n\nWhat comes next\n\nFour boats in spring.",
        "headings": ["What comes next"],
    }
    return ExtractedPage(**(values | fields))


def test_a_blank_page_title_falls_back_to_the_first_line():
    article = page_article(page(title="   \n "), url="https://news.example.com/a")
    assert article.title == "The city retires its diesel ferries."
    assert article.format == "markdown" and article.body.startswith("The city")


def test_an_article_the_page_makes_invalid_is_no_article_not_a_crash():
    # A page whose text is only whitespace after extraction cannot be stored: the client hears why.
    with pytest.raises(NoArticleOnPage, match="body"):
        page_article(page(markdown=" \n\n ", text="x"), url="https://news.example.com/a")
