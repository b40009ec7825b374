"""Every Lambda handler wears the same decorator stack, and every domain error has one HTTP mapping."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from newsdigest import errors
from newsdigest.api.errors import DOMAIN_ERRORS, domain_error_response

HANDLERS = Path(__file__).resolve().parents[2] / "functions" / "newsdigest" / "handlers"
STACK = ["logger.inject_lambda_context", "metrics.log_metrics"]


def decorator_names(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (handler,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "lambda_handler"]
    return [ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in handler.decorator_list]


@pytest.mark.parametrize("path", sorted(HANDLERS.glob("[!_]*.py")), ids=lambda p: p.stem)
def test_every_handler_has_the_same_decorator_stack(path):
    assert decorator_names(path) == STACK


def test_the_handlers_are_the_templates():
    assert {p.stem for p in HANDLERS.glob("[!_]*.py")} == {
        "api",
        "ingest",
        "subscriptions",
        "summarize",
        "summarize_failures",
        "digest_schedule",
        "digest_send",
        "mail_events",
        "feed_schedule",
        "feed_poll",
    }


def domain_errors() -> set[type]:
    found, todo = set(), [errors.NewsdigestError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return {e for e in found if e.__module__ == "newsdigest.errors"}


def test_every_domain_error_has_exactly_one_mapping():
    assert set(DOMAIN_ERRORS) == domain_errors()


@pytest.mark.parametrize(
    "error", [errors.MailUnavailable("Throttling: rate exceeded"), errors.DeliveryBusy()]
)
def test_retryable_errors_are_503_with_retry_after(error):
    response = domain_error_response(error)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) > 0
    assert "Throttling" not in json.dumps(response.body)  # SES's words are for the logs, not the client


def test_a_refused_message_is_a_502_without_retry_after():
    response = domain_error_response(errors.MailRejected("MessageRejected: Email address is not verified."))
    assert response.status_code == 502 and "Retry-After" not in (response.headers or {})


def test_hundreds_of_responses_in_one_process_are_counted_without_error():
    # Disabled metrics (tests, the quiet local stack) pile up in Powertools until it publishes them at 100.
    from newsdigest.observability import count_response

    for status in [200] * 150 + [404] * 150:
        assert count_response({"statusCode": status})["statusCode"] == status


def test_a_long_lived_process_survives_a_hundred_values_of_one_metric():
    """The local stack and the e2e run are one process: Powertools publishes a metric on its 100th value,
    which needs the namespace every function has from the template."""
    from newsdigest.observability import count_response

    for _ in range(150):
        assert count_response({"statusCode": 422})["statusCode"] == 422
