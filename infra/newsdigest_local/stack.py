"""The whole service on this machine: moto's server as AWS, the template's resources on it, API Gateway
and the stream event source emulated for the same handlers.

``LocalStack`` is what ``newsdigest serve``, ``newsdigest invoke`` and the end-to-end tests use.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsdigest_local.apigw import ApiServer
from newsdigest_local.mail import MailArchive
from newsdigest_local.queues import Poller, QueuePoller, TopicPoller, queue_pollers, topic_pollers
from newsdigest_local.resources import provision
from newsdigest_local.runtime import LocalRuntime, Log, _print
from newsdigest_local.streams import StreamPoller, StreamTrimmer
from newsdigest_local.template import REGION, Template

STATE_FILE = "stack.json"
# What stops `newsdigest serve`, and how long a stop may take before the process gives up waiting.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_TIMEOUT_S = 10.0


def aws_environment(endpoint: str) -> dict[str, str]:
    """What every boto3 client (ours and the handlers') needs to talk to the stand-in and nothing else."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Newer botocore builds account-scoped DynamoDB endpoints; moto serves the plain one.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }


def local_function_environment(quiet: bool) -> dict[str, str]:
    env = {"POWERTOOLS_DEV": "false", "POWERTOOLS_TRACE_DISABLED": "true"}
    if quiet:
        # One line per invocation comes from the runtime; Powertools' JSON logs and EMF metrics only on -v.
        env |= {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
    return env


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class LocalStack:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        api_port: int = 3000,
        aws_port: int = 0,
        state_dir: Path | None = None,
        quiet: bool = True,
        log: Log = _print,
        start_pollers: bool = True,
        poll_interval: float = 0.2,
        api_key: str | None = None,
        parameters: dict[str, str] | None = None,
        queue_visibility_timeout: int | None = None,
        run_schedules: bool = False,
        fetch_loopback_ports: str = "",
    ) -> None:
        self.host = host
        self.api_port = api_port
        self.aws_port = aws_port or free_port(host)
        self.state_dir = state_dir
        self.quiet = quiet
        self.log = log
        self.start_pollers = start_pollers
        self.poll_interval = poll_interval
        # None: a failed SQS message waits out its queue's VisibilityTimeout from template.yaml, as on AWS.
        self.queue_visibility_timeout = queue_visibility_timeout
        self.template = Template.load()
        self.parameters = parameters or {}
        # `newsdigest serve` fires the template's schedules on time; tests fire them by hand.
        self.run_schedules = run_schedules
        self.schedule_runner: Any = None
        # Local only: ports on 127.0.0.1 the fetcher may reach (a feed served on this machine).
        self.fetch_loopback_ports = fetch_loopback_ports
        # The key writes need (API Gateway's API key, locally): given, from NEWSDIGEST_API_KEY, or made up.
        self.api_key_generated = not (api_key or os.environ.get("NEWSDIGEST_API_KEY"))
        self.api_key = api_key or os.environ.get("NEWSDIGEST_API_KEY") or secrets.token_urlsafe(24)
        self.pollers: list[StreamPoller] = []
        self.queue_pollers: list[QueuePoller] = []
        self.topic_pollers: list[TopicPoller] = []
        self.mail_archive: MailArchive | None = None
        self._moto: Any = None
        self.api: ApiServer | None = None
        self._saved_env: dict[str, str | None] = {}

    @property
    def aws_endpoint(self) -> str:
        return f"http://{self.host}:{self.aws_port}"

    def _setenv(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self._saved_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def start(self) -> LocalStack:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.aws_port, verbose=False)
        self._moto.start()
        self._setenv(aws_environment(self.aws_endpoint) | local_function_environment(self.quiet))
        resolver = provision(self.template, parameters=self.parameters)
        self.resolver = resolver
        if not self.api_port:
            self.api_port = free_port(self.host)
        # Links in emails (confirm, unsubscribe) point at this local API.
        overrides = local_function_environment(self.quiet) | {
            "NEWSDIGEST_PUBLIC_URL": f"http://{self.host}:{self.api_port}"
        }
        if self.fetch_loopback_ports:
            overrides["NEWSDIGEST_FETCH_ALLOW_LOOPBACK_PORTS"] = self.fetch_loopback_ports
        self.runtime = LocalRuntime(self.template, resolver, self.log, overrides)
        for key in self.runtime.environment:
            self._saved_env.setdefault(key, None)
        sources = [source for spec in self.template.functions.values() for source in spec.streams]
        # moto would keep every stream record for the life of the process: each table's stream is
        # trimmed once every mapping that reads it has handled a record.
        self.stream_trimmers = {
            table: StreamTrimmer(resolver.refs[table], sum(1 for s in sources if s.table == table))
            for table in {source.table for source in sources}
        }
        for source in sources:
            stream_arn = resolver.get_att(source.table, "StreamArn")
            queue = resolver.refs.get(source.on_failure_queue) if source.on_failure_queue else None
            poller = StreamPoller(
                source,
                stream_arn,
                self.runtime,
                queue,
                poll_interval=self.poll_interval,
                on_checkpoint=self.stream_trimmers[source.table].checkpoint,
                on_dead_letter=self.stream_trimmers[source.table].hold,
            )
            self.pollers.append(poller)
            if self.start_pollers:
                poller.start()
        self.queue_pollers = queue_pollers(
            self.runtime,
            resolver,
            poll_interval=self.poll_interval,
            visibility_timeout=self.queue_visibility_timeout,
        )
        self.topic_pollers = topic_pollers(self.runtime, resolver, poll_interval=self.poll_interval)
        background: list[Poller] = [*self.queue_pollers, *self.topic_pollers]
        if self.state_dir:
            self.mail_archive = MailArchive(self.mail_dir, self.log, poll_interval=self.poll_interval)
            background.append(self.mail_archive)
        if self.run_schedules:
            from newsdigest_local.schedules import ScheduleRunner

            self.schedule_runner = ScheduleRunner(self.runtime, self.template.schedules, self.log)
            background.append(self.schedule_runner)
        if self.start_pollers:
            for poller in background:
                poller.start()
        api_props = self.template.resources["NewsApi"]["Properties"]
        self.api = ApiServer(
            self.host,
            self.api_port,
            self.runtime,
            self.template.routes,
            key_required=resolver.api_key_required,
            cors=resolver.resolve(api_props.get("Cors")),
            api_key=self.api_key,
            gateway_responses=resolver.resolve(api_props.get("GatewayResponses")),
        )
        self.api_port = int(self.api.server_address[1])
        if self.state_dir:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            (self.state_dir / STATE_FILE).write_text(json.dumps(self.describe(), indent=2))
        return self

    @property
    def mail_dir(self) -> Path:
        return (self.state_dir or Path(".local")) / "mail"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    def describe(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "aws_endpoint": self.aws_endpoint,
            "pid": os.getpid(),
            "resources": self.resolver.refs,
            "mail_dir": str(self.mail_dir) if self.state_dir else None,
        }

    def serve_forever(self) -> None:
        assert self.api is not None
        self._serving = True
        try:
            self.api.serve_forever(poll_interval=0.2)
        finally:
            self._serving = False

    def serve_in_thread(self) -> LocalStack:
        self._thread = threading.Thread(target=self.serve_forever, name="local-api", daemon=True)
        self._thread.start()
        return self

    def serve_until_signalled(
        self,
        on_ready: Callable[[], None] = lambda: None,
        on_signal: Callable[[], None] = lambda: None,
        on_stopped: Callable[[], None] = lambda: None,
        timeout: float = STOP_TIMEOUT_S,
        exit_when_stopped: bool = False,
    ) -> None:
        """Serve until SIGINT or SIGTERM, then stop within ``timeout`` seconds, however busy.

        Installs its own handler for both signals: a process whose parent ignores SIGINT (a shell's
        background job, some supervisors) inherits SIG_IGN, and Python then installs no KeyboardInterrupt
        handler, so Ctrl-C or ``kill -INT`` would do nothing. A second signal while stopping ends the
        process at once (after removing the state file). ``on_ready`` runs once the handlers are in place
        (a banner printed then promises that a signal will be honoured).

        ``exit_when_stopped`` (the ``serve`` command) ends the process right after ``on_stopped``: the
        interpreter's own teardown would free moto's whole heap object by object, seconds after a load,
        and nothing is left to clean up by then (state file gone, sockets closed, output flushed)."""
        stopping = threading.Event()

        def handle(signum: int, frame: Any) -> None:
            if stopping.is_set():
                self._forget_state()
                os._exit(128 + signum)
            stopping.set()

        previous = {sig: signal.signal(sig, handle) for sig in STOP_SIGNALS}
        try:
            self.serve_in_thread()
            on_ready()
            # The main thread only waits: Python runs signal handlers there, so it must stay responsive.
            while not stopping.wait(0.2) and self._thread.is_alive():
                pass
            on_signal()
            self.stop(timeout=timeout)
            on_stopped()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exit_when_stopped:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)

    def _forget_state(self) -> None:
        if self.state_dir and (self.state_dir / STATE_FILE).exists():
            (self.state_dir / STATE_FILE).unlink()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop taking requests, then the event sources, then moto: bounded by ``timeout`` in all. An
        invocation still running then is left to its daemon thread (the process is ending)."""
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        deadline = time.monotonic() + timeout
        everything: list[Any] = [*self.pollers, *self.queue_pollers, *self.topic_pollers]
        if self.mail_archive:
            everything.append(self.mail_archive)
        if self.schedule_runner:
            everything.append(self.schedule_runner)
        for poller in everything:
            poller.stop()
        if getattr(self, "runtime", None) is not None:
            self.runtime.close()
        if self.api is not None:
            if getattr(self, "_serving", False):
                self.api.shutdown()
            self.api.server_close()
        for poller in everything:
            if poller.is_alive():
                poller.join(timeout=max(0.0, deadline - time.monotonic()))
        busy = [poller.name for poller in everything if poller.is_alive()]
        if busy:
            self.log(f"stopping without waiting for {', '.join(busy)} (still in an invocation)")
        if self._moto is not None:
            self._moto.stop()
        self._forget_state()
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
