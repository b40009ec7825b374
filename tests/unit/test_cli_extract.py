"""`newsdigest extract`: the service's page extractor from the `newsdigest` command."""

from __future__ import annotations

import json

from newsdigest_local.cli import main

from tests.unit.extraction.pages import news_page


def test_extract_a_page_file_prints_the_article(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text(news_page())
    assert main(["extract", str(page), "--url", "https://gazette.example/ferries"]) == 0
    article = json.loads(capsys.readouterr().out)
    assert article["title"] == "Town votes for electric ferries" and article["language"] == "en"
    assert article["headings"] == ["How the trial went", "What it will cost", "What comes next"]
    assert "Related stories" not in article["text"] and article["url"] == "https://gazette.example/ferries"


def test_extract_jsonl_keeps_going_past_a_page_without_article(tmp_path, capsys):
    lines = tmp_path / "pages.jsonl"
    lines.write_text(
        json.dumps({"id": "a", "html": "<html><body><nav>Home</nav></body></html>"})
        + "\n"
        + json.dumps({"id": "b", "url": "https://gazette.example/f", "html": news_page()})
        + "\n"
    )
    assert main(["extract", "--jsonl", str(lines)]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first == {"id": "a", "error": "no_article_text", "message": first["message"]}
    assert second["id"] == "b" and "How the trial went" in second["headings"]
