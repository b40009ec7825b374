"""`make bench`, cold-start section: each handler's import time from the built bundle, against a bare
Powertools resolver measured in the same run.

What a cold start pays for our code is the import of the handler module, in a fresh interpreter, from
`.aws-sam/build/<Function>` (what Lambda unzips into /var/task). For each function and for a peer - a
bare ``APIGatewayRestResolver`` with ``Logger`` and ``Metrics`` and one route, imported from the same
bundle - this starts ``--runs`` fresh processes of the runtime's interpreter (python3.13 for
``Runtime: python3.13``), times the import inside each, and prints the median, the ratio to the peer's
median, and which imports dominate (cumulative ms, median of three ``-X importtime`` processes).
Target: every handler at most 2x the peer.

- The bundle is rebuilt with ``sam build`` unless ``.aws-sam/build`` is newer than template.yaml and
  everything under functions/ (``--build`` forces it, ``--no-build`` never builds).
- The bundle is for arm64; on another machine the native wheels it holds (pydantic_core, markupsafe)
  are replaced by the same versions for this machine, installed once into ``.aws-sam/bench-native``
  and placed ahead of the bundle on ``sys.path``.
- boto3 is not in the bundle: the Lambda runtime provides it. It comes from the same versions as the
  runtime virtualenv's, installed for the runtime's interpreter into ``.aws-sam/bench-native`` and
  compiled, as a runtime's own copy would be.
- ``--baseline DIR`` also measures another built bundle (e.g. main's, from ``sam build --build-dir DIR``
  in a checkout of main) in the same rounds, against the same peer: before/after in one sitting.
- ``--first-request`` also times, in the same processes, the first invocation after the import, with the
  function's sample event (events/) against moto's server on 127.0.0.1 holding the template's resources
  (the peer: GET /health). What a handler no longer imports at cold start it imports in its first request:
  this column shows whether a change removed the cost or only moved it. Its figures include moto's own
  latency (a local HTTP server in this process), so compare them between bundles, not with AWS.
- Nothing writes bytecode during the runs (``-B``, as on Lambda's read-only /var/task): the bundle's
  own .pyc are what is measured (the peer's module is compiled the same way). Processes run
  round-robin (one of each per round) so that drift hits all alike.

    .venv/bin/python bench/cold_start.py [--runs 15] [--build | --no-build] [--baseline DIR] [--first-request]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
NATIVE = ROOT / ".aws-sam" / "bench-native"
TOOLS = ROOT / ".tools-venv" / "bin"
PEER = "bare resolver"
BASELINE = "baseline:"  # prefix of the --baseline bundle's targets
IMPORTTIME_RUNS = 3  # -X importtime processes per handler; each module's median is shown
# Imports worth naming when they show up: what an import-time budget is usually spent on.
WATCH = (
    "boto3",
    "botocore.session",
    "aws_lambda_powertools.event_handler.openapi.models",
    "aws_lambda_powertools.event_handler.openapi.params",
    "aws_lambda_powertools.event_handler.api_gateway",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.parser",
    "pydantic",
    "jinja2",
    "newsdigest.pages",
    "newsdigest.emails",
)

PEER_SOURCE = """
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

logger = Logger()
metrics = Metrics()
app = APIGatewayRestResolver()


@app.get("/health")
def health():
    return {"status": "ok"}


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event, context):
    return app.resolve(event, context)
"""

CHILD = """
import importlib, sys, time
sys.path[:0] = {path!r}
start = time.perf_counter()
module = importlib.import_module({module!r})
handler = getattr(module, {attr!r})
imported = time.perf_counter() - start
event_path = {event!r}
if event_path:
    import json

    class Context:
        function_name = "bench"
        function_version = "$LATEST"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
        memory_limit_in_mb = 256
        aws_request_id = "00000000-0000-0000-0000-000000000000"
        log_group_name = log_stream_name = "bench"

        def get_remaining_time_in_millis(self):
            return 30_000

    with open(event_path) as f:
        event = json.load(f)
    start = time.perf_counter()
    result = handler(event, Context())
    invoked = time.perf_counter() - start
    status = result.get("statusCode", "-") if isinstance(result, dict) else "-"
    print("\\nFIRST", imported, invoked, status)
else:
    print(imported)
