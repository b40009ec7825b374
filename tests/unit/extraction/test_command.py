"""`newsdigest extract` (``newsdigest.extraction.command.main``): a page file, stdin, or JSON lines."""

from __future__ import annotations

import io
import json
import sys

from newsdigest.extraction.command import main

from tests.unit.extraction.pages import SECTIONS, news_page

HEADINGS = [heading for heading, _ in SECTIONS]


class _Stdin(io.TextIOWrapper):
    """A stdin with a binary buffer, like the real one."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")


def test_a_page_file_prints_the_article_as_json(tmp_path, capsys):
    path = tmp_path / "page.html"
    path.write_text(news_page(), encoding="utf-8")
    code = main([str(path), "--url", "https://gazette.example/news/ferries"])
    article = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {"title", "text", "headings", "author", "date", "language"} <= set(article)
    assert article["headings"] == HEADINGS and article["language"] == "en"
    assert article["url"] == "https://gazette.example/news/ferries"
    assert "Related stories" not in article["text"]


def test_stdin_bytes_in_a_declared_charset(capsys, monkeypatch):
    html = news_page(head='<meta charset="iso-8859-1"><title>T</title>').replace("<meta charset='utf-8'>", "")
    html = html.replace("coastal town", "coastal t\u00f6wn")
    monkeypatch.setattr(sys, "stdin", _Stdin(html.encode("latin-1")))
    code = main(["-"])
    assert code == 0 and "coastal t\u00f6wn" in json.loads(capsys.readouterr().out)["text"]


def test_a_page_without_article_text_exits_1_with_a_message(tmp_path, capsys):
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    code = main([str(path)])
    captured = capsys.readouterr()
    assert code == 1 and captured.out == "" and "no article text" in captured.err


def test_a_missing_file_exits_2(tmp_path, capsys):
    code = main([str(tmp_path / "nope.html")])
    assert code == 2 and "nope.html" in capsys.readouterr().err


def test_jsonl_writes_one_result_per_line_and_keeps_going_past_an_empty_page(capsys, monkeypatch):
    lines = [
        {"id": "a", "url": "https://gazette.example/a", "html": news_page()},
        {"id": "b", "url": "https://gazette.example/b", "html": "<html><body></body></html>"},
        {"id": "c", "html": news_page(lang="de")},
    ]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    code = main(["--jsonl"])
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and [r["id"] for r in results] == ["a", "b", "c"]
    assert results[0]["headings"] == HEADINGS and results[0]["url"] == "https://gazette.example/a"
    assert results[1]["error"] == "no_article_text" and "text" not in results[1]
    assert results[2]["language"] == "de"


def test_jsonl_from_a_file(tmp_path, capsys):
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"id": 7, "url": None, "html": news_page()}) + "\n\n", encoding="utf-8")
    assert main(["--jsonl", str(path)]) == 0
    (result,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert result["id"] == 7 and result["title"] == "Town votes for electric ferries"


def test_a_broken_jsonl_line_is_reported_with_its_number(capsys, monkeypatch):
    data = json.dumps({"id": "ok", "html": news_page()}) + "\n" + '{"id": "x", "body": "<p>hi</p>"}\n'
    monkeypatch.setattr(sys, "stdin", _Stdin(data.encode("utf-8")))
    code = main(["--jsonl", "-"])
    captured = capsys.readouterr()
    assert code == 2 and "line 2" in captured.err and '"html"' in captured.err
    assert json.loads(captured.out.splitlines()[0])["id"] == "ok"
