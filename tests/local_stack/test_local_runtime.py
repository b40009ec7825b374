"""The local runtime: invocations one at a time, and none once the stack is stopping."""

from __future__ import annotations

import os

import pytest
from newsdigest_local.runtime import LocalRuntime, RuntimeClosed
from newsdigest_local.template import Resolver, Template


def test_a_closed_runtime_starts_no_invocation(monkeypatch):
    template = Template.load()
    saved = dict(os.environ)
    try:
        runtime = LocalRuntime(template, Resolver(template, {}, {}, {}), log=lambda line: None)
    finally:  # the runtime sets the functions' environment for their cold start
        os.environ.clear()
        os.environ.update(saved)
    calls: list[dict] = []
    monkeypatch.setitem(runtime._handlers, "ApiFunction", lambda event, context: calls.append(event))
    runtime.invoke("ApiFunction", {"n": 1})
    runtime.close()
    with pytest.raises(RuntimeClosed):
        runtime.invoke("ApiFunction", {"n": 2})
    assert calls == [{"n": 1}]
