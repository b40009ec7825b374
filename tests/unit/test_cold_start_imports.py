"""What a cold start imports: each Lambda handler module, imported in a fresh interpreter as Lambda imports
it, leaves out what its first request may not need. bench/cold_start.py measures the time; this holds the
property that makes it small, without timing anything.

- boto3 (0.1-0.4 s) is imported when a store, queue or mailer is first used, inside a request.
- Powertools' OpenAPI document models (~0.1 s) only when /openapi.json or /docs is first served.
- Jinja2 only when a page or an email is first rendered, the email package when a message is first built;
  the summarizer's parser only by the write routes.
- Powertools' parser models (pydantic models of every event type, which ``utilities.batch`` builds when
  pydantic was imported before it) never: the batch handlers hand records to us as data classes.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BOTO3 = ("boto3", "botocore.session", "botocore.client")
OPENAPI_DOCUMENT = ("aws_lambda_powertools.event_handler.openapi.models",)
PARSER_MODELS = ("aws_lambda_powertools.utilities.parser",)
JINJA2 = ("jinja2",)
SUMMARIZER = ("newsdigest.summarizer",)
EMAIL = ("email.policy", "email.headerregistry")  # only building a message needs them
ARTICLE_MODELS = ("newsdigest.articles.models",)  # only digests (articles in an email) need them there
PAGES = ("trafilatura", "feedparser")  # reading a page (~0.2 s) or a feed: on first use

# handler module -> modules its import must not load
DEFERRED = {
    "newsdigest.handlers.api": BOTO3 + OPENAPI_DOCUMENT + JINJA2 + EMAIL + SUMMARIZER,
    "newsdigest.handlers.ingest": BOTO3 + OPENAPI_DOCUMENT + JINJA2 + EMAIL + SUMMARIZER,
    "newsdigest.handlers.subscriptions": BOTO3 + OPENAPI_DOCUMENT + JINJA2 + EMAIL + ARTICLE_MODELS,
    "newsdigest.handlers.summarize": BOTO3 + PARSER_MODELS + JINJA2 + EMAIL,
    "newsdigest.handlers.digest_send": BOTO3 + PARSER_MODELS + JINJA2 + EMAIL,
    "newsdigest.handlers.digest_schedule": BOTO3 + JINJA2 + EMAIL,
    "newsdigest.handlers.mail_events": BOTO3 + JINJA2 + EMAIL + ARTICLE_MODELS,
    "newsdigest.handlers.feed_schedule": BOTO3 + JINJA2 + EMAIL + PAGES,
    "newsdigest.handlers.feed_poll": BOTO3 + PARSER_MODELS + JINJA2 + EMAIL + PAGES,
    "newsdigest.handlers.summarize_failures": BOTO3 + PARSER_MODELS + JINJA2 + EMAIL + PAGES,
}

_IMPORT = """
import json, sys
module = __import__(sys.argv[1], fromlist=["lambda_handler"])
assert callable(module.lambda_handler)
exec(sys.argv[2])
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(module: str, then: str = "") -> set[str]:
    """Every module in sys.modules after importing handler `module` alone in a fresh interpreter (and
    running `then`)."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT, module, then],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "us-east-1", "POWERTOOLS_SERVICE_NAME": "newsdigest", "PATH": ""},
    )
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("handler", sorted(DEFERRED))
def test_a_cold_start_imports_only_what_its_first_request_needs(handler):
    loaded = loaded_by(handler)
    too_early = sorted(
        name
        for name in loaded
        for deferred in DEFERRED[handler]
        if name == deferred or name.startswith(deferred + ".")
    )
    assert handler in loaded and "aws_lambda_powertools" in loaded
    assert too_early == [], f"importing {handler} loads {too_early}"


def test_what_is_deferred_is_imported_when_first_used():
    # The first use of a store builds its boto3 table; the first page rendered builds the Jinja2 environment.
    first_use = (
        "from newsdigest import wiring\n"
        "wiring.services.subscriber_store.table\n"
        "from newsdigest.api.subscriptions import _page\n"
        "_page('t', 'm')\n"
    )
    loaded = loaded_by("newsdigest.handlers.subscriptions", first_use)
    assert {"boto3", "botocore.client", "jinja2"} <= loaded


def test_with_snapstart_boto3_is_imported_before_the_snapshot_and_not_before(tmp_path):
    # The Lambda runtime provides snapshot_restore_py; this stand-in records the hooks registered with it.
    (tmp_path / "snapshot_restore_py.py").write_text(
        "before = []\ndef register_before_snapshot(f, *a, **k):\n    before.append(f)\n    return f\n"
    )
    take_snapshot = (
        "import snapshot_restore_py\n"
        "print(json.dumps('boto3' in sys.modules))\n"
        "for hook in reversed(snapshot_restore_py.before):\n    hook()\n"
    )
    code = _IMPORT.replace("exec(sys.argv[2])", "import json\n" + take_snapshot)
    result = subprocess.run(
        [sys.executable, "-c", code, "newsdigest.handlers.api", ""],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(tmp_path), "PATH": ""},
    )
    imported_at_init, modules = result.stdout.splitlines()
    assert json.loads(imported_at_init) is False
    assert "boto3" in json.loads(modules)


def test_every_handler_is_held_to_it():
    import pkgutil

    import newsdigest.handlers

    modules = {f"newsdigest.handlers.{m.name}" for m in pkgutil.iter_modules(newsdigest.handlers.__path__)}
    assert modules == set(DEFERRED)
