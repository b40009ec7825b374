"""The sentence splitter: news abbreviations, initials, decimals, quotes, ellipses; offsets kept."""

import pytest
from newsdigest.summarizer.sentences import split_sentences


def texts(text: str) -> list[str]:
    spans = split_sentences(text)
    for span in spans:
        assert text[span.start : span.end] == span.text
    return [s.text for s in spans]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in Sacramento, Calif. on Jan. 5. They talked.",
            ["Mr. Smith met Dr. Jones in Sacramento, Calif. on Jan. 5.", "They talked."],
        ),
        (
            "U.S. officials spoke. The talks were held in the U.S. The deal was signed.",
            ["U.S. officials spoke.", "The talks were held in the U.S.", "The deal was signed."],
        ),
        (
            "John F. Kennedy and J.K. Rowling met. It was odd.",
            ["John F. Kennedy and J.K. Rowling met.", "It was odd."],
        ),
        (
            "Prices rose 3.5 percent. Shares fell 0.7%. Oil was flat.",
            ["Prices rose 3.5 percent.", "Shares fell 0.7%.", "Oil was flat."],
        ),
        ('He said: "Stop." Then he left.', ['He said: "Stop."', "Then he left."]),
        ("“Why?” she asked. Nobody knew.", ["“Why?” she asked.", "Nobody knew."]),
        ("(It was late.) We went home.", ["(It was late.)", "We went home."]),
        ("He paused... Then he spoke. Wait… What?", ["He paused...", "Then he spoke.", "Wait…", "What?"]),
        (
            "It happened at 9 a.m. on Monday. Police came.",
            ["It happened at 9 a.m. on Monday.", "Police came."],
        ),
        (
            "Apple Inc. reported profits. Acme Inc. The company said so.",
            ["Apple Inc. reported profits.", "Acme Inc.", "The company said so."],
        ),
        ("See No. 5 on the list. It is long.", ["See No. 5 on the list.", "It is long."]),
        (
            "One sign reads: “New lower prices. Same high standards,” as shoppers pass. It works.",
            ["One sign reads: “New lower prices. Same high standards,” as shoppers pass.", "It works."],
        ),
    ],
)
def test_news_text_splits_where_a_reader_would(text, expected):
    assert texts(text) == expected


def test_list_items_and_headings_without_end_marks_are_their_own_sentences():
    text = "Key points\n- Rates rose\n- Jobs fell\nThe report was released on Friday."
    assert texts(text) == ["Key points", "- Rates rose", "- Jobs fell", "The report was released on Friday."]


def test_hard_wrapped_lines_stay_one_sentence():
    text = "The committee met on Tuesday to discuss the budget for next\nyear, and it agreed. Then it left."
    assert texts(text) == [
        "The committee met on Tuesday to discuss the budget for next\nyear, and it agreed.",
        "Then it left.",
    ]


def test_offsets_point_into_the_slice_given():
    text = "Intro. First one. Second one."
    spans = split_sentences(text, 7, len(text))
    assert [s.text for s in spans] == ["First one.", "Second one."]
    assert spans[0].start == 7


def test_empty_and_blank_text_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   \n\n ") == []
