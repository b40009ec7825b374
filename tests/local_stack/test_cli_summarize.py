"""`newsdigest summarize`: the same JSON the API serves, for a file, stdin, or a JSON-lines corpus."""

from __future__ import annotations

import io
import json
import sys

import pytest
from newsdigest_local.cli import main

from tests.conftest import ROOT

SAMPLE = ROOT / "infra" / "samples" / "harbour-ferries.txt"


def run(capsys, *argv: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_summarize_a_file(capsys):
    code, out = run(capsys, "summarize", str(SAMPLE), "--sentences", "2")
    result = json.loads(out)
    body = SAMPLE.read_text()
    assert code == 0 and result["status"] == "ready" and len(result["digest"]) == 2
    assert all(body[s["start"] : s["end"]] == s["text"] for s in result["digest"])
    assert [o["heading"] for o in result["outline"]][1:] == [
        "How the trial went",
        "What it will cost",
        "Will fares go up?",
        "What comes next",
    ]


def test_summarize_stdin_with_a_format(capsys, monkeypatch):
    markdown = "# Title\n\nFirst sentence. Second one follows. A third one ends it.\n\n## Part two\n\nMore."
    code, out = run(capsys, "summarize", "-", "--format", "markdown", stdin=markdown, monkeypatch=monkeypatch)
    assert code == 0 and "Part two" in [o["heading"] for o in json.loads(out)["outline"]]


def test_summarize_jsonl_writes_one_line_per_article(capsys, monkeypatch):
    lines = [
        {"id": "a", "title": "Ferries", "body": SAMPLE.read_text(), "format": "text"},
        {"id": "b", "title": "Short", "body": "Too short.", "format": "text"},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    code, out = run(capsys, "summarize", "--jsonl", "-n", "1", stdin=stdin, monkeypatch=monkeypatch)
    results = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["id"] for r in results] == ["a", "b"]
    assert set(results[0]) == {"id", "status", "digest", "outline", "keywords", "reading_time_minutes"}
    assert len(results[0]["digest"]) == 1 and results[1]["status"] == "too_short"


def test_a_broken_jsonl_line_is_reported_with_its_number(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"id": "ok", "body": "One. Two. Three."}\n{"id": "a"}\n'))
    code = main(["summarize", "--jsonl"])
    captured = capsys.readouterr()
    assert code == 2
    assert "line 2" in captured.err and "body" in captured.err
    assert json.loads(captured.out.splitlines()[0])["id"] == "ok"


@pytest.mark.parametrize("suffix,fmt", [(".md", "markdown"), (".html", "html"), (".txt", "text")])
def test_format_follows_the_suffix(tmp_path, capsys, suffix, fmt):
    intro = "The council met on Tuesday. It voted to close the bridge. Residents were angry about it."
    rest = "Engineers will inspect it in January. The work may take months."
    page = {
        "markdown": f"# T\n\n{intro}\n\n## Next\n\n{rest}",
        "html": f"<h1>T</h1><p>{intro}</p><h2>Next</h2><p>{rest}</p>",
        "text": f"{intro}\n\nNext\n\n{rest}\n\nWho pays\n\nThe city pays. The state adds the rest.",
    }[fmt]
    path = tmp_path / f"article{suffix}"
    path.write_text(page)
    code, out = run(capsys, "summarize", str(path))
    assert code == 0 and "Next" in [o["heading"] for o in json.loads(out)["outline"]]
