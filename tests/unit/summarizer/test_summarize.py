"""summarize(): the digest, outline, keywords and status contract."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from newsdigest.summarizer import parse_document, summarize
from newsdigest.summarizer.language import stopwords

ARTICLE = "\n\n".join(
    [
        "Storm closes schools across the region",
        "A powerful storm closed hundreds of schools across the region on Monday, officials said. "
        "Winds of up to 90 mph brought down trees and power lines in dozens of towns.",
        "More than 200,000 homes were without power by the evening, the utility company said. "
        "Crews from three neighbouring states were sent to help restore supplies.",
        "What happens next",
        "Forecasters expect the storm to weaken overnight as it moves out to sea. "
        "Schools are expected to reopen on Wednesday if power is restored.",
        '"We ask everyone to stay indoors," the governor told reporters. '
        "The storm is the strongest to hit the region in a decade, according to the weather service.",
        "How to stay safe",
        "Officials urged residents to avoid fallen lines and to check on elderly neighbours. "
        "Emergency shelters have opened in six towns for people without heat.",
    ]
)
TITLE = "Storm closes schools across the region"


def spans_of(summary):
    return list(summary.digest) + [e.gist for e in summary.outline if e.gist is not None]


def test_digest_is_extractive_in_article_order_with_exact_offsets():
    summary = summarize(ARTICLE, "text", title=TITLE)
    assert summary.status == "ready"
    assert 1 <= len(summary.digest) <= 3
    starts = [s.start for s in summary.digest]
    assert starts == sorted(starts)
    for span in spans_of(summary):
        assert ARTICLE[span.start : span.end] == span.text


def test_max_sentences_is_respected():
    assert len(summarize(ARTICLE, title=TITLE, max_sentences=1).digest) == 1
    assert len(summarize(ARTICLE, title=TITLE, max_sentences=2).digest) <= 2


def test_outline_has_one_gist_per_section_inside_that_section_and_headings_verbatim():
    summary = summarize(ARTICLE, "text", title=TITLE)
    doc = parse_document(ARTICLE, "text", title=TITLE)
    assert [e.heading for e in summary.outline] == [None, "What happens next", "How to stay safe"]
    for entry, section in zip(summary.outline, doc.sections, strict=True):
        assert entry.gist is not None
        assert section.start <= entry.gist.start < entry.gist.end <= section.end


def test_the_title_line_is_never_a_digest_sentence():
    summary = summarize(ARTICLE, "text", title=TITLE)
    assert all(TITLE not in s.text for s in summary.digest)


def test_near_duplicate_sentences_are_not_both_in_the_digest():
    sentence = "The central bank raised interest rates by half a point on Thursday to fight inflation."
    body = " ".join([sentence, sentence.replace("Thursday", "Thursday morning"), *ARTICLE.split("\n\n")[1:3]])
    digest = [s.text for s in summarize(body).digest]
    assert not (sentence in digest and sentence.replace("Thursday", "Thursday morning") in digest)


def test_keywords_are_article_words_and_not_stop_words():
    summary = summarize(ARTICLE, "text", title=TITLE)
    assert 3 <= len(summary.keywords) <= 8
    lowered = ARTICLE.lower()
    for word in summary.keywords:
        assert word.lower() in lowered
        assert word.lower() not in stopwords("en")
    assert "storm" in [k.lower() for k in summary.keywords]


def test_reading_time_counts_minutes_from_words():
    assert summarize(ARTICLE).reading_time_minutes == 1
    long_body = "\n\n".join([ARTICLE] * 10)  # about 1,600 words at 230 a minute
    assert summarize(long_body).reading_time_minutes == math.ceil(len(long_body.split()) / 230)
    assert summarize("").reading_time_minutes == 0


def test_empty_or_short_bodies_are_too_short_and_nothing_is_invented():
    for body in ("", "   ", "One sentence only.", "Two sentences. Just two."):
        summary = summarize(body)
        assert summary.status == "too_short"
        assert summary.digest == ()
        assert summary.outline == ()
        assert summary.keywords == ()


def test_markdown_offsets_index_the_body_itself():
    body = "# Storm\n\n" + ARTICLE.split("\n\n", 1)[1].replace("What happens next", "## What happens next")
    summary = summarize(body, "markdown")
    assert summary.status == "ready"
    assert "What happens next" in [e.heading for e in summary.outline]
    for span in spans_of(summary):
        assert body[span.start : span.end] == span.text


def test_html_offsets_index_the_extracted_text():
    paragraphs = ARTICLE.split("\n\n")
    html = "<article><h1>{}</h1>{}<script>alert(1)</script></article>".format(
        TITLE, "".join(f"<p>{p}</p>" for p in paragraphs[1:])
    )
    doc = parse_document(html, "html", title=TITLE)
    summary = summarize(html, "html", title=TITLE)
    assert summary.status == "ready"
    assert "alert" not in doc.text
    for span in spans_of(summary):
        assert doc.text[span.start : span.end] == span.text


def test_non_english_text_is_handled_and_its_language_guessed():
    body = (
        "Die Regierung hat am Montag neue Regeln für den Verkehr in der Stadt beschlossen. "
        "Die Regeln sollen ab dem nächsten Jahr gelten und den Lärm in den Straßen verringern. "
        "Viele Bürger haben sich über den Lärm beschwert, sagte der Bürgermeister. "
        "Die Opposition kritisiert, dass die Regeln zu spät kommen und nicht weit genug gehen."
    )
    summary = summarize(body)
    assert summary.status == "ready"
    assert summary.language == "de"
    assert "die" not in [k.lower() for k in summary.keywords]
    assert summarize(body, language="de-AT").language == "de-AT"


def test_text_in_a_language_without_a_stop_word_list_still_summarizes():
    body = (
        "東京で大きな地震があった。 多くの建物が揺れた。 けが人はいないと警察は話した。 電車は一時止まった。"
    )
    summary = summarize(body, language="ja")
    assert summary.status == "ready"
    for span in summary.digest:
        assert body[span.start : span.end] == span.text


def test_huge_body_is_summarized():
    # (how its time grows with length is measured by `make bench`, not asserted here)
    huge = "\n\n".join([ARTICLE.split("\n\n", 1)[1]] * 400)  # about 60,000 words
    summary = summarize(huge, max_sentences=3)
    assert summary.status == "ready"
    assert len(summary.digest) == 3


def test_same_input_same_output():
    assert summarize(ARTICLE, title=TITLE) == summarize(ARTICLE, title=TITLE)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
            st.sampled_from(
                [
                    "Mr. Smith said so.",
                    "U.S. officials",
                    "3.5 percent.",
                    "Wait... What?",
                    "\n\n",
                    "\n",
                    "# Heading\n",
                    "Heading\n---\n",
                    '"Quoted." ',
                    "(Aside.) ",
                    "- item\n",
                    "```\ncode\n```\n",
                    "背景\n\n",
                    "北京市政府周一公布了新的计划。",
                    "東京都は計画を発表した。",
                    "서울시는 새 요금 체계를 발표했다. ",
                ]
            ),
        ),
        max_size=25,
    ).map("".join),
    st.sampled_from(["text", "markdown"]),
)
def test_every_span_is_exactly_the_text_at_its_offsets(body, fmt):
    summary = summarize(body, fmt)
    doc = parse_document(body, fmt)
    assert doc.text == body
    for span in spans_of(summary):
        assert body[span.start : span.end] == span.text
        assert span.text.strip() == span.text and span.text
    for section in doc.sections:
        assert 0 <= section.start <= section.end <= len(body)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_html_input_yields_consistent_spans(body):
    summary = summarize(f"<p>{body}</p><h2>x</h2><p>{body}</p>", "html")
    doc = parse_document(f"<p>{body}</p><h2>x</h2><p>{body}</p>", "html")
    for span in spans_of(summary):
        assert doc.text[span.start : span.end] == span.text


def test_a_name_written_as_two_capitalised_words_is_one_keyword():
    body = (
        "Whole Foods cut prices on Monday. Shoppers at Whole Foods noticed the cheaper fish at once. "
        "Analysts said Whole Foods wants to win back families. Rivals expect Whole Foods to cut again."
    )
    keywords = summarize(body).keywords
    assert "Whole Foods" in keywords
    assert "Whole" not in keywords and "Foods" not in keywords
    assert "Monday" not in keywords


def test_a_name_comes_before_a_common_word_used_as_often():
    # Given an article where a name and a common noun each recur in three sentences (the noun first)
    body = (
        "The bridge over the river will close for repairs in March. Engineers found cracks in the bridge "
        "last year, according to Halvorsen. Halvorsen, the city's chief engineer, wants the work done "
        "before summer. Drivers will use the ferry while the bridge is shut, and Halvorsen expects delays."
    )
    keywords = list(summarize(body).keywords)
    # Then the name ranks above the noun
    assert "Halvorsen" in keywords and "bridge" in keywords
    assert keywords.index("Halvorsen") < keywords.index("bridge")
