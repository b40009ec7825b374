"""The fault suite, small and seeded, inside `make test` (the full run is `make chaos`): under every
injected fault no article is lost, stuck pending or summarized from a stale version, no email goes twice,
and hostile inputs get no 5xx and store nothing half-way."""

from __future__ import annotations

import pytest

from tests.chaos.suite import ARTICLE_SCENARIOS, run

pytestmark = pytest.mark.e2e


def test_a_small_seeded_chaos_run_loses_nothing():
    report = run(seed=11, articles=8, subscribers=2, hostile=40, workers=4, wait=30, processes=2)
    print(report.table())
    assert report.problems() == []
    # every fault was really injected, and every article ended ready, too_short or failed
    scenarios = [r.scenario for r in report.articles]
    assert scenarios == [*ARTICLE_SCENARIOS[:2], "crash_some_records+redrive", *ARTICLE_SCENARIOS[2:]]
    for row in report.articles:
        assert row.posted >= 8 and row.ready + row.too_short + row.failed == row.posted
        assert row.injected >= 1 or row.scenario == "none"
    crashed, redriven = report.articles[1], report.articles[2]
    assert crashed.failed >= 1 and redriven.failed == 0  # the poisoned ones failed, and came back
    assert all(m.digests == m.subscribers and m.injected >= 1 for m in report.mail)
    assert report.hostile.tried == 40
