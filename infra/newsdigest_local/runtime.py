"""Run the template's functions in this process, one invocation at a time, one log line each."""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from newsdigest_local.context import LocalContext
from newsdigest_local.template import FunctionSpec, Resolver, Template

Log = Callable[[str], None]
Handler = Callable[[dict[str, Any], Any], Any]
# A test hook: (logical id, handler, event, context) -> result. The fault suite installs one to crash, retry,
# redeliver or replay invocations; it exists only in this local runtime, never in a deployed function.
Around = Callable[[str, Handler, dict[str, Any], Any], Any]


class RuntimeClosed(RuntimeError):
    """The stack is stopping: no further invocation starts."""


def _print(line: str) -> None:
    print(line, flush=True)


class LocalRuntime:
    def __init__(
        self,
        template: Template,
        resolver: Resolver,
        log: Log = _print,
        overrides: dict[str, str] | None = None,
    ) -> None:
        self.specs: dict[str, FunctionSpec] = template.functions
        self.log = log
        # Lambda runs one event at a time per execution environment; Powertools keeps per-invocation state
        # in module globals, so invocations are serialised here too.
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._handlers: dict[str, Callable[[dict[str, Any], Any], Any]] = {}
        environment: dict[str, str] = {}
        for spec in self.specs.values():
            environment.update(resolver.function_environment(spec))
        environment.update(overrides or {})
        # Handlers read their settings at cold start: the environment must be in place before import.
        os.environ.update(environment)
        self.environment = environment
        self.around: Around | None = None

    def close(self) -> None:
        """Start no more invocations: requests and batches still waiting for their turn are refused, so a
        stop is not held up by a queue of them (one already running finishes in its thread)."""
        self._closed.set()

    def handler(self, logical_id: str) -> Callable[[dict[str, Any], Any], Any]:
        if logical_id not in self._handlers:
            spec = self.specs[logical_id]
            module_name, func = spec.handler.rsplit(".", 1)
            self._handlers[logical_id] = getattr(importlib.import_module(module_name), func)
        return self._handlers[logical_id]

    def invoke(
        self,
        logical_id: str,
        event: dict[str, Any],
        what: str = "invoke",
        outcome: Callable[[Any], str] = lambda r: "ok",
    ) -> Any:
        if logical_id not in self.specs:
            raise KeyError(
                f"no function {logical_id!r} in template.yaml; have {', '.join(sorted(self.specs))}"
            )
        spec = self.specs[logical_id]
        handler = self.handler(logical_id)
        with self._lock:
            if self._closed.is_set():
                raise RuntimeClosed(f"the local stack is stopping; {logical_id} was not invoked")
            started = time.perf_counter()
            try:
                context = LocalContext(logical_id, spec.memory, spec.timeout)
                around = self.around
                result = around(logical_id, handler, event, context) if around else handler(event, context)
            except Exception as exc:
                elapsed = (time.perf_counter() - started) * 1000
                self.log(
                    f"{_now()}  {logical_id:<18} {what}  ERROR {type(exc).__name__}: {exc}  {elapsed:.0f} ms"
                )
                raise
            elapsed = (time.perf_counter() - started) * 1000
        self.log(f"{_now()}  {logical_id:<18} {what}  {outcome(result)}  {elapsed:.0f} ms")
        return result


def _now() -> str:
    return time.strftime("%H:%M:%S")