"""
# The sample event each function's first request is timed with (--first-request); the peer's is /health.
FIRST_EVENTS = {
    PEER: "api-health.json",
    "ApiFunction": "api-list-articles.json",
    "IngestFunction": "ingest-post-article.json",
    "SubscriptionsFunction": "subscriptions-post.json",
    "SummarizeFunction": "summarize-stream.json",
    "DigestSendFunction": "digest-send-sqs.json",
    "DigestScheduleFunction": "digest-schedule.json",
    "MailEventsFunction": "mail-bounce-sns.json",
}


def pyenv_env() -> dict[str, str]:
    env = dict(os.environ)
    if shutil.which("pyenv"):
        versions = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True).stdout
        env["PYENV_VERSION"] = ":".join(v for v in versions.split() if re.match(r"^3\.1[1-9]\.", v))
    return env


def load_template():
    sys.path.insert(0, str(ROOT / "infra"))
    from newsdigest_local.template import Resolver, Template

    template = Template.load()
    return template, Resolver(template, {}, {}, {})


def sources_changed_after(stamp: float) -> list[Path]:
    candidates = [ROOT / "template.yaml", *(p for p in (ROOT / "functions").rglob("*") if p.is_file())]
    return [p for p in candidates if "__pycache__" not in p.parts and p.stat().st_mtime > stamp]


def ensure_build(mode: str) -> None:
    built = BUILD / "template.yaml"
    if mode == "never":
        if not built.exists():
            sys.exit(f"no build in {BUILD}: run without --no-build (or `make template-check`)")
        return
    if mode == "auto" and built.exists() and not sources_changed_after(built.stat().st_mtime):
        print(f"reusing {BUILD.relative_to(ROOT)} (newer than template.yaml and functions/)", file=sys.stderr)
        return
    if not (TOOLS / "sam").exists():
        subprocess.run(["make", "-C", str(ROOT), ".tools-venv/.installed"], check=True)
    print("sam build ...", file=sys.stderr)
    built_now = subprocess.run(
        [str(TOOLS / "sam"), "build", "--template", "template.yaml", "--build-dir", str(BUILD)],
        cwd=ROOT,
        env=pyenv_env() | {"SAM_CLI_TELEMETRY": "0"},
        capture_output=True,
        text=True,
    )
    if built_now.returncode != 0:
        sys.exit(f"sam build failed:\n{built_now.stdout[-3000:]}{built_now.stderr[-3000:]}")


def runtime_python(runtime: str) -> str:
    """The interpreter named like the template's Runtime (python3.13)."""
    if shutil.which(runtime) is None:
        sys.exit(f"{runtime} (the template's Runtime) is not on PATH")
    return runtime


