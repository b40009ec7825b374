"""Chinese, Japanese and Korean articles: headings, keywords, digest spans and reading time by characters.

The articles are written for these tests (no published text)."""

import math

import pytest
from newsdigest.summarizer import parse_document, summarize
from newsdigest.summarizer.language import CHARACTERS_PER_MINUTE, reading_minutes

ZH = "\n\n".join(
    [
        "北京推出新的空气污染治理计划",
        "北京市政府周一公布了一项新的空气污染治理计划，目标是在五年内将细颗粒物浓度降低三成。"
        "该计划要求燃煤电厂加快改造，并限制高排放车辆进入市区。",
        "市环保局负责人表示，空气污染治理计划将分三个阶段实施。第一阶段重点治理燃煤电厂和工业锅炉，"
        "第二阶段针对机动车排放。",
        "背景",
        "过去十年，北京的空气污染问题一直受到广泛关注。冬季供暖期间，燃煤排放导致细颗粒物浓度明显上升。"
        "专家认为，区域联防联控是治理空气污染的关键。",
        "下一步",
        "市政府将在下个月召开听证会，听取市民对空气污染治理计划的意见。"
        "环保部门还将公布每个区的减排目标，并定期发布进展报告。",
    ]
)
JA = "\n\n".join(
    [
        "東京都、新しい防災計画を発表",
        "東京都は月曜日、首都直下地震に備えた新しい防災計画を発表した。"
        "計画では、避難所の数を増やし、備蓄食料を三日分から七日分に拡充する。",
        "都の担当者によると、防災計画は来年四月から段階的に実施される。"
        "耐震化が遅れている木造住宅の密集地域を優先的に整備するという。",
        "背景",
        "東京都では、木造住宅の密集地域で大規模な火災が起きる危険性が指摘されてきた。"
        "専門家は、防災計画の実施には住民の協力が欠かせないと話している。",
        "今後の予定",
        "都は来月、区市町村と協議会を開き、防災計画の詳細を詰める。避難訓練の回数も増やす方針だ。",
    ]
)
KO = "\n\n".join(
    [
        "서울시, 새 대중교통 요금 체계 발표",
        "서울시는 월요일 새로운 대중교통 요금 체계를 발표했다. "
        "새 요금 체계는 지하철과 버스의 환승 할인을 확대하고 청소년 요금을 낮추는 것이 핵심이다.",
        "서울시 관계자는 대중교통 요금 체계 개편으로 시민들의 교통비 부담이 줄어들 것이라고 말했다. "
        "개편안은 내년 1월부터 시행된다.",
        "배경",
        "서울시는 지난해부터 대중교통 이용객 감소로 어려움을 겪어 왔다. "
        "전문가들은 요금 체계 개편이 대중교통 이용을 늘리는 데 도움이 될 것으로 보고 있다.",
        "다음 단계",
        "서울시는 다음 달 시민 공청회를 열어 의견을 듣고 요금 체계 개편안을 확정할 계획이다.",
    ]
)
CASES = [
    ("zh", ZH, ["背景", "下一步"], "空气污染"),
    ("ja", JA, ["背景", "今後の予定"], "防災計画"),
    ("ko", KO, ["배경", "다음 단계"], "대중교통"),
]


@pytest.mark.parametrize(("language", "body", "expected", "keyword"), CASES)
def test_bare_line_headings_are_found(language, body, expected, keyword):
    doc = parse_document(body, "text")
    assert [s.heading for s in doc.sections] == [None, *expected]


@pytest.mark.parametrize(("language", "body", "expected", "keyword"), CASES)
def test_language_keywords_outline_and_exact_spans(language, body, expected, keyword):
    # Given an article in the language, with no language given
    summary = summarize(body, "text")
    # Then the language is recognised from its script
    assert summary.language == language
    assert summary.status == "ready"
    # keywords: several, each written in the article, the article's main subject among them
    assert len(summary.keywords) >= 3
    assert all(k in body for k in summary.keywords)
    assert keyword in summary.keywords
    # no keyword is a clause straddling two words with a particle or function character inside
    assert all(len(k) <= 6 for k in summary.keywords)
    assert [e.heading for e in summary.outline] == [None, *expected]
    for span in [*summary.digest, *(e.gist for e in summary.outline if e.gist)]:
        assert body[span.start : span.end] == span.text
    # the title line is not a digest sentence
    assert all(s.text != body.split("\n\n")[0] for s in summary.digest)


@pytest.mark.parametrize("language", ["zh", "ja", "ko"])
def test_reading_time_counts_characters_per_minute(language):
    rate = CHARACTERS_PER_MINUTE[language]
    sentence = {
        "zh": "市政府公布了新的计划。",
        "ja": "都は新しい計画を発表した。",
        "ko": "서울시는 새 계획을 발표했다.",
    }[language]
    body = " ".join([sentence] * 200)
    chars = sum(1 for ch in body if not ch.isspace() and ch not in "。.")
    assert reading_minutes(body, language) == math.ceil(chars / rate)
    # words would say 1 minute for Chinese or Japanese (no spaces) and far fewer than characters say
    assert summarize(body, "text", language=language).reading_time_minutes == math.ceil(chars / rate)


def test_reading_time_of_alphabetic_text_still_counts_words():
    body = " ".join(["word"] * 461)
    assert reading_minutes(body, "en") == 3
    assert reading_minutes("", "zh") == 0
