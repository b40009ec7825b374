"""The layering rule: domain and logic code import neither boto3 nor (for pure domain code) Powertools."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE_DOMAIN = [
    "newsdigest.summarizer",
    "newsdigest.emails.render",
    "newsdigest.pages",
    "newsdigest.periods",
    "newsdigest.tokens",
    "newsdigest.ids",
    "newsdigest.cursor",
    "newsdigest.timeline",
    "newsdigest.fetcher",
    "newsdigest.feeds.parse",
    "newsdigest.feeds.text",
    "newsdigest.feeds.polling",
]
LOGIC = [
    "newsdigest.ingest",
    "newsdigest.catalog",
    "newsdigest.summaries",
    "newsdigest.subscribers",
    "newsdigest.mailing",
]


def imported_by(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in result.stdout.split()}


@pytest.mark.parametrize("module", PURE_DOMAIN + LOGIC)
def test_no_boto3_below_the_data_access_layer(module):
    assert "boto3" not in imported_by(module) and "botocore" not in imported_by(module)


@pytest.mark.parametrize("module", PURE_DOMAIN)
def test_domain_code_needs_no_powertools(module):
    assert "aws_lambda_powertools" not in imported_by(module)