def native_overlay(python: str, bundle: Path) -> Path:
    """Packages the bundle holds for another machine, and boto3, installed for this one."""
    version = subprocess.run(
        [python, "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
        capture_output=True,
        text=True,
        env=pyenv_env(),
        check=True,
    ).stdout.strip()
    wanted: list[str] = []
    machine = platform.machine()
    for so in bundle.rglob("*.so"):
        if machine not in so.name:
            top = so.relative_to(bundle).parts[0]
            dist = next(bundle.glob(f"{top}-*.dist-info"), None)
            if dist is not None:
                wanted.append(dist.name.removesuffix(".dist-info").replace("-", "==", 1))
    wanted += [f"{name}=={metadata.version(name)}" for name in ("boto3", "botocore", "s3transfer")]
    wanted = sorted(set(wanted))
    target = NATIVE / f"py{version}-{machine}"
    stamp = target / ".requirements"
    if stamp.exists() and stamp.read_text() == "\n".join(wanted):
        return target
    shutil.rmtree(target, ignore_errors=True)
    print(f"installing {', '.join(wanted)} for this machine into {target.relative_to(ROOT)}", file=sys.stderr)
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile"]
    installed = subprocess.run(
        [*pip, "--target", str(target), *wanted], env=pyenv_env(), capture_output=True, text=True
    )
    if installed.returncode != 0:
        sys.exit(f"pip could not install {wanted}:\n{installed.stderr[-3000:]}")
    # Everything else the bundle provides comes from the bundle: keep only what was asked for.
    keep = {w.split("==")[0].lower().replace("-", "_") for w in wanted}
    keep |= {"dateutil", "jmespath", "urllib3", "six"} - {p.name for p in bundle.iterdir()}
    for entry in target.iterdir():
        name = re.split(r"[-.]", entry.name)[0].lower()
        if name not in keep and entry.name != "six.py":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    subprocess.run(
        [python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(target)],
        env=pyenv_env(),
        check=True,
    )
    stamp.write_text("\n".join(wanted))
    return target


def child_env(base: dict[str, str], function_env: dict[str, str], name: str) -> dict[str, str]:
    env = {k: v for k, v in base.items() if not k.startswith(("PYTHON", "AWS_", "POWERTOOLS_"))}
    env.update(function_env)
    env.update(
        {
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
            "LAMBDA_TASK_ROOT": "/var/task",
        }
    )
    return env


def import_once(
    python: str, path: list[str], handler: str, env: dict[str, str], *extra: str, event: str = ""
) -> str:
    module, attr = handler.rsplit(".", 1)
    code = CHILD.format(path=path, module=module, attr=attr, event=event)
    # -I: no user site, no PYTHON* variables; -B: write no bytecode (as on a read-only /var/task).
    result = subprocess.run([python, "-I", "-B", *extra, "-c", code], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"importing {handler} failed:\n{result.stderr[-2000:]}")
    return result.stdout if not extra else result.stderr


def first_request(python: str, path: list[str], handler: str, env: dict[str, str], event: Path) -> tuple:
    """(import s, first invocation s, status) of one fresh process."""
    out = import_once(python, path, handler, env, event=str(event))
    line = next(line for line in reversed(out.splitlines()) if line.startswith("FIRST "))
    _, imported, invoked, status = line.split()
    return float(imported), float(invoked), status


def start_moto() -> tuple[Any, dict[str, str], Any]:
    """moto's server on 127.0.0.1 with the template's resources: (server, AWS environment, resolver)."""
    import logging

    sys.path.insert(0, str(ROOT / "infra"))
    from moto.server import ThreadedMotoServer
    from newsdigest_local.resources import provision
    from newsdigest_local.stack import aws_environment, free_port
    from newsdigest_local.template import Template

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    aws_env = aws_environment(f"http://127.0.0.1:{port}")
    os.environ.update(aws_env)
    return server, aws_env, provision(Template.load())


def dominant_imports(importtime: str) -> list[tuple[str, float]]:
    """(module, cumulative ms) for the watched modules the handler imported, largest first."""
    found: dict[str, float] = {}
    for line in importtime.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and match.group(4) in WATCH and match.group(4) not in found:
            found[match.group(4)] = int(match.group(2)) / 1000
    # A watched module inside another watched one (botocore under boto3) is named on its own too.
    return sorted(found.items(), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per handler (>= 10)")
    build = parser.add_mutually_exclusive_group()
    build.add_argument("--build", dest="build", action="store_const", const="always", default="auto")
    build.add_argument("--no-build", dest="build", action="store_const", const="never")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--baseline", type=Path, help="another built bundle (a sam build dir) to measure in the same rounds"
    )
    parser.add_argument(
        "--first-request",
        action="store_true",
        help="also time the first invocation after the import (sample events, moto server on 127.0.0.1)",
    )
    args = parser.parse_args()
    if args.runs < 10:
        parser.error("--runs must be at least 10")

    template, resolver = load_template()
    ensure_build(args.build)
    glob = template.raw["Globals"]["Function"]
    python = runtime_python(glob["Runtime"])
    functions = template.functions
    first_bundle = BUILD / next(iter(functions))
    overlay = native_overlay(python, first_bundle)
    base = pyenv_env()
    moto, aws_env = None, {}
    if args.first_request:
        moto, aws_env, resolver = start_moto()  # the functions' environment names the resources it made
    try:
        report = measure(args, python, functions, overlay, base, resolver, aws_env)
    finally:
        if moto is not None:
            moto.stop()
    print_report(args, python, functions, base, *report)


def measure(args, python, functions, overlay, base, resolver, aws_env: dict[str, str]) -> tuple:
    """Run the rounds; ``aws_env`` (moto's endpoint and credentials) goes to every process."""
    first_bundle = BUILD / next(iter(functions))

    with tempfile.TemporaryDirectory() as peer_dir:
        (Path(peer_dir) / "bare_resolver.py").write_text(PEER_SOURCE)
        subprocess.run(
            [python, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash", peer_dir],
            env=base,
            check=True,
        )
        targets: dict[str, tuple[list[str], str, dict[str, str]]] = {
            PEER: (
                [str(overlay), peer_dir, str(first_bundle)],
                "bare_resolver.lambda_handler",
                child_env(base, {"POWERTOOLS_SERVICE_NAME": "bare"}, "bare") | aws_env,
            )
        }
        for logical, spec in functions.items():
            bundle = BUILD / logical
            env = child_env(base, resolver.function_environment(spec), logical) | aws_env
            targets[logical] = ([str(overlay), str(bundle)], spec.handler, env)
            if args.baseline:
                targets[BASELINE + logical] = (
                    [str(overlay), str(args.baseline / logical)],
                    spec.handler,
                    env,
                )

        for path, handler, env in targets.values():  # warm the OS file cache; not measured
            import_once(python, path, handler, env)
        times: dict[str, list[float]] = {name: [] for name in targets}
        firsts: dict[str, list[float]] = {name: [] for name in targets}
        statuses: dict[str, str] = {}
        for _ in range(args.runs):
            for name, (path, handler, env) in targets.items():
                event = FIRST_EVENTS.get(name.removeprefix(BASELINE))
                if args.first_request and event:
                    imported, invoked, statuses[name] = first_request(
                        python, path, handler, env, ROOT / "events" / event
                    )
                    times[name].append(imported)
                    firsts[name].append(invoked)
                else:
                    times[name].append(float(import_once(python, path, handler, env)))
        dominant: dict[str, list[tuple[str, float]]] = {}
        for name, (path, handler, env) in targets.items():
            samples = [
                dict(dominant_imports(import_once(python, path, handler, env, "-X", "importtime")))
                for _ in range(IMPORTTIME_RUNS)
            ]
            medians_ms = {m: statistics.median(s.get(m, 0.0) for s in samples) for m in samples[0]}
            dominant[name] = sorted(
                ((m, ms) for m, ms in medians_ms.items() if ms >= 1), key=lambda kv: -kv[1]
            )

    return times, firsts, statuses, dominant


def print_report(args, python, functions, base, times, firsts, statuses, dominant) -> None:
    medians = {name: statistics.median(values) for name, values in times.items()}
    peer = medians[PEER]
    version = subprocess.run([python, "-V"], capture_output=True, text=True, env=base).stdout.strip()
    print(
        f"\nCold start: handler import from {BUILD.relative_to(ROOT)} ({version}, {platform.machine()}, "
        f"{args.runs} fresh processes each; target <= 2.00x the bare resolver)\n"
    )
    if args.baseline:
        print(f"baseline: {args.baseline} (same rounds, same peer)")
        print(f"{'function':<24} {'baseline ms':>11} {'x bare':>7} {'this ms':>8} {'x bare':>7}")
        for name in functions:
            before, after = medians[BASELINE + name], medians[name]
            figures = (
                f"{before * 1000:>11.0f} {before / peer:>6.2f}x {after * 1000:>8.0f} {after / peer:>6.2f}x"
            )
            print(f"{name:<24} {figures}")
        print()
    print(f"{'function':<24} {'median ms':>9} {'min ms':>7} {'x bare':>7}  dominant imports (cumulative ms)")
    for name in [PEER, *functions]:
        ratio = medians[name] / peer
        flag = "" if name == PEER or ratio <= 2.0 else " !"
        imports = ", ".join(f"{m} {ms:.0f}" for m, ms in dominant[name][:5])
        print(
            f"{name:<24} {medians[name] * 1000:>9.0f} {min(times[name]) * 1000:>7.0f} "
            f"{ratio:>6.2f}x{flag:<2} {imports}"
        )
    if args.first_request and firsts[PEER]:
        # Each process: import, then one invocation; the median of import + first request per target.
        totals = {
            n: statistics.median(map(sum, zip(times[n], firsts[n], strict=True))) for n in firsts if firsts[n]
        }
        print(
            "\nImport + first request (sample event from events/, moto on 127.0.0.1; peer: GET /health), "
            "median ms and ratio to the peer's import + first request"
        )
        columns = f"{'import':>7} {'first':>7} {'total':>7} {'x bare':>7}"
        header = f"{'function':<24} {columns}  status"
        if args.baseline:
            header = f"{'function':<24} {'baseline total':>14} {'x bare':>7}  {columns}  status"
        print(header)
        for name in [PEER, *functions]:
            if name not in totals:
                continue
            row = (
                f"{medians[name] * 1000:>7.0f} {statistics.median(firsts[name]) * 1000:>7.0f} "
                f"{totals[name] * 1000:>7.0f} {totals[name] / totals[PEER]:>6.2f}x  {statuses.get(name, '-')}"
            )
            if args.baseline:
                before = totals.get(BASELINE + name)
                row = (
                    f"{before * 1000:>14.0f} {before / totals[PEER]:>6.2f}x  {row}"
                    if before
                    else f"{'':>14} {'':>7}  {row}"
                )
            print(f"{name:<24} {row}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "python": version,
                    "runs": args.runs,
                    "median_s": medians,
                    "ratio": {k: v / peer for k, v in medians.items()},
                    "dominant_ms": {k: dict(v) for k, v in dominant.items()},
                    "first_request_median_s": {k: statistics.median(v) for k, v in firsts.items() if v},
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
