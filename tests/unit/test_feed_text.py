"""Entry HTML to text, and the teaser rule behind ``full_text: auto``."""

from __future__ import annotations

import pytest
from newsdigest.feeds.text import TEASER_WORDS, html_to_text, is_teaser


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two &amp; three</p>", "One\n\nTwo & three"),
        ("Line<br>next<br/>last", "Line\nnext\nlast"),
        ("<div>a<script>alert('x')</script>b</div>", "ab"),
        ("<style>p{color:red}</style><p>kept</p>", "kept"),
        ("<p>before</p><script>never closed <p>hidden", "before"),
        ("<p>x</p><noscript>no</noscript><template><p>t</p></template><iframe>i</iframe>", "x"),
        ("<p>  lots   of\n\n space\u00a0here </p>", "lots of space here"),
        ("<pre>keep\n  lines</pre><p>then\ntext</p>", "keep\nlines\n\nthen text"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),  # text about a tag, as text
        ("caf&eacute; &#8212; &#x2014; &nbsp;ok", "café — — ok"),
        ('<a href="javascript:alert(1)" onclick="x()">link text</a>', "link text"),
        ("<svg><text>svg</text></svg><math><mi>m</mi></math>after", "after"),
        ("<!-- <script>bad()</script> -->visible", "visible"),
        ("", ""),
        ("plain text, no tags", "plain text, no tags"),
    ],
)
def test_html_to_text(html, text):
    assert html_to_text(html) == text


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


@pytest.mark.parametrize(
    ("text", "teaser"),
    [
        (words(30), True),  # short
        (words(TEASER_WORDS - 1), True),
        (words(400), False),
        (words(400) + " …", True),
        (words(400) + "...", True),
        (words(400) + " [&hellip;]".replace("&hellip;", "…"), True),
        (words(400) + " [...]", True),
        (words(400) + "\n\nRead more", True),
        (words(400) + "\n\nContinue reading Harbour ferries go electric →", True),
        (words(400) + "\n\nRead the full story at Example News", True),
        (words(400) + " […]\n\nThe post Ferries appeared first on Example News.", True),
        (words(400) + "\n\nThe post Ferries appeared first on Example News.", False),
        (words(400) + " and we read more books than ever before, said the librarian.", False),
        (words(200) + "\n\nI read more about this later. " + words(200), False),
    ],
)
def test_is_teaser(text, teaser):
    assert is_teaser(text) is teaser
